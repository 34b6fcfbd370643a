// The response cache's content version moves with every write to the content it covers, whoever
// writes it: a cached answer is not served after a write by the CLI (another process) or by a job
// (the worker's processors), not only after the API's own mutations. The API holds the version in
// memory from the trigger's NOTIFY; while its listener is down it reads the row per request.

import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Job } from 'bullmq';
import type { Api, Json } from '../factories/api.js';

// The cache is off by default under NODE_ENV=test; the feed is the simulator started below. Both
// are set before anything reads the configuration (hence the dynamic imports).
const KLPD = 'D999';
process.env.RESPONSE_CACHE = 'true';
process.env.FEED_KLPD = KLPD;
process.env.INGEST_AGENCIES = 'true';
const { startFeedSimulator } = await import('../../src/demo/simulator.js');
const sim = await startFeedSimulator({ klpd: KLPD });
process.env.FEED_URL = sim.url;
const { createTestDatabase } = await import('../helpers/db.js');
const { flushTestPrefix } = await import('../helpers/redis.js');
const { spawnEntry } = await import('../helpers/process.js');
const { startApi } = await import('../factories/api.js');
const { closeDb, pool } = await import('../../src/lib/db.js');
const { CACHE_HEADER } = await import('../../src/api/response-cache.js');
const { createProducer } = await import('../../src/jobs/producer.js');
const { ensureSources, listSources } = await import('../../src/services/ingest/sources.js');
const { requestRun } = await import('../../src/services/ingest/runs.js');
const { CONTENT_VERSION_CHANNEL, contentVersions, readContentVersion } = await import(
  '../../src/services/content-version.js'
);
const { contentVersionNotified } = await import('../helpers/content-version.js');
const { createProcessors } = await import('../../src/worker/processors.js');
const { cacheableRootFields } = await import('../../src/schema/cacheable.js');
const { schema } = await import('../../src/schema/index.js');

const AGENCIES = `{ agencies(first: 100) { totalCount edges { node { code name } } } }`;

let api: Api;
const queue = createProducer();

async function agencies(): Promise<{ cache: string | null; totalCount: number; codes: string[] }> {
  const res = await api.gql(AGENCIES);
  const connection = res.data.agencies as Json;
  return {
    cache: res.headers.get(CACHE_HEADER),
    totalCount: connection.totalCount,
    codes: connection.edges.map((e: Json) => e.node.code),
  };
}

/** Reads the agencies until the answer is a cache hit (the first read stores it). */
async function cachedAgencies() {
  await agencies();
  const hit = await agencies();
  expect(hit.cache).toBe('HIT');
  return hit;
}

beforeAll(async () => {
  await createTestDatabase();
  await ensureSources();
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
  await queue.close();
  await sim.close();
  await flushTestPrefix();
  await closeDb();
});

describe('the cacheable root fields', () => {
  it('are the read-mostly fields marked where they are defined, and none the worker writes', () => {
    expect([...cacheableRootFields(schema)].sort()).toEqual(
      [
        '__typename',
        'agencies',
        'agencyRanking',
        'deals',
        'events',
        'exhibitors',
        'fiscalTargets',
        'kpiBreakdown',
        'kpiSeries',
        'kpiSummary',
        'kpiTargetPhases',
        'programmeKpis',
      ].sort(),
    );
  });
});

