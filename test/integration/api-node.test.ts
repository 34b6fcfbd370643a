// node(id:) and nodes(ids:) over real HTTP: each id answers on its own (a malformed, out-of-range
// or wrong-type id gives null and an error at its own path only, never nulling the others), a
// type the viewer may not see answers exactly as a missing row (no existence leak, even through
// __typename), nodes(ids:) is capped and reads each type in one query. A seeded property test
// mixes every kind of id and checks each answer alone against an independent expectation.
// Beside them: a field that fails for the caller (bad argument, missing role) fails alone.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isNonNullType } from 'graphql';
import { closeDb, prisma } from '../../src/lib/db.js';
import { schema } from '../../src/schema/index.js';
import { type Api, createKeys, globalId, type Keys, startApi } from '../factories/api.js';
import { makeAgency, makeDeal, makeEvent, makeExhibitor, makeProduct, register } from '../factories/data.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';
import { recordStatements } from '../helpers/sql-count.js';

let api: Api;
let keys: Keys;
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** What each kind of id must answer, for the public and for an analyst. */
type Kind = 'visible' | 'draft' | 'restricted' | 'missing' | 'malformed' | 'wrongType' | 'outOfRange';
const pools: Record<Kind, string[]> = {
  visible: [],
  draft: [],
  restricted: [],
  missing: [],
  malformed: [],
  wrongType: [],
  outOfRange: [],
};

const statements: string[] = [];
let stopRecording = () => {};

