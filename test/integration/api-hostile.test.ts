// Hostile requests over real HTTP: each limit refuses its query with a clear code before it runs,
// the server keeps answering other callers meanwhile, slow work is cut off by the query deadline
// and by PostgreSQL's statement_timeout, production answers carry no stack, and Apollo's CSRF
// prevention refuses requests a browser could send cross-site without a preflight.

import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { prisma } from '../../src/lib/db.js';
import { createApiKey } from '../../src/services/api-keys.js';
import { type Api, startApi } from '../factories/api.js';
import { makeEvent, makeExhibitor, register } from '../factories/data.js';
import { openSocket } from '../factories/ws.js';
import { apiTestFile } from '../helpers/api-file.js';
import { freePort, type Spawned, spawnEntry, waitForHttp } from '../helpers/process.js';

const { api, keys } = apiTestFile({
  seed: async () => {
    const event = await makeEvent();
    for (let i = 0; i < 3; i++) await register(event.id, (await makeExhibitor()).id);
  },
});

/** Fans out: events → participations → exhibitors → participations → events. */
const fanOut = (first: number) =>
  `{ events(first: ${first}) { edges { node { participations { exhibitor { participations { event { title } } } } } } } }`;
const deep = `{ events { edges { node { participations { exhibitor { participations { event {
  participations { exhibitor { participations { event { participations { exhibitor { name } } } } } } } } } } } } } }`;

