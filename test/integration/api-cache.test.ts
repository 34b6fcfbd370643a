// The response cache over real HTTP: hits for repeated reads, fresh answers after a recompute
// publishes a new data version and after any mutation, roles kept apart, one cache for two servers.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Api, Json, Keys } from '../factories/api.js';

// The cache is off by default under NODE_ENV=test; this file turns it on before anything reads
// the configuration (hence the dynamic imports).
process.env.RESPONSE_CACHE = 'true';
const { createTestDatabase } = await import('../helpers/db.js');
const { flushTestPrefix } = await import('../helpers/redis.js');
const { startApi, createKeys, globalId } = await import('../factories/api.js');
const { makeEvent } = await import('../factories/data.js');
const { contentVersionNotified } = await import('../helpers/content-version.js');
const { createAgency, createRun, upsertItems } = await import('../factories/kpi-items.js');
const { recomputeKpis } = await import('../../src/services/kpi/recompute.js');
const { closeDb } = await import('../../src/lib/db.js');
const { CACHE_HEADER } = await import('../../src/api/response-cache.js');

let api: Api;
let other: Api;
let keys: Keys;
let agencyId: number;

const SUMMARY = `query Summary($year: Int!) { kpiSummary(year: $year) { dataVersion realisation itemCount } }`;
const EVENTS = `{ events(first: 50) { totalCount edges { node { title status } } } }`;

interface Sent {
  cache: string | null;
  status: number;
  data: Json;
  errors: Json;
}

async function send(
  target: Api,
  query: string,
  variables?: Record<string, unknown>,
  key?: string,
): Promise<Sent> {
  const res = await target.gql(query, variables, key);
  return { cache: res.headers.get(CACHE_HEADER), status: res.status, data: res.data, errors: res.errors };
}

async function ingest(sourceKey: string, value: string): Promise<void> {
  const run = await createRun({ fiscalYear: 2023, asOf: '2023-06-30' });
  await upsertItems(
    [{ sourceKey, fiscalYear: 2023, agencyId, value, pdnValue: value, itemDate: '2023-03-01' }],
    run,
  );
  await recomputeKpis({ reason: 'ingest', runIds: [run] });
}

beforeAll(async () => {
  await createTestDatabase();
  await flushTestPrefix();
  agencyId = (await createAgency({ code: 'C1', name: 'Dinas Cache' })).id;
  await ingest('first', '100.00');
  keys = await createKeys();
  api = await startApi();
  other = await startApi();
});

afterAll(async () => {
  await api?.close();
  await other?.close();
  await flushTestPrefix();
  await closeDb();
});