beforeAll(async () => {
  await createTestDatabase();
  api = await startApi({ limits: { rateLimit: { addressRequests: 0, publicPoints: 0, keyPoints: 0 } } });
  keys = await createKeys();
  const agency = await makeAgency();
  const event = await makeEvent();
  const draft = await makeEvent({ status: 'DRAFT' });
  const exhibitors = [await makeExhibitor(), await makeExhibitor(), await makeExhibitor()];
  const product = await makeProduct(exhibitors[0]!.id);
  const participation = await register(event.id, exhibitors[0]!.id);
  const draftParticipation = await register(draft.id, exhibitors[1]!.id);
  const deal = await makeDeal({ eventId: event.id, agencyId: agency.id, exhibitorId: exhibitors[0]!.id });
  const source = await prisma.feedSource.create({
    data: { key: 'node-test', dataset: 'rup/paket-penyedia-terumumkan', klpdCode: 'D1', fiscalYear: 2023 },
  });
  const run = await prisma.ingestRun.create({
    data: { dataset: 'tender/x', trigger: 'MANUAL', status: 'FAILED' },
  });
  pools.visible.push(
    globalId('Agency', agency.id),
    globalId('Event', event.id),
    globalId('Product', product.id),
    globalId('Participation', participation.id),
    ...exhibitors.map((x) => globalId('Exhibitor', x.id)),
  );
  pools.draft.push(globalId('Event', draft.id), globalId('Participation', draftParticipation.id));
  pools.restricted.push(
    globalId('Deal', deal.id),
    globalId('IngestRun', run.id),
    globalId('FeedSource', source.id),
  );
  pools.missing.push(
    globalId('Event', 2_000_000_000),
    globalId('Exhibitor', 2_147_483_647),
    globalId('Deal', 1_999_999_999),
  );
  pools.malformed.push(
    b64('Exhibitor:abc'),
    b64('Event:1.5'),
    b64(`Event:0${event.id}`),
    b64('Event:-1'),
    b64('Event:'),
    'garbage!!',
    '',
    `${globalId('Event', event.id)}=`,
    b64(`Event:${event.id}:x`),
  );
  // Nodes that are not rows: a KPI summary (its id names the question and data version) and keys
  // those loaders refuse.
  const summary = await api.gql('{ kpiSummary(year: 2023) { id } }');
  pools.visible.push(summary.data.kpiSummary.id);
  pools.malformed.push(b64('KpiSummary:garbage'), b64('AgencyKpi:2023:0:NOPE:DESC:A1'));
  pools.missing.push(b64('KpiSummary:2023:0:1:NO-SUCH-AGENCY'));
  pools.wrongType.push(b64('KpiSummary:1'), b64('Query:1'), b64('Nope:3'), b64('PageInfo:1'));
  pools.outOfRange.push(
    b64('Event:99999999999999999999'),
    b64('Exhibitor:2147483648'),
    b64('ProgrammeConvertedItem:1:1:2147483648'),
  );
  // A converted exhibitor's item (its key names the exhibitor, batch and item), and the id of a
  // value type, which is not a Node.
  pools.malformed.push(b64('ProgrammeConvertedItem:abc'));
  pools.missing.push(b64(`ProgrammeConvertedItem:${exhibitors[0]!.id}:${event.id}:1`));
  pools.wrongType.push(b64('KpiDelta:abc'));
  stopRecording = recordStatements(statements);
});
afterAll(async () => {
  stopRecording();
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

function kindOf(id: string): Kind {
  return (Object.keys(pools) as Kind[]).find((kind) => pools[kind].includes(id)) as Kind;
}

/** The answer an id must get on its own: the object, null without error, or null with an error. */
function expected(id: string, analyst: boolean): 'object' | 'null' | 'error' {
  switch (kindOf(id)) {
    case 'visible':
      return 'object';
    case 'draft':
    case 'restricted':
      return analyst ? 'object' : 'null';
    case 'missing':
      return 'null';
    default:
      return 'error';
  }
}

describe('node(id:)', () => {
  it('answers a valid exhibitor beside a malformed one, with the error on the malformed alias only', async () => {
    const good = pools.visible.find(
      (id) => kindOf(id) === 'visible' && id.startsWith(b64('Exhibitor').slice(0, 8)),
    )!;
    const res = await api.gql(
      `{ d: node(id: "${good}") { id } b: node(id: "${b64('Exhibitor:abc')}") { id } }`,
    );
    expect(res.data).toEqual({ d: { id: good }, b: null });
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]).toMatchObject({
      path: ['b'],
      extensions: { code: 'BAD_USER_INPUT', field: 'id' },
    });
  });

  it('answers Event:1 beside an out-of-range event id', async () => {
    const event = pools.visible.find((id) => Buffer.from(id, 'base64').toString().startsWith('Event:'))!;
    const res = await api.gql(
      `{ a: node(id: "${event}") { id } b: node(id: "${b64('Event:99999999999999999999')}") { id } }`,
    );
    expect(res.data).toEqual({ a: { id: event }, b: null });
    expect(res.errors?.map((e) => e.path)).toEqual([['b']]);
    expect(res.errors?.[0]?.message).toMatch(/out of range/);
  });

  it('answers __typename of a deal, an ingest run and a feed source with null for the public, as for a missing row', async () => {
    for (const id of [...pools.restricted, globalId('Deal', 1_999_999_999)]) {
      const res = await api.gql(`{ node(id: "${id}") { __typename id } }`);
      expect(res).toMatchObject({ status: 200, data: { node: null } });
      expect(res.errors).toBeUndefined();
    }
    const analyst = await api.gql(`{ node(id: "${pools.restricted[0]}") { __typename } }`, {}, keys.analyst);
    expect(analyst.data).toEqual({ node: { __typename: 'Deal' } });
  });
});