/** Each hostile query, what it is refused with, and its HTTP status. */
const hostile: Array<{ name: string; query: string; code: string }> = [
  { name: 'deeper than 12 levels', query: deep, code: 'QUERY_TOO_COMPLEX' },
  { name: 'whose list sizes multiply past the cost limit', query: fanOut(100), code: 'QUERY_TOO_COMPLEX' },
  {
    name: 'selecting more than 300 fields',
    query: `{ ${'__typename '.repeat(301)}}`,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'with more than 50 aliases',
    query: `{ ${Array.from({ length: 51 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
    code: 'TOO_MANY_ALIASES',
  },
  {
    name: 'with more than 50 directives',
    query: `{ ${'__typename @include(if: true) '.repeat(51)}}`,
    code: 'TOO_MANY_DIRECTIVES',
  },
  {
    name: 'of more than 10 000 tokens',
    query: `{ ${'__typename '.repeat(10_001)}}`,
    code: 'QUERY_TOO_LARGE',
  },
];

describe('hostile queries', () => {
  it.each(hostile)(
    'refuses a query $name with $code and HTTP 400, running nothing',
    async ({ query, code }) => {
      const res = await api.gql(query);
      expect(res.status).toBe(400);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual([code]);
      expect(res.data).toBeUndefined();
    },
  );

  it('measures the cost from page sizes: the same fan-out passes with 5 events and is refused with 100', async () => {
    const small = await api.gql(fanOut(5));
    expect(small.errors).toBeUndefined();
    expect(small.data.events.edges.length).toBeGreaterThan(0);
    const big = await api.gql(fanOut(100));
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 20_000 });
    expect(big.errors?.[0]?.extensions?.cost).toBeGreaterThan(20_000);
  });

  it('refuses a body over the size limit with 413 REQUEST_TOO_LARGE, as a GraphQL error', async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(1024 * 1024) } }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('REQUEST_TOO_LARGE');
  });

  it('refuses malformed JSON with 400 BAD_REQUEST, as a GraphQL error', async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": "{ __typename }"',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('keeps answering ordinary queries while hostile ones are refused at the same time', async () => {
    const ordinary = '{ exhibitors(first: 5) { totalCount edges { node { name } } } }';
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0 ? api.gql(hostile[(i / 2) % hostile.length]!.query) : api.gql(ordinary),
      ),
    );
    results.forEach((res, i) => {
      if (i % 2 === 0) expect(res.status).toBe(400);
      else {
        expect(res.errors).toBeUndefined();
        expect(res.data.exhibitors.totalCount).toBe(3);
      }
    });
  });
});

/** Holds an exclusive lock on a table until released (once), so any statement reading it waits. */
async function lockTable(table: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    await client.query('COMMIT');
    await client.end();
  };
}

/** One operation over HTTP or over graphql-ws, as the public. */
type Transport = 'http' | 'ws';
async function runOver(target: Api, via: Transport, query: string) {
  if (via === 'http') return target.gql(query);
  const socket = openSocket(target);
  try {
    return await socket.run(query);
  } finally {
    await socket.close();
  }
}

describe.each<Transport>(['http', 'ws'])('query deadline over %s', (via) => {
  it('answers QUERY_TIMEOUT at the deadline while a field still waits, and serves other queries meanwhile', async () => {
    const quick = await startApi({ limits: { queryTimeoutMs: 300 } });
    const release = await lockTable('event');
    try {
      const began = Date.now();
      // The event table is locked, so the query waits at its first field until the deadline.
      const slow = runOver(quick, via, '{ events(first: 5) { edges { node { title } } } }');
      const other = await runOver(quick, via, '{ exhibitors(first: 1) { totalCount } }');
      expect(other.errors).toBeUndefined();
      expect(other.data.exhibitors.totalCount).toBe(3);
      const res = await slow;
      // Answered while the lock is still held: the deadline stopped it, not the lock's end.
      expect(Date.now() - began).toBeLessThan(3_000);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TIMEOUT']);
      expect(res.errors?.[0]?.extensions?.timeoutMs).toBe(300);
      expect(res.data).toEqual({ events: null });
    } finally {
      await release();
      await quick.close();
    }
  });

  it('stops a list whose items wait past the deadline with one QUERY_TIMEOUT, not one per item', async () => {
    const quick = await startApi({ limits: { queryTimeoutMs: 300 } });
    // Exhibitors read at once; each one's participations wait on the locked table.
    const release = await lockTable('participation');
    try {
      const res = await runOver(
        quick,
        via,
        '{ exhibitors(first: 3) { edges { node { name participations { event { title } } } } } }',
      );
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TIMEOUT']);
    } finally {
      await release();
      await quick.close();
    }
  });

  it('answers a mutation that started before the deadline with its result once its write is done, and starts no write after it', async () => {
    const quick = await startApi({ limits: { queryTimeoutMs: 300 } });
    const release = await lockTable('event');
    try {
      const title = `Deadline ${via}`;
      const create = (alias: string, batch: number, name: string) =>
        `${alias}: createEvent(input: { batchNumber: ${batch}, title: "${name}", venue: "Balai Kota",
          startDate: "2031-02-13", endDate: "2031-02-16" }) {
          __typename ... on MutationCreateEventSuccess { data { title } } }`;
      const batch = via === 'http' ? 91 : 93;
      const mutation = `mutation { ${create('a', batch, title)} ${create('b', batch + 1, `${title} later`)} }`;
      const answer = (async () => {
        if (via === 'http') return quick.gql(mutation, {}, keys.admin);
        const socket = openSocket(quick, { authorization: `Bearer ${keys.admin}` });
        try {
          return await socket.run(mutation);
        } finally {
          await socket.close();
        }
      })();
      // The first insert waits on the lock well past the deadline, then commits.
      await new Promise((r) => setTimeout(r, 800));
      await release();
      const res = await answer;
      expect(res.data.a).toEqual({ __typename: 'MutationCreateEventSuccess', data: { title } });
      // The second write would have started after the deadline: it did not run, and says so.
      expect(res.data.b).toBeNull();
      expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['b'], 'QUERY_TIMEOUT']]);
      expect(await prisma.event.count({ where: { title } })).toBe(1);
      expect(await prisma.event.count({ where: { title: `${title} later` } })).toBe(0);
    } finally {
      await release();
      await quick.close();
    }
  });

  it('stops fields that have not started once the deadline has passed, running none of them', async () => {
    const quick = await startApi({ limits: { queryTimeoutMs: 1 } });
    try {
      const ids = Array.from(
        { length: 100 },
        (_, i) => `"${Buffer.from(`Event:${1_000_000 + i}`).toString('base64')}"`,
      );
      const res = await runOver(
        quick,
        via,
        `{ a: nodes(ids: [${ids.join(',')}]) { id } b: events(first: 100) { edges { node { title participations { exhibitor { name } } } } } }`,
      );
      // Whatever was left when the deadline passed is one QUERY_TIMEOUT, not one error per field.
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TIMEOUT']);
    } finally {
      await quick.close();
    }
  });
});

describe('a production API process', () => {
  let proc: Spawned;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    proc = spawnEntry('src/api/main.ts', {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DB_STATEMENT_TIMEOUT_MS: '300',
      LOG_LEVEL: 'error',
    });
    url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthz`);
  }, 30_000);
  afterAll(async () => {
    proc?.child.kill('SIGTERM');
    await proc?.exited;
  });

  const post = async (body: unknown, key?: string) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  };

  it('cancels a statement past statement_timeout and answers QUERY_TIMEOUT, then serves again', async () => {
    const release = await lockTable('exhibitor');
    let res: { status: number; text: string };
    try {
      res = await post({ query: '{ exhibitors(first: 1) { totalCount } }' });
    } finally {
      await release();
    }
    expect(JSON.parse(res.text).errors[0].extensions.code).toBe('QUERY_TIMEOUT');
    const after = JSON.parse((await post({ query: '{ exhibitors(first: 1) { totalCount } }' })).text);
    expect(after.data.exhibitors.totalCount).toBe(3);
  });

  it('masks an unexpected failure as INTERNAL_SERVER_ERROR with no stack, message or SQL in any answer', async () => {
    await prisma.$executeRawUnsafe('ALTER TABLE "exhibitor" RENAME COLUMN "sector" TO "sector_gone"');
    let failed: { status: number; text: string };
    try {
      failed = await post({ query: '{ exhibitors(first: 1) { edges { node { sector } } } }' }, keys.analyst);
    } finally {
      await prisma.$executeRawUnsafe('ALTER TABLE "exhibitor" RENAME COLUMN "sector_gone" TO "sector"');
    }
    const body = JSON.parse(failed.text);
    expect(body.errors[0]).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const others = await Promise.all([
      post({ query: '{ events { ' }),
      post({ query: '{ nope }' }),
      post({ query: '{ node(id: "garbage") { id } }' }),
      post({ query: '{ events(first: -1) { totalCount } }' }),
      post({ query: deep }),
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{',
      }).then(async (r) => ({ status: r.status, text: await r.text() })),
    ]);
    for (const answer of [failed, ...others]) {
      expect(answer.text).not.toMatch(/stacktrace|\bat .+\.(ts|js):\d+|sector_gone|prisma|SELECT /i);
    }
  });
});