describe('response cache', () => {
  it('answers a second identical read from the cache with the same body', async () => {
    const first = await send(api, SUMMARY, { year: 2023 });
    const second = await send(api, SUMMARY, { year: 2023 });
    expect(first.cache).toBe('MISS');
    expect(second.cache).toBe('HIT');
    expect(second.data).toEqual(first.data);
    expect(first.data.kpiSummary.realisation).toBe('100.00');
  });

  it('keeps different variables apart', async () => {
    await send(api, SUMMARY, { year: 2023 });
    const otherYear = await send(api, SUMMARY, { year: 2022 });
    expect(otherYear.cache).toBe('MISS');
    expect(otherYear.data.kpiSummary.itemCount).toBe(0);
  });

  it('shows the new numbers on the first read after new items are ingested and recomputed', async () => {
    const before = await send(api, SUMMARY, { year: 2023 });
    expect(before.cache).toBe('HIT');
    await ingest('second', '250.00');
    const after = await send(api, SUMMARY, { year: 2023 });
    expect(after.cache).toBe('MISS');
    expect(after.data.kpiSummary.realisation).toBe('350.00');
    expect(after.data.kpiSummary.dataVersion).toBeGreaterThan(before.data.kpiSummary.dataVersion);
  });

  it('serves a fresh answer after a mutation changes the data', async () => {
    const draft = await makeEvent({ status: 'DRAFT', title: 'Batch Cache' });
    await contentVersionNotified();
    await send(api, EVENTS);
    const cached = await send(api, EVENTS);
    expect(cached.cache).toBe('HIT');
    const titles = (r: Sent) => r.data.events.edges.map((e: Json) => e.node.title);
    expect(titles(cached)).not.toContain('Batch Cache');

    const published = await send(
      api,
      'mutation ($id: ID!) { publishEvent(id: $id) { __typename } }',
      { id: globalId('Event', draft.id) },
      keys.admin,
    );
    expect(published.data.publishEvent.__typename).not.toMatch(/Error/);

    const fresh = await send(api, EVENTS);
    expect(fresh.cache).toBe('MISS');
    expect(titles(fresh)).toContain('Batch Cache');
  });

  it('keeps cached answers after a mutation that failed or was refused: it changed nothing', async () => {
    await send(api, EVENTS);
    expect((await send(api, EVENTS)).cache).toBe('HIT');
    const missing = await send(
      api,
      'mutation ($id: ID!) { publishEvent(id: $id) { __typename } }',
      { id: globalId('Event', 987654) },
      keys.admin,
    );
    expect(missing.data.publishEvent.__typename).toBe('NotFoundError');
    const refused = await send(api, 'mutation ($id: ID!) { publishEvent(id: $id) { __typename } }', {
      id: globalId('Event', 987654),
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await send(api, EVENTS)).cache).toBe('HIT');
  });

  it('never serves a public answer to an admin or an admin answer to the public', async () => {
    await makeEvent({ status: 'DRAFT', title: 'Draft Only Admins See' });
    await contentVersionNotified();
    const query = `{ events(first: 100) { edges { node { title } } } }`;
    const titles = (r: Sent) => r.data.events.edges.map((e: Json) => e.node.title);

    const pub = await send(api, query);
    const admin = await send(api, query, undefined, keys.admin);
    expect(admin.cache).toBe('MISS');
    expect(titles(admin)).toContain('Draft Only Admins See');
    expect(titles(pub)).not.toContain('Draft Only Admins See');

    const pubAgain = await send(api, query);
    const adminAgain = await send(api, query, undefined, keys.admin);
    expect(pubAgain.cache).toBe('HIT');
    expect(titles(pubAgain)).not.toContain('Draft Only Admins See');
    expect(adminAgain.cache).toBe('HIT');
    expect(titles(adminAgain)).toContain('Draft Only Admins See');
  });

  it('refuses a revoked key even when the answer is cached for its former role', async () => {
    await send(api, EVENTS, undefined, keys.admin);
    const refused = await send(api, EVENTS, undefined, keys.revoked);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(refused.data ?? null).toBeNull();
  });

  it('shares entries between two server processes on one Redis', async () => {
    const query = `query Shared { kpiSeries(year: 2023) { dataVersion points { month realisation } } }`;
    const first = await send(api, query);
    const fromOther = await send(other, query);
    expect(first.cache).toBe('MISS');
    expect(fromOther.cache).toBe('HIT');
    expect(fromOther.data).toEqual(first.data);
  });

  it('sees a mutation made through another server', async () => {
    const draft = await makeEvent({ status: 'DRAFT', title: 'Published Elsewhere' });
    await contentVersionNotified();
    const query = `{ events(first: 100) { totalCount } }`;
    await send(api, query);
    const cached = await send(api, query);
    expect(cached.cache).toBe('HIT');
    await send(
      other,
      'mutation ($id: ID!) { publishEvent(id: $id) { __typename } }',
      { id: globalId('Event', draft.id) },
      keys.admin,
    );
    const fresh = await send(api, query);
    expect(fresh.cache).toBe('MISS');
    expect(fresh.data.events.totalCount).toBe(cached.data.events.totalCount + 1);
  });

  it('serves a fresh answer after a mutation sent as a persisted-query hash only', async () => {
    const [first, second] = [
      await makeEvent({ status: 'DRAFT', title: 'Persisted One' }),
      await makeEvent({ status: 'DRAFT', title: 'Persisted Two' }),
    ];
    const mutation = 'mutation Publish($id: ID!) { publishEvent(id: $id) { __typename } }';
    const sha256Hash = createHash('sha256').update(mutation).digest('hex');
    const persisted = async (variables: Record<string, unknown>, withText: boolean) => {
      const res = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.admin}` },
        body: JSON.stringify({
          ...(withText ? { query: mutation } : {}),
          variables,
          extensions: { persistedQuery: { version: 1, sha256Hash } },
        }),
      });
      return (await res.json()) as Json;
    };
    // Registers the document (and publishes the first event).
    expect((await persisted({ id: globalId('Event', first.id) }, true)).errors).toBeUndefined();

    const query = `{ events(first: 100) { edges { node { title } } } }`;
    await send(api, query);
    expect((await send(api, query)).cache).toBe('HIT');
    const byHash = await persisted({ id: globalId('Event', second.id) }, false);
    expect(byHash.data.publishEvent.__typename).not.toMatch(/Error/);

    const fresh = await send(api, query);
    expect(fresh.cache).toBe('MISS');
    expect(fresh.data.events.edges.map((e: Json) => e.node.title)).toContain('Persisted Two');
  });

  it('does not store answers with errors', async () => {
    const query = `{ kpiSummary(year: 2023, agency: "NO-SUCH-AGENCY") { realisation } }`;
    const first = await send(api, query);
    const second = await send(api, query);
    expect(first.errors?.length).toBeGreaterThan(0);
    expect(second.cache).toBe('MISS');
  });

  it('always executes queries that read data the worker writes', async () => {
    const query = `{ ingestRuns(first: 5) { totalCount } }`;
    await send(api, query, undefined, keys.admin);
    const second = await send(api, query, undefined, keys.admin);
    expect(second.cache).toBe('BYPASS');
    expect(second.data.ingestRuns.totalCount).toBeGreaterThanOrEqual(0);
  });
});

describe('the cache answers only requests Apollo would accept', () => {
  const post = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const hash = createHash('sha256').update(EVENTS).digest('hex');

  it.each([
    ['an operationName that is not a string', { query: EVENTS, operationName: 7 }, {}, 400],
    ['extensions that are not an object', { query: EVENTS, extensions: 'x' }, {}, 400],
    [
      'a persisted-query hash that does not match the text',
      { query: EVENTS, extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } },
      {},
      400,
    ],
    ['variables that are not an object', { query: EVENTS, variables: [1] }, {}, 400],
    ['an Accept header Apollo cannot satisfy', { query: EVENTS }, { accept: 'text/html' }, 406],
  ])('refuses %s as Apollo does even when the answer is cached', async (_what, body, headers, status) => {
    await post({ query: EVENTS });
    expect((await post({ query: EVENTS })).headers.get(CACHE_HEADER)).toBe('HIT');
    const res = await post(body, headers);
    expect(res.status).toBe(status);
    expect(res.headers.get(CACHE_HEADER)).not.toBe('HIT');
  });

  it('answers a hit with the media type the client asked for, and registers a persisted query', async () => {
    await post({ query: EVENTS });
    const hit = await post({ query: EVENTS }, { accept: 'application/graphql-response+json' });
    expect(hit.headers.get(CACHE_HEADER)).toBe('HIT');
    expect(hit.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    const registered = await post({
      query: EVENTS,
      extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
    });
    expect(registered.status).toBe(200);
    const byHash = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(((await byHash.json()) as Json).data.events.totalCount).toBeGreaterThanOrEqual(0);
  });
});
