// PostgreSQL restarted under read load, against a real API process and a private PostgreSQL
// cluster the test stops and starts: while it is down every read fails with DATABASE_UNAVAILABLE
// and /readyz answers 503, each answer arriving while the database is still down (nothing waits
// for it to come back); once it is back the same API process serves the same data again. A second
// API process with the response cache on listens for the content version: after the restart its
// listener connects again, and a write made then turns its cached answer into a miss.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { type PrivatePostgres, startPrivatePostgres, whenServing } from '../helpers/private-services.js';
import { freePort, type Spawned, spawnEntry, waitForHttp } from '../helpers/process.js';
import { flushTestPrefix } from '../helpers/redis.js';

const QUERY = '{ events(first: 5) { totalCount edges { node { id title exhibitorCount } } } }';
/** An admin key the API creates at start: checking it needs the database too. */
const ADMIN_KEY = 'fault-test-admin-key-0123456789';

let postgres: PrivatePostgres;
let api: Spawned;
let base: string;
/** The API process with the response cache on. */
let cached: Spawned;
let cachedBase: string;
/** Read load runs while this holds; afterAll clears it, so a failed test leaves no loop behind. */
let loading = false;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } | null;
  /** Whether PostgreSQL was fully stopped from before the request was sent until its answer came. */
  whileDown: boolean;
  ms: number;
}

/** Runs the CLI (compiled, as the test set-up built it) against the private cluster. */
function cli(command: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['dist/cli/bisma.js', command], {
    env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`bisma ${command} failed: ${result.stderr}`);
}

