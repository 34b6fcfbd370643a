// HTTP details clients meet: a subscription sent over HTTP is refused with 400 naming the
// websocket endpoint, a response-cache hit answers in the media type the miss negotiated, a
// cacheable public answer says so in Cache-Control with nothing per-caller in its body, and
// `viewer` and `rateLimit` tell a caller who it is and what budget it has left.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Api, Keys } from '../factories/api.js';

// The cache is off by default under NODE_ENV=test; this file turns it on before anything reads
// the configuration (hence the dynamic imports).
process.env.RESPONSE_CACHE = 'true';
const { createTestDatabase } = await import('../helpers/db.js');
const { flushTestPrefix } = await import('../helpers/redis.js');
const { createKeys, startApi } = await import('../factories/api.js');
const { makeEvent } = await import('../factories/data.js');
const { closeDb } = await import('../../src/lib/db.js');
const { CACHE_HEADER } = await import('../../src/api/response-cache.js');
const { negotiatedAnswerType: answerType } = await import('../../src/api/request-checks.js');

let api: Api;
let keys: Keys;

beforeAll(async () => {
  await createTestDatabase();
  await flushTestPrefix();
  await makeEvent();
  keys = await createKeys();
  api = await startApi({ limits: { rateLimit: { addressRequests: 0, publicPoints: 0, keyPoints: 0 } } });
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

async function post(query: string, accept?: string) {
  const res = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
    body: JSON.stringify({ query }),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    cache: res.headers.get(CACHE_HEADER),
    body: await res.text(),
  };
}

describe('a subscription over HTTP', () => {
  it('is refused with 400 and a message naming the websocket endpoint, not a masked error', async () => {
    const res = await post('subscription { kpiRefreshed { dataVersion } }');
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body);
    expect(body.errors[0].extensions).toMatchObject({
      code: 'SUBSCRIPTION_OVER_HTTP',
      websocket: '/graphql',
    });
    expect(body.errors[0].message).toMatch(/ws:\/\/127\.0\.0\.1:\d+\/graphql/);
  });
});

describe('a response-cache hit', () => {
  it.each([
    ['application/graphql-response+json', 'application/graphql-response+json; charset=utf-8'],
    ['application/json', 'application/json; charset=utf-8'],
    [undefined, 'application/json; charset=utf-8'],
  ])('answers Accept %s in the same media type as the miss did', async (accept, type) => {
    const query = `{ events(first: 3) { totalCount edges { node { title } } } a${String(accept).length}: __typename }`;
    const miss = await post(query, accept);
    const hit = await post(query, accept);
    expect([miss.cache, hit.cache]).toEqual(['MISS', 'HIT']);
    expect(miss.type).toBe(type);
    expect(hit.type).toBe(type);
    expect(hit.body).toBe(miss.body);
  });

  it('leaves a request that accepts no JSON type to Apollo (406), not to the cache', async () => {
    const query = '{ events(first: 2) { totalCount } }';
    await post(query);
    const refused = await post(query, 'text/html');
    expect(refused.cache).not.toBe('HIT');
    expect(refused.status).toBe(406);
  });

  it('negotiates as Apollo does: q first, then specificity, then order in the header', () => {
    expect(answerType('application/graphql-response+json, application/json')).toMatch(/graphql-response/);
    expect(answerType('application/json, application/graphql-response+json')).toMatch(/^application\/json/);
    expect(answerType('application/json;q=0.5, application/graphql-response+json')).toMatch(
      /graphql-response/,
    );
    expect(answerType('*/*')).toMatch(/^application\/json/);
    expect(answerType('application/*;q=0.9, application/graphql-response+json;q=0.1')).toMatch(
      /^application\/json/,
    );
    expect(answerType('text/html')).toBeNull();
    expect(answerType('application/json;q=0')).toBeNull();
  });
});

