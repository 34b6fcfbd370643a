// /metrics after real traffic: GraphQL operations timed by name and errors counted by code on the
// API; an ingest run queued by the API and run by a real worker process shows up as job durations
// and rows per source on the worker's own /metrics, and as queue depths, the data version and the
// snapshot age on the API's. Scrapes need the metrics token or an admin key.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Api, Keys } from '../factories/api.js';
import { freePort, type Spawned, spawnEntry, waitFor, waitForOutput } from '../helpers/process.js';
import { parseMetrics, type Sample, sampleValue } from '../helpers/prometheus.js';

// Read once, at the first use of the configuration: set before any module that reads it loads.
const METRICS_TOKEN = 'metrics-token-for-ops-test-0123456789';
process.env.METRICS_TOKEN = METRICS_TOKEN;
const { closeDb, pool } = await import('../../src/lib/db.js');
const { startFeedSimulator } = await import('../../src/demo/simulator.js');
const { loadDemoData } = await import('../../src/demo/seed.js');
const { sourceKey } = await import('../../src/services/ingest/sources.js');
const { closeSharedProducer } = await import('../../src/jobs/producer.js');
const { createKeys, startApi } = await import('../factories/api.js');
const { createTestDatabase } = await import('../helpers/db.js');
const { flushTestPrefix } = await import('../helpers/redis.js');
const { KLPD } = await import('../helpers/ingest.js');

const DATASET = 'tender/pencatatan-non-tender';
const SOURCE = sourceKey(DATASET, KLPD, 2023);
const started = Date.now();

let api: Api;
let keys: Keys;
let sim: Awaited<ReturnType<typeof startFeedSimulator>>;
let worker: Spawned;
let workerMetricsUrl: string;

