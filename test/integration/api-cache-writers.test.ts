// The response cache's content version moves with every write to the content it covers, whoever
// writes it: a cached answer is not served after a write by the CLI (another process) or by a job
// (the worker's processors), not only after the API's own mutations.
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
const { readContentVersion } = await import('../../src/services/content-version.js');
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

    const fresh = await agencies();
    expect(fresh.cache).toBe('MISS');
    expect(fresh.totalCount).toBeGreaterThan(cached.totalCount);
  });
});