describe('the content version', () => {
  it('moves once per committed write, not on a rolled-back one nor on a read', async () => {
    const before = await readContentVersion();
    await pool.query(`INSERT INTO agency (code, name, updated_at) VALUES ('CV.1', 'Dinas Versi', now())`);
    const afterInsert = await readContentVersion();
    expect(BigInt(afterInsert)).toBe(BigInt(before) + 1n);

    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE agency SET name = 'Dinas Versi Dua' WHERE code = 'CV.1'`);
      await client.query(`INSERT INTO agency (code, name, updated_at) VALUES ('CV.2', 'Dinas Lain', now())`);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query(`UPDATE agency SET name = 'Dinas Versi Tiga' WHERE code = 'CV.1'`);
      await client.query(`INSERT INTO agency (code, name, updated_at) VALUES ('CV.3', 'Dinas Tiga', now())`);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await pool.query('SELECT * FROM agency');
    // The rolled-back transaction moved nothing; the committed one of two writes moved it once.
    expect(BigInt(await readContentVersion())).toBe(BigInt(afterInsert) + 1n);
  });
});

describe('a cached answer', () => {
  it('is not served after the CLI writes the content it covers (a file import of agencies)', async () => {
    const cached = await cachedAgencies();
    expect(cached.codes).not.toContain('SK.05');

    const cli = spawnEntry('src/cli/bisma.ts', {}, [
      'ingest',
      'file',
      'test/fixtures/feed-examples/rup-master-satker.json',
      '--dataset',
      'master-satker',
      '--klpd',
      'D228',
      '--year',
      '2023',
      '--as-of',
      '2023-06-30',
    ]);
    const { code } = await cli.exited;
    expect({ code, stderr: cli.output().stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    await contentVersionNotified();

    const fresh = await agencies();
    expect(fresh.cache).toBe('MISS');
    expect(fresh.codes).toContain('SK.05');
    expect(fresh.totalCount).toBeGreaterThan(cached.totalCount);
  });

  it('is not served after a job writes the content it covers (an ingest run of the agency list)', async () => {
    const cached = await cachedAgencies();
    const source = (await listSources()).find((s) => s.dataset === 'rup/master-satker')!;
    const run = await requestRun({ sourceKey: source.key });
    const processors = createProcessors({ producer: queue.producer, shutdown: new AbortController().signal });
    const job = {
      id: `run.${run.id}`,
      name: 'run',
      data: { runId: run.id },
      timestamp: Date.now(),
      attemptsMade: 0,
      opts: { attempts: 1 },
      updateProgress: async () => undefined,
    };
    const result = (await processors.ingest(job as unknown as Job)) as { status: string };
    expect(result.status).toBe('SUCCEEDED');
    await contentVersionNotified();

    const fresh = await agencies();
    expect(fresh.cache).toBe('MISS');
    expect(fresh.totalCount).toBeGreaterThan(cached.totalCount);
  });
});

/** Runs one statement through psql: a writer that is neither the API nor Node. */
async function psql(sql: string): Promise<void> {
  const child = spawn('psql', [process.env.DATABASE_URL!, '-v', 'ON_ERROR_STOP=1', '-qc', sql], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
}

async function listenerPid(): Promise<number | undefined> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'bisma content-version listener'`,
  );
  return rows[0]?.pid;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the in-memory content version', () => {
  it('is announced by the trigger at commit with the version it moved to', async () => {
    const listener = await pool.connect();
    try {
      const heard: string[] = [];
      listener.on('notification', (m) => {
        if (m.channel === CONTENT_VERSION_CHANNEL) heard.push(m.payload ?? '');
      });
      await listener.query(`LISTEN ${CONTENT_VERSION_CHANNEL}`);
      await pool.query(`UPDATE agency SET name = 'Dinas Diumumkan' WHERE code = 'CV.1'`);
      const moved = await readContentVersion();
      await until('the notification arrives', () => heard.length > 0);
      expect(heard).toEqual([moved]);
    } finally {
      await listener.query(`UNLISTEN ${CONTENT_VERSION_CHANNEL}`);
      listener.release();
    }
  });

  it('turns a hit into a miss when psql writes, once the notification has arrived', async () => {
    await until('the API listens', () => contentVersions.listening);
    const cached = await cachedAgencies();
    expect(cached.codes).not.toContain('PSQL.1');
    const before = BigInt(await contentVersions.version());

    await psql(`INSERT INTO agency (code, name, updated_at) VALUES ('PSQL.1', 'Dinas dari psql', now())`);
    // Only the notification moves the memory this soon: nothing in this process read or wrote the
    // row, and the listener's own read of it (its heartbeat) comes every 5 s.
    await until(
      'the notification moves the version in memory',
      async () => BigInt(await contentVersions.version()) > before,
      2_000,
    );
    expect(await contentVersions.version()).toBe(await readContentVersion());
    expect(contentVersions.listening).toBe(true);

    const fresh = await agencies();
    expect(fresh.cache).toBe('MISS');
    expect(fresh.codes).toContain('PSQL.1');
  });

  it('catches up within its heartbeat when a move of the version is never announced', async () => {
    await until('the API listens', () => contentVersions.listening);
    const cached = await cachedAgencies();
    // No trigger moves this one, so no notification is sent: as if one had been lost.
    const { rows } = await pool.query<{ version: string }>(
      'UPDATE content_version SET version = version + 1 RETURNING version::text AS version',
    );
    const moved = rows[0]!.version;
    await until(
      'the heartbeat reads the moved version',
      async () => (await contentVersions.version()) === moved,
      8_000,
    );
    expect(contentVersions.listening).toBe(true);
    const fresh = await agencies();
    expect(fresh.cache).toBe('MISS');
    expect(fresh.codes).toEqual(cached.codes);
  });

  it('reads the version per request while the listener is down, and listens again after', async () => {
    await until('the API listens', () => contentVersions.listening);
    const cached = await cachedAgencies();
    expect(cached.codes).not.toContain('DOWN.1');

    const pid = await listenerPid();
    expect(pid).toBeDefined();
    await pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await until('the API sees its listener gone', () => !contentVersions.listening);

    // Nobody hears this write's notification: only the per-request read can see it.
    await pool.query(`INSERT INTO agency (code, name, updated_at) VALUES ('DOWN.1', 'Dinas Sunyi', now())`);
    const whileDown = await agencies();
    expect(contentVersions.listening).toBe(false);
    expect(whileDown.cache).toBe('MISS');
    expect(whileDown.codes).toContain('DOWN.1');
    expect((await agencies()).cache).toBe('HIT');

    // Back: a new connection listens, reads the row, and notifications move the version again.
    await until('the listener is back', () => contentVersions.listening);
    expect(await listenerPid()).not.toBe(pid);
    expect(await contentVersions.version()).toBe(await readContentVersion());
    await psql(`UPDATE agency SET name = 'Dinas Bersuara' WHERE code = 'DOWN.1'`);
    await contentVersionNotified();
    const afterBack = await agencies();
    expect(afterBack.cache).toBe('MISS');
  });
});