async function scrape(url: string, authorization = `Bearer ${METRICS_TOKEN}`): Promise<Sample[]> {
  const res = await fetch(url, { headers: { authorization } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parseMetrics(await res.text());
}

const apiMetrics = () => scrape(`${api.url}/metrics`);

beforeAll(async () => {
  await createTestDatabase();
  await loadDemoData();
  keys = await createKeys();
  sim = await startFeedSimulator({ klpd: KLPD });
  const port = await freePort();
  workerMetricsUrl = `http://127.0.0.1:${port}/metrics`;
  worker = spawnEntry('src/worker/main.ts', {
    FEED_URL: sim.url,
    DEMO_SEED: 'false',
    INGEST_PULL_ON_START: 'false',
    INGEST_CRON: '0 0 1 1 *',
    WORKER_METRICS_PORT: String(port),
    WORKER_METRICS_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  });
  await waitForOutput(worker, (out) => out.includes('worker metrics listening'));
  api = await startApi();
});
afterAll(async () => {
  if (worker && worker.child.exitCode === null) worker.child.kill('SIGTERM');
  await worker?.exited;
  await api?.close();
  await sim?.close();
  await closeSharedProducer();
  await flushTestPrefix();
  await closeDb();
});

describe('who may scrape', () => {
  it('refuses a scrape without credentials, with a wrong token or with an analyst key', async () => {
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${api.url}/metrics`, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    const analyst = await fetch(`${api.url}/metrics`, {
      headers: { authorization: `Bearer ${keys.analyst}` },
    });
    expect(analyst.status).toBe(403);
    expect(await analyst.text()).not.toContain('bisma_');
  });

  it('serves the metrics to the metrics token and to an admin key', async () => {
    expect(sampleValue(await apiMetrics(), 'bisma_db_pool_max')).toBeGreaterThan(0);
    expect(sampleValue(await scrape(`${api.url}/metrics`, `Bearer ${keys.admin}`), 'bisma_db_pool_max')).toBe(
      5,
    );
  });

  it("guards the worker's metrics port with the same token", async () => {
    expect((await fetch(workerMetricsUrl)).status).toBe(401);
    expect(sampleValue(await scrape(workerMetricsUrl), 'bisma_db_pool_max')).toBe(5);
  });

  it("answers the container health check on the worker's /healthz without the token, revealing nothing", async () => {
    const health = await fetch(workerMetricsUrl.replace(/\/metrics$/, '/healthz'));
    expect([health.status, await health.text()]).toEqual([200, '{"status":"ok"}']);
  });
});

describe('after GraphQL queries', () => {
  it('times each operation by name and type, and counts HTTP requests by route and status', async () => {
    const before = await apiMetrics();
    const count = (s: Sample[]) =>
      sampleValue(s, 'bisma_graphql_operation_duration_seconds_count', {
        operation_name: 'OpsProbe',
        operation_type: 'query',
      }) ?? 0;
    const http = (s: Sample[]) =>
      sampleValue(s, 'bisma_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/graphql',
        status_code: '200',
      }) ?? 0;
    for (let i = 0; i < 3; i++) {
      const res = await api.gql('query OpsProbe { feedSources { key } }', {}, keys.analyst);
      expect(res.errors).toBeUndefined();
    }
    const after = await apiMetrics();
    expect(count(after) - count(before)).toBe(3);
    expect(http(after) - http(before)).toBe(3);
    const sum = sampleValue(after, 'bisma_graphql_operation_duration_seconds_sum', {
      operation_name: 'OpsProbe',
      operation_type: 'query',
    });
    expect(sum).toBeGreaterThan(0);
  });

  it('counts the errors clients receive by operation name and by the code they carried', async () => {
    const before = await apiMetrics();
    const refused = await api.gql('query OpsNoKey { feedSources { key } }');
    const code = refused.errors?.[0]?.extensions?.code as string;
    expect(code).toMatch(/^[A-Z_]+$/);
    const invalid = await api.gql('query OpsInvalid { noSuchField }');
    expect(invalid.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const badKey = await api.gql('query OpsBadKey { feedSources { key } }', {}, 'not-a-valid-key-0000000000');
    expect(badKey.status).toBe(401);
    const after = await apiMetrics();
    const errors = (s: Sample[], operation: string, c: string) =>
      sampleValue(s, 'bisma_graphql_errors_total', { operation_name: operation, code: c }) ?? 0;
    expect(errors(after, 'OpsNoKey', code) - errors(before, 'OpsNoKey', code)).toBe(1);
    expect(
      errors(after, 'OpsInvalid', 'GRAPHQL_VALIDATION_FAILED') -
        errors(before, 'OpsInvalid', 'GRAPHQL_VALIDATION_FAILED'),
    ).toBe(1);
    // Refused before the operation is read: no operation name.
    const refusedKey = (s: Sample[]) => errors(s, 'unknown', 'UNAUTHENTICATED');
    expect(refusedKey(after) - refusedKey(before)).toBe(1);
  });

  it('reports the database pool of the process', async () => {
    const samples = await apiMetrics();
    const total = sampleValue(samples, 'bisma_db_pool_connections', { state: 'total' })!;
    const idle = sampleValue(samples, 'bisma_db_pool_connections', { state: 'idle' })!;
    expect(total).toBeGreaterThanOrEqual(1);
    expect(total).toBeLessThanOrEqual(5);
    expect(idle).toBeLessThanOrEqual(total);
    expect(sampleValue(samples, 'bisma_db_pool_connections', { state: 'waiting' })).toBe(0);
  });
});

describe('after an ingest run', () => {
  let run: {
    id: number;
    inserted: number;
    updated: number;
    unchanged: number;
    rejected: number;
    duplicates: number;
  };

  beforeAll(async () => {
    const res = await api.gql(
      `mutation ($input: TriggerIngestRunInput!) {
        triggerIngestRun(input: $input) { ... on MutationTriggerIngestRunSuccess { data { runId } } }
      }`,
      { input: { sourceKey: SOURCE } },
      keys.admin,
    );
    const runId = res.data.triggerIngestRun.data.runId as number;
    run = await waitFor(async () => {
      const { rows } = await pool.query(
        `SELECT id, status, inserted, updated, unchanged, rejected, duplicates FROM ingest_run WHERE id = $1`,
        [runId],
      );
      return rows[0]?.status === 'SUCCEEDED' ? rows[0] : null;
    }, 'the run to succeed');
    await waitFor(async () => {
      const { rows } = await pool.query('SELECT 1 FROM kpi_version WHERE $1 = ANY(run_ids)', [runId]);
      return rows.length > 0;
    }, 'the recompute after the run');
  });

  it("counts the run's rows per source and outcome on the worker", async () => {
    expect(run.inserted).toBeGreaterThan(0);
    const samples = await scrape(workerMetricsUrl);
    const rows = (outcome: string) =>
      sampleValue(samples, 'bisma_ingest_rows_total', { source: SOURCE, dataset: DATASET, outcome }) ?? 0;
    expect(rows('inserted')).toBe(run.inserted);
    expect(rows('updated')).toBe(run.updated);
    expect(rows('unchanged')).toBe(run.unchanged);
    expect(rows('rejected')).toBe(run.rejected);
    expect(rows('duplicate')).toBe(run.duplicates);
  });

  it('times the ingest job and the recompute it chained, per queue, on the worker', async () => {
    const samples = await waitFor(async () => {
      const s = await scrape(workerMetricsUrl);
      const kpi = sampleValue(s, 'bisma_job_duration_seconds_count', {
        queue: 'kpi',
        name: 'recompute',
        outcome: 'completed',
      });
      return kpi === 1 ? s : null;
    }, 'the recompute job to be timed');
    expect(
      sampleValue(samples, 'bisma_job_duration_seconds_count', {
        queue: 'ingest',
        name: 'run',
        outcome: 'completed',
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, 'bisma_job_duration_seconds_sum', {
        queue: 'ingest',
        name: 'run',
        outcome: 'completed',
      }),
    ).toBeGreaterThan(0);
  });

  it('shows the queue depths, the data version and the snapshot age on the API', async () => {
    const samples = await waitFor(async () => {
      const s = await apiMetrics();
      return sampleValue(s, 'bisma_queue_jobs', { queue: 'kpi', state: 'completed' }) === 1 ? s : null;
    }, 'the API to see the completed recompute');
    expect(sampleValue(samples, 'bisma_queue_jobs', { queue: 'ingest', state: 'completed' })).toBe(1);
    expect(sampleValue(samples, 'bisma_queue_jobs', { queue: 'ingest', state: 'failed' })).toBe(0);
    expect(sampleValue(samples, 'bisma_queue_jobs', { queue: 'ingest', state: 'waiting' })).toBe(0);
    const version = await pool.query<{ id: number }>('SELECT max(id) AS id FROM kpi_version');
    expect(version.rows[0]!.id).toBeGreaterThan(0);
    expect(sampleValue(samples, 'bisma_data_version')).toBe(version.rows[0]!.id);
    const held = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM kpi_version WHERE status = 'HELD'`,
    );
    expect(sampleValue(samples, 'bisma_kpi_versions_held')).toBe(held.rows[0]!.n);
    const sinceStart = (Date.now() - started) / 1000;
    const age = sampleValue(samples, 'bisma_snapshot_age_seconds', { source: SOURCE })!;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(sinceStart);
    const newest = sampleValue(samples, 'bisma_newest_snapshot_age_seconds')!;
    expect(newest).toBeGreaterThanOrEqual(0);
    expect(newest).toBeLessThanOrEqual(age + 1);
    // The enabled sources' job schedulers, as the worker upserted them.
    const { rows } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM feed_source WHERE enabled',
    );
    expect(sampleValue(samples, 'bisma_queue_job_schedulers', { queue: 'ingest' })).toBe(rows[0]!.n);
  });
});
