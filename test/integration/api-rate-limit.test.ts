// Rate limits over real HTTP, each on its own server with a tight limit: a cost budget per API key
// and per address for the public, a request count per address, all kept in Redis (shared by API
// processes), refused with 429 RATE_LIMITED and Retry-After; with Redis gone, requests still pass.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RateLimiter } from '../../src/api/rate-limit.js';
import { closeDb } from '../../src/lib/db.js';
import { type Api, createKeys, type Keys, startApi } from '../factories/api.js';
import { makeEvent } from '../factories/data.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

let keys: Keys;
const servers: Api[] = [];

async function server(options: Parameters<typeof startApi>[0]) {
  const api = await startApi(options);
  servers.push(api);
  return api;
}

beforeAll(async () => {
  await createTestDatabase();
  keys = await createKeys();
  await makeEvent();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  // Every test starts with whole budgets.
  await flushTestPrefix();
});
afterAll(async () => {
  await closeDb();
  await flushTestPrefix();
});

/** Costs 1 + 10 × 3 = 31. */
const query = '{ events(first: 10) { edges { node { title } } } }';
const off = { addressRequests: 0, publicPoints: 0, keyPoints: 0 };

describe('cost budgets', () => {
  it('refuses the public past its per-address budget with 429, RATE_LIMITED and Retry-After', async () => {
    const api = await server({ limits: { rateLimit: { ...off, publicPoints: 100, windowSeconds: 30 } } });
    const served = [await api.gql(query), await api.gql(query), await api.gql(query)];
    expect(served.map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(['69', '38', '7']);
    const refused = await api.gql(query);
    expect(refused.status).toBe(429);
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'address' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(refused.errors?.[0]?.extensions?.retryAfterSeconds).toBe(retryAfter);
  });

  it('keeps a budget per key: one key out of budget does not stop another key or the public', async () => {
    const api = await server({ limits: { rateLimit: { ...off, keyPoints: 40, publicPoints: 1000 } } });
    expect((await api.gql(query, undefined, keys.admin)).status).toBe(200);
    const refused = await api.gql(query, undefined, keys.admin);
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'key' });
    const other = await api.gql(query, undefined, keys.analyst);
    expect(other.errors).toBeUndefined();
    expect(other.headers.get('x-ratelimit-limit')).toBe('40');
    expect(other.headers.get('x-ratelimit-remaining')).toBe('9');
    expect((await api.gql(query)).status).toBe(200);
  });

  it('refuses a query that costs more than the whole budget without running it', async () => {
    const api = await server({ limits: { rateLimit: { ...off, publicPoints: 30 } } });
    const res = await api.gql(query);
    expect(res.status).toBe(429);
    expect(res.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('shares budgets between API processes through Redis', async () => {
    const settings = { limits: { rateLimit: { ...off, publicPoints: 100 } } };
    const [a, b] = [await server(settings), await server(settings)];
    await a.gql(query);
    await b.gql(query);
    const third = await a.gql(query);
    expect(Number(third.headers.get('x-ratelimit-remaining'))).toBe(100 - 3 * 31);
    expect((await b.gql(query)).status).toBe(429);
  });
});

describe('requests per address', () => {
  it('refuses the address’s requests past the count, whatever they carry, with Retry-After', async () => {
    const api = await server({ limits: { rateLimit: { ...off, addressRequests: 3 } } });
    expect((await api.gql('{ __typename }')).status).toBe(200);
    expect((await api.gql('{ broken')).status).toBe(400);
    expect((await api.gql('{ __typename }', undefined, keys.admin)).status).toBe(200);
    for (const key of [undefined, keys.admin, 'not-a-key']) {
      const refused = await api.gql('{ __typename }', undefined, key);
      expect(refused.status).toBe(429);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'address' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // The rest of the server is not behind the GraphQL limit.
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });
});

describe('without Redis', () => {
  it('falls back to per-process counters at once instead of refusing or waiting', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, lazyConnect: true });
    dead.on('error', () => {});
    const limiter = new RateLimiter(dead, {
      windowSeconds: 60,
      addressRequests: 2,
      publicPoints: 100,
      keyPoints: 100,
    });
    try {
      const first = await limiter.charge({ address: '10.0.0.1' }, 60);
      expect(first).toMatchObject({ refused: false, budget: { remaining: 40 } });
      expect((await limiter.charge({ address: '10.0.0.1' }, 60)).refused).toBe(true);
      expect((await limiter.countRequest('10.0.0.2')).refused).toBe(false);
    } finally {
      dead.disconnect();
    }
  });
});
