// Persisted queries over HTTP: the automatic persisted query round trip (cached in Redis, shared by
// API processes), and an API process in allow-list mode that runs only the manifest's operations
// (the dashboard's) and refuses anything else with a typed error before executing it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse, validate } from 'graphql';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import {
  buildManifest,
  DEFAULT_MANIFEST,
  loadManifest,
  NOT_IN_LIST,
  NOT_IN_SAFELIST,
  operationId,
  RedisQueryCache,
  refusal,
} from '../../src/api/persisted-queries.js';
import { closeDb } from '../../src/lib/db.js';
import { ConfigError } from '../../src/lib/errors.js';
import { schema } from '../../src/schema/index.js';
import * as dashboardQueries from '../../web/src/queries.js';
import { type Api, type Json, startApi } from '../factories/api.js';
import { createTestDatabase } from '../helpers/db.js';
import { freePort, type Spawned, spawnEntry, waitForHttp } from '../helpers/process.js';
import { flushTestPrefix } from '../helpers/redis.js';

const QUERY = 'query PersistedProbe { fiscalTargets { fiscalYear } }';
const HASH = operationId(QUERY);
const persisted = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

async function post(url: string, body: Record<string, unknown>): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function get(url: string, params: Record<string, unknown>): Promise<{ status: number; body: Json }> {
  const search = new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );
  // Apollo's CSRF prevention wants a header a browser would not send on a simple request.
  const res = await fetch(`${url}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
  return { status: res.status, body: await res.json() };
}

const dashboardOperations = () =>
  Object.entries(dashboardQueries)
    .filter(([name, value]) => name.endsWith('_QUERY') && typeof value === 'string')
    .map(([, value]) => value as string);

let api: Api;
let allowList: Spawned;
let allowListUrl: string;

beforeAll(async () => {
  await createTestDatabase();
  const port = await freePort();
  allowListUrl = `http://127.0.0.1:${port}`;
  allowList = spawnEntry('src/api/main.ts', {
    PORT: String(port),
    HOST: '127.0.0.1',
    GRAPHQL_ALLOWLIST: 'true',
  });
  api = await startApi();
  // A process that fails to start says why at once instead of a time-out.
  const died = allowList.exited.then(({ code }) =>
    Promise.reject(new Error(`the allow-list API exited (${code}): ${allowList.output().stderr}`)),
  );
  died.catch(() => {}); // the race below reports it; the exit at afterAll is expected
  await Promise.race([waitForHttp(`${allowListUrl}/healthz`, 50_000), died]);
});
afterAll(async () => {
  allowList?.child.kill('SIGTERM');
  await allowList?.exited;
  await api?.close();
  await flushTestPrefix();
  await closeDb();
});