describe('CSRF prevention and introspection', () => {
  it('refuses a GET and a text/plain POST that carry no preflight-forcing header', async () => {
    const get = await fetch(`${api.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF/);
    const plain = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(plain.status).toBeGreaterThanOrEqual(400);
    expect(plain.status).toBeLessThan(500);
    const allowed = await fetch(`${api.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(allowed.status).toBe(200);
  });

  it('lets the public and analysts introspect by default', async () => {
    for (const key of [undefined, keys.analyst]) {
      const res = await api.gql('{ __schema { queryType { name } } }', undefined, key);
      expect(res.data.__schema.queryType.name).toBe('Query');
    }
  });

  it('refuses public introspection with INTROSPECTION_DISABLED when it is turned off, not analysts’', async () => {
    const closed = await startApi({ limits: { publicIntrospection: false } });
    try {
      const pub = await closed.gql('{ __type(name: "Event") { name } }');
      expect(pub.status).toBe(403);
      expect(pub.errors?.[0]?.extensions?.code).toBe('INTROSPECTION_DISABLED');
      const typename = await closed.gql('{ __typename }');
      expect(typename.data.__typename).toBe('Query');
      const analyst = await closed.gql('{ __schema { queryType { name } } }', undefined, keys.analyst);
      expect(analyst.data.__schema.queryType.name).toBe('Query');
    } finally {
      await closed.close();
    }
  });
});

describe('introspection is counted', () => {
  it('counts GraphQL’s own introspection query in cost and depth, and still runs it', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const res = await api.gql(getIntrospectionQuery());
    expect(res.errors).toBeUndefined();
    expect(res.extensions.cost.requested).toBeGreaterThan(1_000);
    expect(res.extensions.cost.depth).toBeGreaterThan(3);
  });

  it('refuses introspection nested deeper than GraphQL allows, running nothing', async () => {
    const nested = `{ __schema { types { ${'fields { type { '.repeat(7)}name${' } }'.repeat(7)} } } }`;
    const res = await api.gql(nested);
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.message).toMatch(/introspection depth|maximum depth/);
  });

  it('refuses fragments that expand to millions of selections before measuring them', async () => {
    const levels = 20;
    const fragments = Array.from(
      { length: levels },
      (_, i) =>
        `fragment F${i} on Query { ${i === 0 ? '__typename' : `...F${i - 1} a${i}: __typename ...F${i - 1}`} }`,
    ).join(' ');
    const res = await api.gql(`query { ...F${levels - 1} } ${fragments}`);
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
  });
});

