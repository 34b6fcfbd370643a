// Crash safety with real worker processes: SIGKILL in the middle of a large pull, then a fresh
// worker resumes the run from its stored cursor and the database equals that of a clean run (no
// row lost, none doubled); SIGTERM lets the current batch commit and exits 0, and the run resumes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadDemoData } from '../../src/demo/seed.js';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { createProducer } from '../../src/jobs/producer.js';
import { closeDb, pool, prisma } from '../../src/lib/db.js';
import { pull } from '../../src/services/ingest/pull.js';
import { triggerRun } from '../../src/services/ingest/requests.js';
import { ensureSources, sourceKey } from '../../src/services/ingest/sources.js';
import { createTestDatabase } from '../helpers/db.js';
import { itemDump, KLPD } from '../helpers/ingest.js';
import { type Spawned, spawnEntry, waitFor, waitForOutput } from '../helpers/process.js';
import { flushTestPrefix } from '../helpers/redis.js';

const DATASET = 'tender/tender-ekontrak-kontrak' as const;
const KEY = sourceKey(DATASET, KLPD, 2023);
const ROWS = 10_000;

let sim: RunningFeedSimulator;
let queue: ReturnType<typeof createProducer>;
const workers: Spawned[] = [];

function startWorker(): Spawned {
  const worker = spawnEntry('src/worker/main.ts', {
    FEED_URL: sim.url,
    DEMO_SEED: 'false',
    INGEST_PULL_ON_START: 'false',
    INGEST_YEARS: '2023',
    // Never due during the test: only the runs the test asks for happen.
    INGEST_CRON: '0 0 1 1 *',
    INGEST_BATCH_ROWS: '2000',
    // A killed worker's job goes to another worker within seconds instead of a minute.
    WORKER_LOCK_MS: '2000',
    WORKER_STALLED_MS: '1000',
    LOG_LEVEL: 'info',
  });
  workers.push(worker);
  return worker;
}

const runRow = (id: number) => prisma.ingestRun.findUniqueOrThrow({ where: { id } });

beforeAll(async () => {
  await createTestDatabase();
  await loadDemoData();
  await ensureSources();
  // Slow pages make the pull last a few seconds, long enough to be interrupted half-way.
  sim = await startFeedSimulator({ klpd: KLPD, size: ROWS, faults: { slowPageMs: 100 } });
  queue = createProducer();
});
afterAll(async () => {
  for (const w of workers)
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await queue?.close();
  await sim?.close();
  await flushTestPrefix();
  await closeDb();
});

describe('a worker killed in the middle of a large pull', () => {
  it('is replaced by a fresh worker that resumes the run: the result equals a clean run', async () => {
    const run = await triggerRun(queue.producer, { sourceKey: KEY });
    const first = startWorker();
    const halfway = await waitFor(async () => {
      const r = await runRow(run.id);
      return r.fetched >= 4000 && r;
    }, 'the first batches');
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const killed = await runRow(run.id);
    expect(killed.status).toBe('RUNNING');
    expect(killed.pagesDone).toBe(false);
    expect(killed.cursor).not.toBeNull();
    expect(killed.fetched).toBeGreaterThanOrEqual(halfway.fetched);

    const second = startWorker();
    const done = await waitFor(async () => {
      const r = await runRow(run.id);
      return r.status === 'SUCCEEDED' && r;
    }, 'the resumed run');
    expect(done.attempts).toBe(2);
    expect(await prisma.rejectedRow.count({ where: { runId: run.id } })).toBe(done.rejected);
    const resumed = await itemDump();
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });

    // The same snapshot written by one clean, uninterrupted run.
    await pool.query('TRUNCATE procurement_item, kpi_dirty_bucket');
    const clean = await pull(
      { sourceKey: KEY, trigger: 'STARTUP', jobKey: 'clean' },
      { feed: { baseUrl: sim.url } },
    );
    if (clean.outcome !== 'finished') throw new Error(clean.outcome);
    expect(await itemDump()).toEqual(resumed);
    expect(done).toMatchObject({
      fetched: clean.run.fetched,
      inserted: clean.run.inserted,
      unchanged: 0,
      rejected: clean.run.rejected,
      duplicates: clean.run.duplicates,
      contentHash: (await runRow(clean.run.id)).contentHash,
    });
    expect(done.fetched).toBe(ROWS);
  });
});

describe('a worker stopped with SIGTERM in the middle of a pull', () => {
  it('commits the batch in progress, exits 0, and the run resumes from its cursor', async () => {
    const run = await triggerRun(queue.producer, { sourceKey: KEY, asOf: '2023-10-15' });
    const worker = startWorker();
    await waitFor(async () => (await runRow(run.id)).pages >= 2, 'the first batch');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.output().stdout).toMatch(/ingest run paused after a committed batch/);

    const paused = await runRow(run.id);
    expect(paused).toMatchObject({ status: 'QUEUED', pagesDone: false });
    expect(paused.cursor).not.toBeNull();
    // Nothing of an unfinished snapshot reaches the items; every row it counted is staged: no
    // batch was cut in half.
    expect(await prisma.procurementItem.count({ where: { lastRunId: run.id } })).toBe(0);
    const staged = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM ingest_stage_row WHERE run_id = $1',
      [run.id],
    );
    expect(staged.rows[0]!.n).toBe(paused.fetched - paused.rejected - paused.duplicates);
    expect(await prisma.rejectedRow.count({ where: { runId: run.id } })).toBe(paused.rejected);

    const next = startWorker();
    await waitForOutput(next, (out) => out.includes('worker started'));
    const done = await waitFor(async () => {
      const r = await runRow(run.id);
      return r.status === 'SUCCEEDED' && r;
    }, 'the resumed run');
    expect(done.attempts).toBe(2);
    expect(done.asOf).toEqual(new Date('2023-10-15T00:00:00Z'));
    expect(done.withdrawn).toBeGreaterThan(0);
    next.child.kill('SIGTERM');
    expect(await next.exited).toEqual({ code: 0, signal: null });
  });
});