describe('automatic persisted queries', () => {
  it('answers an unknown hash with PersistedQueryNotFound, registers it with the text, then runs it by hash alone', async () => {
    const unknown = await post(api.url, { extensions: persisted(HASH) });
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({
        message: 'PersistedQueryNotFound',
        extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_FOUND' }),
      }),
    ]);
    expect(unknown.body.data).toBeUndefined();

    const registered = await post(api.url, { query: QUERY, extensions: persisted(HASH) });
    expect(registered.status).toBe(200);
    expect(registered.body.errors).toBeUndefined();
    expect(registered.body.data).toEqual({ fiscalTargets: expect.any(Array) });

    // Apollo writes the cache without awaiting it; the next request may come first.
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const key = `${process.env.REDIS_PREFIX}:apq:${HASH}`;
      for (let i = 0; i < 50 && !(await redis.exists(key)); i++) await new Promise((r) => setTimeout(r, 20));
      // In Redis under this deployment's prefix, so every API process of it finds the query.
      expect(await redis.get(key)).toBe(QUERY);
      expect(await redis.ttl(key)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }

    const byHash = await post(api.url, { extensions: persisted(HASH) });
    const byGet = await get(api.url, { extensions: persisted(HASH) });
    for (const res of [byHash, byGet]) {
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data).toEqual(registered.body.data);
    }
  });

  it('refuses a hash that is not the text’s and stores nothing under it', async () => {
    const wrong = operationId('query Other { __typename }');
    const res = await post(api.url, { query: QUERY, extensions: persisted(wrong) });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toBe('provided sha does not match query');
    const again = await post(api.url, { extensions: persisted(wrong) });
    expect(again.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('bounded registration of persisted queries', () => {
  const stored = async (hash: string) => {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      // Apollo writes without awaiting: give it a moment.
      await new Promise((r) => setTimeout(r, 50));
      return (await redis.exists(`${process.env.REDIS_PREFIX}:apq:${hash}`)) === 1;
    } finally {
      redis.disconnect();
    }
  };

  it('runs a query padded past GRAPHQL_APQ_MAX_BYTES but does not store it', async () => {
    const padded = `query Padded { __typename }${' '.repeat(20_000)}`;
    const res = await post(api.url, { query: padded, extensions: persisted(operationId(padded)) });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ __typename: 'Query' });
    expect(await stored(operationId(padded))).toBe(false);
    const byHash = await post(api.url, { extensions: persisted(operationId(padded)) });
    expect(byHash.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('stores at most GRAPHQL_APQ_ADDRESS_REGISTRATIONS queries per address per window, running the others', async () => {
    const texts = Array.from({ length: 101 }, (_, i) => `query Flood${i} { __typename }`);
    for (const text of texts) {
      const res = await post(api.url, { query: text, extensions: persisted(operationId(text)) });
      expect(res.status).toBe(200);
    }
    expect(await stored(operationId(texts[0]!))).toBe(true);
    expect(await stored(operationId(texts[100]!))).toBe(false);
    // The same over GET, where Apollo reads the parameters from the URL.
    const viaGet = 'query FloodGet { __typename }';
    const res = await get(api.url, { query: viaGet, extensions: persisted(operationId(viaGet)) });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ __typename: 'Query' });
    expect(await stored(operationId(viaGet))).toBe(false);
  });

  it('keeps at most maxEntries queries in Redis, evicting the least recently used', async () => {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const prefix = `${process.env.REDIS_PREFIX}:lru-probe:`;
    const cache = new RedisQueryCache(redis, prefix, { maxEntries: 3 });
    try {
      for (const k of ['a', 'b', 'c']) await cache.set(k, k, { ttl: 60 });
      expect(await cache.get('a')).toBe('a'); // now b is the least recently used
      await cache.set('d', 'd', { ttl: 60 });
      expect(await cache.get('b')).toBeUndefined();
      for (const k of ['a', 'c', 'd']) expect(await cache.get(k)).toBe(k);
      expect(await redis.zcard(`${prefix}apq-index`)).toBe(3);
    } finally {
      redis.disconnect();
    }
  });
});

describe('allow-list mode', () => {
  it('runs the dashboard’s operations, by their text as the dashboard sends them or by hash alone', async () => {
    const byText = await post(allowListUrl, {
      operationName: 'DashboardFilters',
      query: dashboardQueries.FILTERS_QUERY,
      variables: {},
    });
    expect(byText.status).toBe(200);
    expect(byText.body.errors).toBeUndefined();
    expect(byText.body.data).toEqual({
      fiscalTargets: expect.any(Array),
      agencies: { edges: expect.any(Array) },
    });

    const byHash = await post(allowListUrl, {
      variables: { year: 2024 },
      extensions: persisted(operationId(dashboardQueries.PROGRAMME_QUERY)),
    });
    expect(byHash.status).toBe(200);
    expect(byHash.body.errors).toBeUndefined();
    expect(byHash.body.data).toBeTruthy();
  });

  it('refuses an unregistered subscription over graphql-ws with the same typed error', async () => {
    const client = createClient({
      url: `${allowListUrl.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    try {
      const errors = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription { kpiRefreshed { version } }' },
          { next: () => resolve('delivered'), error: resolve, complete: () => resolve('completed') },
        );
      });
      expect(errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: NOT_IN_SAFELIST }) }),
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('refuses any other operation with a typed error, whether sent as text, by hash or by GET', async () => {
    const introspection = await post(allowListUrl, { query: '{ __schema { types { name } } }' });
    // The dashboard's query with one character changed is another operation.
    const edited = await post(allowListUrl, { query: `${dashboardQueries.FILTERS_QUERY} ` });
    const byHash = await post(allowListUrl, { extensions: persisted(HASH) });
    const registering = await post(allowListUrl, { query: QUERY, extensions: persisted(HASH) });
    const byGet = await get(allowListUrl, { query: QUERY });
    for (const res of [introspection, edited, registering, byGet]) {
      expect(res.status).toBe(400);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors).toEqual([
        {
          message: 'this operation is not registered: this server runs only the operations of its allow-list',
          extensions: { code: NOT_IN_SAFELIST, operationId: expect.stringMatching(/^[0-9a-f]{64}$/) },
        },
      ]);
    }
    expect(byHash.status).toBe(400);
    expect(byHash.body.errors).toEqual([
      {
        message: `the persisted operation ${HASH} is not registered: this server runs only the operations of its allow-list`,
        extensions: { code: NOT_IN_LIST, operationId: HASH },
      },
    ]);
    // Still unknown afterwards: a refused text is never registered.
    expect((await post(allowListUrl, { extensions: persisted(HASH) })).body.errors[0].extensions.code).toBe(
      NOT_IN_LIST,
    );
  });
});

describe('the operations manifest', () => {
  it('holds exactly the dashboard’s current operations, each valid against the schema', () => {
    const committed = JSON.parse(readFileSync(DEFAULT_MANIFEST, 'utf8'));
    expect(committed).toEqual(buildManifest(dashboardOperations()));
    expect(committed.operations.map((op: { name: string }) => op.name)).toEqual([
      'DashboardFilters',
      'DashboardOverview',
      'DashboardProgramme',
      'DashboardRanking',
    ]);
    for (const op of committed.operations) expect(validate(schema, parse(op.body))).toEqual([]);
  });

  it('gives other transports (subscriptions) the same verdict as the HTTP guard', () => {
    const bodies = loadManifest(DEFAULT_MANIFEST);
    expect(refusal(bodies, { query: dashboardQueries.RANKING_QUERY })).toBeNull();
    expect(
      refusal(bodies, { extensions: persisted(operationId(dashboardQueries.OVERVIEW_QUERY)) }),
    ).toBeNull();
    expect(refusal(bodies, { query: 'subscription Live { __typename }' })?.extensions.code).toBe(
      NOT_IN_SAFELIST,
    );
    expect(refusal(bodies, { extensions: JSON.stringify(persisted(HASH)) })?.extensions).toEqual({
      code: NOT_IN_LIST,
      operationId: HASH,
    });
  });

  it('is refused at start when an id is not its operation’s hash', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bisma-manifest-')), 'operations.json');
    const manifest = buildManifest([QUERY]);
    manifest.operations[0]!.id = operationId('query Forged { __typename }');
    writeFileSync(file, JSON.stringify(manifest));
    expect(() => loadManifest(file)).toThrow(ConfigError);
    expect(() => loadManifest(file)).toThrow(
      /operation PersistedProbe has an id that is not its body's SHA-256/,
    );
  });
});
