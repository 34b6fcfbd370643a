// Field-level roles over real HTTP: data only analysts may see (draft and cancelled events, ingest
// run history, rejected rows, deals, tax numbers) never reaches the public by any path: lists,
// nested relations, fragments, aliases, node(id:) and nodes(ids:). Each secret carries a marker
// string; every public answer is searched for all markers, and the same queries by an analyst
// must show them (so the queries do reach the data).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb, prisma } from '../../src/lib/db.js';
import { type Api, createKeys, globalId, type Keys, startApi } from '../factories/api.js';
import { makeAgency, makeDeal, makeEvent, makeExhibitor, register } from '../factories/data.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

let api: Api;
let keys: Keys;
const ids: Record<string, string> = {};

const MARKERS = {
  draft: 'SECRET-DRAFT-EVENT',
  cancelled: 'SECRET-CANCELLED-EVENT',
  draftSession: 'SECRET-DRAFT-SESSION',
  deal: 'SECRET-DEAL-NOTE',
  npwp: '01.999.999.9-999.000',
  rejected: 'SECRET-REJECTED-ROW',
  runError: 'SECRET-RUN-ERROR',
};

beforeAll(async () => {
  await createTestDatabase();
  api = await startApi();
  keys = await createKeys();
  const published = await makeEvent({ title: 'Public batch' });
  const draft = await makeEvent({ status: 'DRAFT', title: MARKERS.draft });
  const cancelled = await makeEvent({ status: 'CANCELLED', title: MARKERS.cancelled });
  const session = await prisma.session.create({
    data: {
      eventId: draft.id,
      kind: 'OPENING',
      topic: MARKERS.draftSession,
      startsAt: new Date('2030-05-06T02:00:00Z'),
      endsAt: new Date('2030-05-06T03:00:00Z'),
    },
  });
  const exhibitor = await makeExhibitor({ npwp: MARKERS.npwp });
  const agency = await makeAgency();
  await register(published.id, exhibitor.id);
  const draftParticipation = await register(draft.id, exhibitor.id);
  await register(cancelled.id, exhibitor.id);
  const deal = await makeDeal(
    { eventId: published.id, agencyId: agency.id, exhibitorId: exhibitor.id },
    { description: MARKERS.deal },
  );
  const run = await prisma.ingestRun.create({
    data: { dataset: 'tender/x', trigger: 'MANUAL', status: 'FAILED', error: MARKERS.runError, rejected: 1 },
  });
  await prisma.rejectedRow.create({
    data: { runId: run.id, rowNumber: 1, reason: 'bad', raw: `{"x":"${MARKERS.rejected}"}` },
  });
  Object.assign(ids, {
    draft: globalId('Event', draft.id),
    cancelled: globalId('Event', cancelled.id),
    session: globalId('Session', session.id),
    participation: globalId('Participation', draftParticipation.id),
    deal: globalId('Deal', deal.id),
    run: globalId('IngestRun', run.id),
    runId: String(run.id),
    exhibitor: globalId('Exhibitor', exhibitor.id),
  });
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

/** Queries that reach a secret, and which secrets an analyst sees through them. */
const paths = (): Array<{ name: string; query: string; shows: Array<keyof typeof MARKERS> }> => [
  {
    name: 'events of every status',
    query:
      '{ events(first: 50, filter: { statuses: [DRAFT, CANCELLED, PUBLISHED] }) { edges { node { title } } } }',
    shows: ['draft', 'cancelled'],
  },
  {
    name: 'node(id:) and nodes(ids:) of draft and cancelled events and a draft event’s session',
    query: `{ a: node(id: "${ids.draft}") { ... on Event { title } }
      b: nodes(ids: ["${ids.cancelled}", "${ids.session}"]) { ... on Event { title } ... on Session { topic } } }`,
    shows: ['draft', 'cancelled', 'draftSession'],
  },
  {
    name: 'a draft event through its participation’s node and an exhibitor’s participations',
    query: `{ p: node(id: "${ids.participation}") { ... on Participation { event { title sessions { topic } } } }
      x: node(id: "${ids.exhibitor}") { ... on Exhibitor { participations { event { title } } } } }`,
    shows: ['draft', 'draftSession', 'cancelled'],
  },
  {
    name: 'deals nested under exhibitors, events and agencies, and node(id:) of a deal',
    query: `{ exhibitors(first: 50) { edges { node { deals { edges { node { description } } } } } }
      events(first: 50) { edges { node { deals { edges { node { description } } } } } }
      agencies(first: 50) { edges { node { deals { edges { node { description } } } } } }
      d: node(id: "${ids.deal}") { ... on Deal { description } } }`,
    shows: ['deal'],
  },
  {
    name: 'tax numbers, directly and through a fragment on node(id:)',
    query: `fragment Tax on Exhibitor { npwp }
      { exhibitors(first: 50) { edges { node { ...Tax } } } n: node(id: "${ids.exhibitor}") { ...Tax } }`,
    shows: ['npwp'],
  },
  {
    name: 'ingest run history and its rejected rows, by list, by id and by node(id:)',
    query: `{ ingestRuns(first: 10) { edges { node { error rejectedRows { edges { node { raw } } } } } }
      ingestRun(runId: ${ids.runId}) { error }
      r: node(id: "${ids.run}") { ... on IngestRun { error rejectedRows { edges { node { raw } } } } } }`,
    shows: ['runError', 'rejected'],
  },
  {
    name: 'feed sources and their runs',
    query: '{ feedSources { runs(first: 10) { edges { node { error } } } } }',
    shows: [],
  },
];

describe('analyst-only data', () => {
  it('never reaches the public, by any of the paths', async () => {
    for (const { name, query } of paths()) {
      const res = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      const text = await res.text();
      expect(res.status).toBeLessThan(500);
      for (const marker of Object.values(MARKERS)) {
        expect({ name, leaked: text.includes(marker) ? marker : null }).toEqual({ name, leaked: null });
      }
    }
  });

  it('is shown to analysts by the same queries', async () => {
    for (const { name, query, shows } of paths()) {
      const res = await api.gql(query, undefined, keys.analyst);
      expect({ name, errors: res.errors }).toEqual({ name, errors: undefined });
      const text = JSON.stringify(res.data);
      for (const secret of shows)
        expect({ name, secret, seen: text.includes(MARKERS[secret]) }).toEqual({ name, secret, seen: true });
    }
  });

  it('refuses the public an analyst-only field with UNAUTHENTICATED on that field alone, answering the rest', async () => {
    const res = await api.gql('{ ingestRuns(first: 1) { totalCount } exhibitors(first: 1) { totalCount } }');
    expect(res.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['ingestRuns', 'UNAUTHENTICATED'],
    ]);
    expect(res.data).toEqual({ ingestRuns: null, exhibitors: { totalCount: expect.any(Number) } });
  });
});