describe('nodes(ids:)', () => {
  it('answers two valid ids beside a malformed one, with one error at the malformed index', async () => {
    const [a, b] = pools.visible;
    const res = await api.gql(`{ nodes(ids: ["${a}", "${b}", "${b64('Exhibitor:abc')}"]) { id } }`);
    expect(res.data).toEqual({ nodes: [{ id: a }, { id: b }, null] });
    expect(res.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.field])).toEqual([
      [['nodes', 2], 'BAD_USER_INPUT', 'ids.2'],
    ]);
  });

  it('refuses more than 100 ids with BAD_USER_INPUT on nodes alone, and reads nothing', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => globalId('Exhibitor', i + 1));
    statements.length = 0;
    const res = await api.gql('query ($ids: [ID!]!) { nodes(ids: $ids) { id } serverInfo { version } }', {
      ids,
    });
    expect(res.data?.nodes).toBeNull();
    expect(res.data?.serverInfo?.version).toEqual(expect.any(String));
    expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['nodes'], 'BAD_USER_INPUT']]);
    expect(statements.filter((s) => /FROM "public"\."exhibitor"/i.test(s))).toEqual([]);
  });

  it('reads 100 ids of three types in one query per type, and logs no error for missing ones', async () => {
    const ids = [
      ...Array.from({ length: 60 }, (_, i) => globalId('Exhibitor', i + 1)),
      ...Array.from({ length: 30 }, (_, i) => globalId('Event', i + 1)),
      ...Array.from({ length: 10 }, (_, i) => globalId('Agency', i + 1)),
    ];
    statements.length = 0;
    const res = await api.gql('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(res.errors).toBeUndefined();
    expect(res.data.nodes).toHaveLength(100);
    const reads = (table: string) =>
      statements.filter((s) => new RegExp(`FROM "public"\\."${table}"`, 'i').test(s));
    expect(reads('exhibitor')).toHaveLength(1);
    expect(reads('event')).toHaveLength(1);
    expect(reads('agency')).toHaveLength(1);
  });

  it('answers each id alone, whatever the mix of valid, draft, restricted, missing, malformed, wrong-type and out-of-range ids (seeded)', async () => {
    const all = Object.values(pools).flat();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...all), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        async (ids, analyst) => {
          const key = analyst ? keys.analyst : undefined;
          const aliases = ids
            .map((id, i) => `n${i}: node(id: ${JSON.stringify(id)}) { id __typename }`)
            .join(' ');
          const query = `query ($ids: [ID!]!) { nodes(ids: $ids) { id __typename } ${aliases} }`;
          const res = await api.gql(query, { ids }, key);
          expect(res.status).toBe(200);
          const errorPaths = new Set((res.errors ?? []).map((e) => JSON.stringify(e.path)));
          for (const e of res.errors ?? []) expect(e.extensions?.code).toBe('BAD_USER_INPUT');
          ids.forEach((id, i) => {
            const want = expected(id, analyst);
            for (const [answer, path] of [
              [res.data.nodes[i], ['nodes', i]],
              [res.data[`n${i}`], [`n${i}`]],
            ] as const) {
              if (want === 'object')
                expect(answer).toEqual({
                  id,
                  __typename: Buffer.from(id, 'base64').toString().split(':')[0],
                });
              else expect(answer).toBeNull();
              expect(errorPaths.has(JSON.stringify(path))).toBe(want === 'error');
            }
          });
          expect(errorPaths.size).toBe(ids.filter((id) => expected(id, analyst) === 'error').length * 2);
        },
      ),
      { seed: 2121, numRuns: 60 },
    );
  });
});

describe('a field that fails for the caller', () => {
  it('answers a good kpiSummary beside one naming an unknown agency, with the error on the bad one only', async () => {
    const res = await api.gql(
      '{ a: kpiSummary(year: 2023, agency: "nope") { year } b: kpiSummary(year: 2023) { year } }',
    );
    expect(res.data).toEqual({ a: null, b: { year: 2023 } });
    expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['a'], 'NOT_FOUND']]);
  });

  it('answers the public its events when it also asks for their analyst-only deals', async () => {
    const res = await api.gql(
      '{ events(first: 5) { totalCount edges { node { id deals { totalCount } } } } }',
    );
    expect(res.data.events.totalCount).toBeGreaterThan(0);
    for (const edge of res.data.events.edges)
      expect(edge.node).toEqual({ id: expect.any(String), deals: null });
    expect(new Set(res.errors?.map((e) => e.extensions?.code))).toEqual(new Set(['UNAUTHENTICATED']));
  });

  it('is nullable in the schema: every root query and mutation field and every field that needs a role', () => {
    const strict: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !('getFields' in type) || type.name === 'Subscription') continue;
      for (const field of Object.values(type.getFields())) {
        if (!('resolve' in field)) continue;
        const options = field.extensions?.pothosOptions as { authScopes?: unknown } | undefined;
        const fallible =
          type.name === 'Query' || type.name === 'Mutation' || options?.authScopes !== undefined;
        if (fallible && isNonNullType(field.type)) strict.push(`${type.name}.${field.name}`);
      }
    }
    expect(strict).toEqual([]);
  });
});