describe('Cache-Control', () => {
  const EVENTS = '{ events(first: 2) { totalCount edges { node { id title } } } }';

  async function ask(
    server: Api,
    init: { query?: string; key?: string; hash?: string; method?: 'GET' | 'POST' },
  ): Promise<{ status: number; headers: Headers; body: string }> {
    const auth: Record<string, string> = init.key ? { authorization: `Bearer ${init.key}` } : {};
    const persisted = init.hash ? { persistedQuery: { version: 1, sha256Hash: init.hash } } : undefined;
    const res =
      init.method === 'GET'
        ? await fetch(`${server.url}/graphql?extensions=${encodeURIComponent(JSON.stringify(persisted))}`, {
            headers: { 'apollo-require-preflight': 'true', ...auth },
          })
        : await fetch(`${server.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...auth },
            body: JSON.stringify({ query: init.query, ...(persisted ? { extensions: persisted } : {}) }),
          });
    return { status: res.status, headers: res.headers, body: await res.text() };
  }

  it('lets the public’s cacheable answer be kept, miss and hit alike, with the budget only in headers', async () => {
    const limited = await startApi({ limits: { rateLimit: { addressRequests: 0, publicPoints: 10_000 } } });
    try {
      const query = `${EVENTS.slice(0, -1)} n: __typename }`;
      const miss = await ask(limited, { query });
      const hit = await ask(limited, { query });
      expect([miss.headers.get(CACHE_HEADER), hit.headers.get(CACHE_HEADER)]).toEqual(['MISS', 'HIT']);
      for (const res of [miss, hit]) {
        expect(res.headers.get('cache-control')).toBe('public, max-age=60');
        expect(res.headers.get('vary')).toMatch(/Accept, Authorization/);
        expect(JSON.parse(res.body).extensions.rateLimit).toBeUndefined();
      }
      expect(hit.body).toBe(miss.body);
      expect(Number(hit.headers.get('x-ratelimit-remaining'))).toBeLessThan(
        Number(miss.headers.get('x-ratelimit-remaining')),
      );
    } finally {
      await limited.close();
    }
  });

  it('says no-store on a cached answer refused for the caller’s spent budget', async () => {
    const limited = await startApi({ limits: { rateLimit: { addressRequests: 0, publicPoints: 60 } } });
    try {
      const query = `${EVENTS.slice(0, -1)} spent: __typename }`;
      const answers = [];
      for (let i = 0; i < 30; i++) {
        const res = await ask(limited, { query });
        answers.push(res);
        if (res.status === 429) break;
      }
      const refused = answers.at(-1)!;
      expect(refused.status).toBe(429);
      expect(refused.headers.get(CACHE_HEADER)).toBe('HIT');
      expect(refused.headers.get('cache-control')).toBe('no-store');
    } finally {
      await limited.close();
    }
  });

  it('says public on a persisted-query GET of the public', async () => {
    const hash = createHash('sha256').update(EVENTS).digest('hex');
    expect((await ask(api, { query: EVENTS, hash })).status).toBe(200);
    const got = await ask(api, { hash, method: 'GET' });
    expect(got.status).toBe(200);
    expect(JSON.parse(got.body).data.events.totalCount).toBeGreaterThan(0);
    expect(got.headers.get('cache-control')).toBe('public, max-age=60');
  });

  it('says no-store on a key holder’s answer, an answer with an error, and a query the cache never keeps', async () => {
    const keyed = await ask(api, { query: EVENTS, key: keys.analyst });
    const failed = await ask(api, { query: '{ kpiSummary(year: 2023, agency: "nope") { year } }' });
    const live = await ask(api, { query: '{ serverInfo { version } }' });
    expect(JSON.parse(failed.body).errors).toHaveLength(1);
    for (const res of [keyed, failed, live]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });
});

describe('viewer and rateLimit', () => {
  it('tell the public and a key holder their role and their budget, as the headers do', async () => {
    const limited = await startApi();
    try {
      const query = '{ viewer { id role keyName } rateLimit { scope cost limit remaining resetAt } }';
      const pub = await limited.gql(query);
      expect(pub.data.viewer).toEqual({ id: expect.any(String), role: 'PUBLIC', keyName: null });
      expect(pub.data.rateLimit).toMatchObject({ scope: 'address', cost: expect.any(Number) });
      expect(String(pub.data.rateLimit.remaining)).toBe(pub.headers.get('x-ratelimit-remaining'));
      expect(String(pub.data.rateLimit.limit)).toBe(pub.headers.get('x-ratelimit-limit'));
      const analyst = await limited.gql(query, undefined, keys.analyst);
      expect(analyst.data.viewer).toMatchObject({ role: 'ANALYST', keyName: 'test analyst' });
      expect(analyst.data.viewer.id).not.toBe(pub.data.viewer.id);
      expect(analyst.data.rateLimit.scope).toBe('key');
    } finally {
      await limited.close();
    }
  });
});

describe('event search', () => {
  it('finds events by words of the title, venue or description, case ignored, with wildcards taken literally', async () => {
    await makeEvent({
      title: 'Temu Bisnis Kopi Nusantara',
      venue: 'Balai Kota',
      description: 'Kopi dan teh',
    });
    await makeEvent({ title: 'Pameran 100% Produk Lokal', venue: 'JIExpo' });
    await makeEvent({ title: 'Business Matching Alat Kesehatan', venue: 'Gedung_Teknis' });
    const titles = async (search: string) =>
      (
        await api.gql(
          'query ($s: String) { events(first: 50, filter: { search: $s }) { edges { node { title } } } }',
          {
            s: search,
          },
        )
      ).data.events.edges.map((e: { node: { title: string } }) => e.node.title);
    expect(await titles('kopi')).toEqual(['Temu Bisnis Kopi Nusantara']);
    expect(await titles('BALAI kopi')).toEqual(['Temu Bisnis Kopi Nusantara']);
    expect(await titles('jiexpo')).toEqual(['Pameran 100% Produk Lokal']);
    expect(await titles('100%')).toEqual(['Pameran 100% Produk Lokal']);
    expect(await titles('%')).toEqual(['Pameran 100% Produk Lokal']);
    expect(await titles('_')).toEqual(['Business Matching Alat Kesehatan']);
    expect(await titles('kopi jiexpo')).toEqual([]);
  });
});