describe('the same limits over graphql-ws', () => {
  it.each(hostile)(
    'refuses a query $name with $code over a socket, running nothing',
    async ({ query, code }) => {
      const socket = openSocket(api);
      try {
        // A socket message is at most 64 KiB: the same token count in short tokens.
        const res = await socket.run(code === 'QUERY_TOO_LARGE' ? `{ ${'a '.repeat(10_001)}}` : query);
        expect(res.errors?.map((e) => e.extensions?.code)).toEqual([code]);
        expect(res.data).toBeUndefined();
      } finally {
        await socket.close();
      }
    },
  );

  it('refuses nodes(ids:) of more than 100 ids over HTTP and a socket alike, reading none of them', async () => {
    const ids = Array.from({ length: 101 }, (_, i) =>
      Buffer.from(`Event:${1_000_000 + i}`).toString('base64'),
    );
    const query = `{ nodes(ids: [${ids.map((id) => `"${id}"`).join(',')}]) { id } }`;
    for (const via of ['http', 'ws'] as const) {
      const res = await runOver(api, via, query);
      expect({ via, data: res.data, codes: res.errors?.map((e) => e.extensions?.code) }).toEqual({
        via,
        data: { nodes: null },
        codes: ['BAD_USER_INPUT'],
      });
    }
  });

  it('answers an ordinary query over a socket with the same cost as over HTTP', async () => {
    const socket = openSocket(api);
    try {
      const res = await socket.run('{ events(first: 2) { edges { node { title } } } }');
      expect(res.errors).toBeUndefined();
      expect(res.data.events.edges.length).toBeGreaterThan(0);
    } finally {
      await socket.close();
    }
  });

  it('charges socket operations to the same budget: past it they are refused with RATE_LIMITED', async () => {
    const tight = await startApi({
      limits: { rateLimit: { addressRequests: 5, publicPoints: 0, keyPoints: 0 } },
    });
    const socket = openSocket(tight);
    try {
      const codes: unknown[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await socket.run('{ __typename }');
        codes.push(res.errors?.[0]?.extensions?.code ?? 'OK');
      }
      expect(codes.filter((c) => c === 'OK').length).toBeLessThanOrEqual(5);
      expect(codes).toContain('RATE_LIMITED');
      // HTTP from the same address shares the count.
      expect((await tight.gql('{ __typename }')).status).toBe(429);
    } finally {
      await socket.close();
      await tight.close();
    }
  });

  it('charges the cost budget over a socket: an operation costing more than what is left is refused', async () => {
    const tight = await startApi({
      limits: { rateLimit: { addressRequests: 0, publicPoints: 0, keyPoints: 100 } },
    });
    // A key of its own, so no earlier test has spent from its budget.
    const { key } = await createApiKey('socket budget', 'ANALYST');
    const socket = openSocket(tight, { authorization: `Bearer ${key}` });
    try {
      const costly = '{ events(first: 20) { edges { node { title } } } }';
      const first = await socket.run(costly);
      expect(first.errors).toBeUndefined();
      const second = await socket.run(costly);
      expect(second.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    } finally {
      await socket.close();
      await tight.close();
    }
  });

  it('applies API_PUBLIC_INTROSPECTION=false over a socket, not to analysts', async () => {
    const closed = await startApi({ limits: { publicIntrospection: false } });
    const pub = openSocket(closed);
    const analyst = openSocket(closed, { authorization: `Bearer ${keys.analyst}` });
    try {
      const refused = await pub.run('{ __type(name: "Event") { name } }');
      expect(refused.errors?.[0]?.extensions?.code).toBe('INTROSPECTION_DISABLED');
      const allowed = await analyst.run('{ __schema { queryType { name } } }');
      expect(allowed.data.__schema.queryType.name).toBe('Query');
    } finally {
      await pub.close();
      await analyst.close();
      await closed.close();
    }
  });

  it('caps operations at once on one socket with TOO_MANY_SUBSCRIPTIONS', async () => {
    const capped = await startApi({
      sockets: { maxConnections: 100, maxConnectionsPerAddress: 10, maxOperationsPerConnection: 2 },
    });
    const socket = openSocket(capped);
    try {
      const running = [0, 1].map(() => socket.start('subscription { kpiRefreshed { dataVersion } }'));
      // Wait until both are registered: a third then exceeds the cap.
      await new Promise((r) => setTimeout(r, 300));
      const third = await socket.run('{ __typename }');
      expect(third.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
      for (const r of running) r.stop();
      await new Promise((r) => setTimeout(r, 100));
      expect((await socket.run('{ __typename }')).data.__typename).toBe('Query');
    } finally {
      await socket.close();
      await capped.close();
    }
  });

  it('caps sockets per client address: the one past the cap is refused at the upgrade', async () => {
    const capped = await startApi({
      sockets: { maxConnections: 100, maxConnectionsPerAddress: 2, maxOperationsPerConnection: 5 },
    });
    const sockets = [0, 1, 2].map(() => openSocket(capped));
    try {
      const results = await Promise.all(sockets.map((s) => s.run('{ __typename }')));
      expect(results.filter((r) => r.data?.__typename === 'Query')).toHaveLength(2);
      expect(results.filter((r) => r.closed !== undefined)).toHaveLength(1);
    } finally {
      await Promise.all(sockets.map((s) => s.close()));
      await capped.close();
    }
  });
});

describe('HTTP/1.0 without a Host header', () => {
  /** Sends raw bytes and returns the status line of the answer. */
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const { port } = new URL(api.url);
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
      let answer = '';
      socket.on('data', (chunk) => {
        answer += chunk.toString('latin1');
      });
      socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
    });

  it.each([
    [
      'a GET of /graphql',
      'GET /graphql?query=%7B__typename%7D HTTP/1.0\r\napollo-require-preflight: 1\r\n\r\n',
    ],
    [
      'a POST of /graphql',
      'POST /graphql HTTP/1.0\r\ncontent-type: application/json\r\ncontent-length: 26\r\n\r\n{"query":"{ __typename }"}',
    ],
  ])('answers %s with 400, never 500', async (_what, request) => {
    expect(await raw(request)).toMatch(/^HTTP\/1\.[01] 400/);
  });

  it('still answers the health probe, which old load balancers send that way', async () => {
    expect(await raw('GET /healthz HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.[01] 200/);
  });
});