describe('mutation ids and inputs', () => {
  const RECORD = `mutation ($e: ID!, $a: ID!, $x: ID!) {
    recordDeal(eventId: $e, agencyId: $a, exhibitorId: $x, input: { value: "1000.00", signedOn: "2030-05-07" }) {
      __typename ... on Error { code field } ... on ValidationError { problems { field message } } } }`;

  it('answers malformed and wrong-type ids inside the result union, every bad one at once, and writes nothing', async () => {
    const before = await prisma.deal.count();
    const event = pools.visible.find((id) => Buffer.from(id, 'base64').toString().startsWith('Event:'))!;
    const res = await api.gql(RECORD, { e: event, a: 'garbage!!', x: event }, keys.admin);
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data.recordDeal).toMatchObject({
      __typename: 'ValidationError',
      code: 'BAD_USER_INPUT',
      field: 'agencyId',
    });
    expect(res.data.recordDeal.problems.map((p: { field: string }) => p.field)).toEqual([
      'agencyId',
      'exhibitorId',
    ]);
    expect(res.data.recordDeal.problems[1].message).toMatch(/id of a Event, not of a Exhibitor/);
    expect(await prisma.deal.count()).toBe(before);
  });

  it('reports bad ids and bad input fields together in one ValidationError, ids first, and writes nothing', async () => {
    const before = await prisma.deal.count();
    const event = pools.visible.find((id) => Buffer.from(id, 'base64').toString().startsWith('Event:'))!;
    const res = await api.gql(
      `mutation ($e: ID!, $a: ID!, $x: ID!, $d: String) {
        recordDeal(eventId: $e, agencyId: $a, exhibitorId: $x, input: { value: "-5", signedOn: "2030-05-07", description: $d }) {
          __typename ... on ValidationError { field problems { field } } } }`,
      { e: event, a: 'garbage!!', x: event, d: 'x'.repeat(2001) },
      keys.admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.recordDeal.__typename).toBe('ValidationError');
    expect(res.data.recordDeal.field).toBe('agencyId');
    // A field can fail more than one rule (each is listed); the fields, in order:
    const fields = res.data.recordDeal.problems.map((p: { field: string }) => p.field);
    expect([...new Set(fields)]).toEqual(['agencyId', 'exhibitorId', 'input.value', 'input.description']);
    const product = await api.gql(
      'mutation ($id: ID!) { updateProduct(id: $id, input: { name: "" }) { __typename ... on ValidationError { problems { field } } } }',
      { id: b64('Product:99999999999999999999') },
      keys.admin,
    );
    expect(product.data.updateProduct).toEqual({
      __typename: 'ValidationError',
      problems: [{ field: 'input.name' }],
    });
    expect(await prisma.deal.count()).toBe(before);
  });

  it('answers an id of the right type that names no row as NotFoundError in the union', async () => {
    const res = await api.gql(
      'mutation ($id: ID!) { publishEvent(id: $id) { __typename ... on Error { code } } }',
      { id: b64('Event:99999999999999999999') },
      keys.admin,
    );
    expect(res.data.publishEvent).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('reports every invalid input field of a mutation at once', async () => {
    const res = await api.gql(
      `mutation { createEvent(input: { batchNumber: 0, title: "", venue: "", startDate: "2030-01-02", endDate: "2030-01-03" }) {
        __typename ... on ValidationError { field problems { field } } } }`,
      {},
      keys.admin,
    );
    expect(res.data.createEvent.__typename).toBe('ValidationError');
    const fields = res.data.createEvent.problems.map((p: { field: string }) => p.field);
    expect(fields.length).toBeGreaterThanOrEqual(2);
    expect(fields).toEqual(expect.arrayContaining(['input.title', 'input.venue']));
    expect(res.data.createEvent.field).toBe(fields[0]);
  });
});
