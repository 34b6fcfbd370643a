// Fields of select-mode Prisma types answer from the row their parent carries (plugins/preloaded-
// fields.ts) only where the row answers for them: auth still applies, a row that does not carry a
// field loads it, and a relation filtered by the viewer is always read through its filter.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb } from '../../src/lib/db.js';
import { schema } from '../../src/schema/index.js';
import { type Api, createKeys, globalId, type Keys, startApi } from '../factories/api.js';
import { makeEvent, makeExhibitor, register } from '../factories/data.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';
import { recordStatements } from '../helpers/sql-count.js';

let api: Api;
let keys: Keys;
let publishedId: number;
let exhibitorName: string;

beforeAll(async () => {
  await createTestDatabase();
  const published = await makeEvent({ year: 2036, batchNumber: 1, title: 'Batch Terbit' });
  const draft = await makeEvent({ year: 2036, batchNumber: 2, title: 'Batch Draf', status: 'DRAFT' });
  const exhibitor = await makeExhibitor({ npwp: '012345678901234', city: 'Jakarta Timur' });
  await register(published.id, exhibitor.id, 'A-1');
  await register(draft.id, exhibitor.id, 'D-1');
  publishedId = published.id;
  exhibitorName = exhibitor.name;
  api = await startApi();
  keys = await createKeys();
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

function preloaded(type: string, field: string): unknown {
  const fields = (
    schema.getType(type) as unknown as { getFields(): Record<string, { extensions: object }> }
  ).getFields();
  return (fields[field]?.extensions as Record<string, unknown> | undefined)?.bismaPreloaded;
}

describe('fields answered from the parent row', () => {
  it('are the column reads and the relations whose query cannot depend on the viewer', () => {
    expect(preloaded('Event', 'title')).toBe('column');
    expect(preloaded('Exhibitor', 'npwp')).toBe('column');
    expect(preloaded('Event', 'participations')).toBe('relation');
    expect(preloaded('Participation', 'exhibitor')).toBe('relation');
    // Filtered by the viewer (drafts), counted, or paged: always through the Prisma plugin.
    expect(preloaded('Exhibitor', 'participations')).toBeUndefined();
    expect(preloaded('Event', 'exhibitorCount')).toBeUndefined();
    expect(preloaded('Event', 'participationsConnection')).toBeUndefined();
  });

  it('keeps field auth: a nested NPWP is refused to the public and read for an analyst', async () => {
    const query = `{ events(filter: { year: 2036 }) { edges { node {
      participations { booth exhibitor { name npwp } } } } } }`;
    const anonymous = await api.gql(query);
    expect(anonymous.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(anonymous.errors?.[0]?.path).toEqual([
      'events',
      'edges',
      0,
      'node',
      'participations',
      0,
      'exhibitor',
      'npwp',
    ]);
    expect(anonymous.data.events.edges[0].node.participations[0].exhibitor).toEqual({
      name: exhibitorName,
      npwp: null,
    });
    const analyst = await api.gql(query, {}, keys.analyst);
    expect(analyst.errors).toBeUndefined();
    const booths = analyst.data.events.edges.map(
      (e: { node: { participations: Array<{ booth: string; exhibitor: { npwp: string } }> } }) =>
        e.node.participations.map((p) => [p.booth, p.exhibitor.npwp]),
    );
    expect(booths).toEqual([[['A-1', '012345678901234']], [['D-1', '012345678901234']]]);
  });

  it('loads what a mutation row does not carry: its relations, with their own selection', async () => {
    const statements: string[] = [];
    const stop = recordStatements(statements);
    const res = await api.gql(
      `mutation ($id: ID!) { updateEvent(id: $id, input: { venue: "Gedung Baru" }) {
        ... on MutationUpdateEventSuccess { data { title venue participations { booth exhibitor { name city } } } } } }`,
      { id: globalId('Event', publishedId) },
      keys.admin,
    );
    stop();
    expect(res.errors).toBeUndefined();
    expect(res.data.updateEvent.data).toEqual({
      title: 'Batch Terbit',
      venue: 'Gedung Baru',
      participations: [{ booth: 'A-1', exhibitor: { name: exhibitorName, city: 'Jakarta Timur' } }],
    });
    // The relation was read with the exhibitor's name and city, which the update's row never had.
    expect(statements.some((sql) => /"name"/.test(sql) && /"city"/.test(sql))).toBe(true);
  });

  it('reads a relation filtered by the viewer through its filter, even beneath a preloaded one', async () => {
    const query = `{ events(filter: { year: 2036 }) { edges { node { title
      participations { exhibitor { participations { booth } } } } } } }`;
    const anonymous = await api.gql(query);
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data.events.edges).toEqual([
      {
        node: {
          title: 'Batch Terbit',
          participations: [{ exhibitor: { participations: [{ booth: 'A-1' }] } }],
        },
      },
    ]);
    const analyst = await api.gql(query, {}, keys.analyst);
    const seen = analyst.data.events.edges.map(
      (e: { node: { participations: Array<{ exhibitor: { participations: Array<{ booth: string }> } }> } }) =>
        e.node.participations[0]?.exhibitor.participations.map((p) => p.booth),
    );
    expect(seen).toEqual([
      ['A-1', 'D-1'],
      ['A-1', 'D-1'],
    ]);
  });
});