async function graphql(
  key?: string,
  at = base,
): Promise<Pick<Answer, 'status' | 'body' | 'retryAfter'> & { cache: string | null }> {
  const res = await fetch(`${at}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query: QUERY }),
  });
  const body = (await res.json().catch(() => null)) as Answer['body'];
  return {
    status: res.status,
    body,
    retryAfter: res.headers.get('retry-after'),
    cache: res.headers.get('x-bisma-cache'),
  };
}

beforeAll(async () => {
  postgres = await startPrivatePostgres();
  const admin = new pg.Client({ connectionString: postgres.url() });
  await admin.connect();
  await admin.query('CREATE DATABASE bisma');
  await admin.end();
  const env = { DATABASE_URL: postgres.url('bisma') };
  cli('migrate', env);
  cli('seed', env);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  api = spawnEntry('src/api/main.ts', {
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DB_POOL_MAX: '4',
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    // Every read goes to PostgreSQL (the response cache would answer some of them while it is down).
    RESPONSE_CACHE: 'false',
    LOG_LEVEL: 'warn',
  });
  await whenServing(api, `${base}/readyz`);

  const cachedPort = await freePort();
  cachedBase = `http://127.0.0.1:${cachedPort}`;
  cached = spawnEntry('src/api/main.ts', {
    ...env,
    PORT: String(cachedPort),
    HOST: '127.0.0.1',
    DB_POOL_MAX: '2',
    RESPONSE_CACHE: 'true',
    LOG_LEVEL: 'error',
  });
  await whenServing(cached, `${cachedBase}/readyz`);
});
afterAll(async () => {
  loading = false;
  for (const started of [api, cached]) {
    if (started && started.child.exitCode === null) {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  }
  await postgres?.close();
  await flushTestPrefix();
});

describe('PostgreSQL restarted while the API serves reads', () => {
  it('fails each read fast with DATABASE_UNAVAILABLE, then recovers without restarting the API', async () => {
    const before = await graphql();
    expect(before.body?.errors).toBeUndefined();
    expect(await graphql(ADMIN_KEY)).toMatchObject({ status: 200, body: { data: expect.anything() } });
    const expected = before.body?.data;
    expect((expected as { events: { totalCount: number } }).events.totalCount).toBeGreaterThan(0);

    // Read load: four clients in a loop (one with an API key), each answer tagged with the database's state.
    let phase: 'up' | 'stopping' | 'down' | 'starting' = 'up';
    let outage = 0;
    loading = true;
    const answers: Answer[] = [];
    const client = async (key?: string) => {
      while (loading) {
        const sent = phase === 'down' ? outage : -1;
        const started = performance.now();
        // A refused connection is recorded as status 0 (and fails the checks below).
        const answer = await graphql(key).catch(() => ({ status: 0, body: null, retryAfter: null }));
        const ms = performance.now() - started;
        answers.push({ ...answer, whileDown: phase === 'down' && sent === outage, ms });
      }
    };
    const load = Promise.all([client(), client(), client(), client(ADMIN_KEY)]);

    await new Promise((r) => setTimeout(r, 300));
    phase = 'stopping';
    await postgres.stop();
    outage += 1;
    phase = 'down';
    // Wait for a few complete round trips during the outage (a hanging API never gets there).
    const deadline = Date.now() + 20_000;
    while (answers.filter((a) => a.whileDown).length < 8) {
      if (Date.now() > deadline) throw new Error('reads did not come back while PostgreSQL was down');
      await new Promise((r) => setTimeout(r, 20));
    }
    const ready = await fetch(`${base}/readyz`);
    const readyBody = (await ready.json()) as { status: string; code?: string };
    phase = 'starting';
    await postgres.start();
    await waitForHttp(`${base}/readyz`);
    phase = 'up';
    await new Promise((r) => setTimeout(r, 300));
    loading = false;
    await load;

    expect(ready.status).toBe(503);
    expect(readyBody).toMatchObject({ status: 'unavailable', code: 'DATABASE_UNREACHABLE' });

    const duringOutage = answers.filter((a) => a.whileDown);
    if (process.env.FAULT_STATS)
      console.log({
        answers: answers.length,
        duringOutage: duringOutage.length,
        maxMsDuringOutage: Math.max(...duringOutage.map((a) => a.ms)),
        failed: answers.filter((a) => a.body?.errors).length,
      });
    expect(duringOutage.length).toBeGreaterThanOrEqual(8);
    const codes = (answer: Answer) => [...new Set(answer.body?.errors?.map((e) => e.extensions?.code))];
    for (const answer of duringOutage) {
      expect(codes(answer)).toEqual(['DATABASE_UNAVAILABLE']);
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toBe('1');
    }
    // Every answer is either the data or a clear DATABASE_UNAVAILABLE: nothing masked, nothing else.
    for (const answer of answers) {
      if (answer.body?.errors) expect(codes(answer)).toEqual(['DATABASE_UNAVAILABLE']);
      else expect(answer.body?.data).toEqual(expected);
    }

    // The same process serves the same data again.
    expect(api.child.exitCode).toBeNull();
    const after = await graphql();
    expect(after.status).toBe(200);
    expect(after.body?.errors).toBeUndefined();
    expect(after.body?.data).toEqual(expected);
  });

  it('has the cached API listen again after the restart: a write then turns its hit into a miss', async () => {
    const db = new pg.Client({ connectionString: postgres.url('bisma') });
    await db.connect();
    try {
      // The listener reconnects on its own (backing off while PostgreSQL was down).
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { rows } = await db.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'bisma content-version listener'`,
        );
        if (rows.length > 0) break;
        if (Date.now() > deadline) throw new Error('the content-version listener did not connect again');
        await new Promise((r) => setTimeout(r, 100));
      }
      await graphql(undefined, cachedBase);
      const hit = await graphql(undefined, cachedBase);
      expect(hit.cache).toBe('HIT');

      const { rows } = await db.query<{ id: number }>(
        `UPDATE event SET title = 'Judul Sesudah Restart'
          WHERE id = (SELECT id FROM event WHERE status IN ('PUBLISHED', 'DONE')
                       ORDER BY start_date, id LIMIT 1) RETURNING id`,
      );
      expect(rows).toHaveLength(1);
      // A miss with the new title once the notification has arrived (milliseconds; bounded here).
      let fresh = await graphql(undefined, cachedBase);
      const until = Date.now() + 2_000;
      while (fresh.cache === 'HIT' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 10));
        fresh = await graphql(undefined, cachedBase);
      }
      expect(fresh.cache).toBe('MISS');
      expect(JSON.stringify(fresh.body?.data)).toContain('Judul Sesudah Restart');
    } finally {
      await db.end();
    }
  });
});
