// The worker process end to end against the simulator: a fresh installation replays the reported
// dates oldest first with a KPI version after each, then its schedules start; a schedule changed
// by an admin runs without a restart; two worker processes never run one source twice at once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadDemoData } from '../../src/demo/seed.js';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { DEMO_JOB_ID } from '../../src/jobs/enqueue.js';
import { createProducer } from '../../src/jobs/producer.js';
import { closeDb, pool, prisma } from '../../src/lib/db.js';
import { triggerRun } from '../../src/services/ingest/requests.js';
import { sourceKey, updateSchedule } from '../../src/services/ingest/sources.js';
import { createTestDatabase } from '../helpers/db.js';
import { KLPD } from '../helpers/ingest.js';
import { waitFor as poll, type Spawned, spawnEntry, waitForOutput } from '../helpers/process.js';
import { flushTestPrefix } from '../helpers/redis.js';

let sim: RunningFeedSimulator;
let queue: ReturnType<typeof createProducer>;
const workers: Spawned[] = [];

function startWorker(): Spawned {
  const worker = spawnEntry('src/worker/main.ts', {
    FEED_URL: sim.url,
    DEMO_SEED: 'true',
    // The figures below are those of the last replayed dates: no pull of today's data after them.
    INGEST_PULL_ON_START: 'false',
    INGEST_CRON: '0 0 1 1 *',
    SCHEDULER_WATCHDOG_MS: '300',
    INGEST_BUSY_RETRY_MS: '100',
    LOG_LEVEL: 'info',
  });
  workers.push(worker);
  return worker;
}

/** This file's waits allow 90 s unless a call says otherwise. */
const waitFor = <T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 90_000) =>
  poll(probe, what, timeoutMs);

/** Σ of counted items of a year: realisation PDN and commitment, as the KPI rules define them. */
async function figures(year: number): Promise<{ realisation: string; commitment: string }> {
  const { rows } = await pool.query<{ realisation: string; commitment: string }>(
    `SELECT COALESCE(sum(pdn_value) FILTER (WHERE kind = 'REALISATION'), 0)::text AS realisation,
            COALESCE(sum(pdn_value) FILTER (WHERE kind = 'PLAN'), 0)::text AS commitment
     FROM procurement_item WHERE fiscal_year = $1 AND counted AND withdrawn_at IS NULL`,
    [year],
  );
  return rows[0]!;
}

beforeAll(async () => {
  await createTestDatabase();
  await loadDemoData();
  sim = await startFeedSimulator({ klpd: KLPD });
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

describe('the first start of a fresh installation', () => {
  it('replays the reported dates oldest first, each followed by a KPI version, then starts the schedules', async () => {
    startWorker();
    await waitFor(
      async () => (await queue.producer.queue('ingest').getJobState(DEMO_JOB_ID)) === 'completed',
      'the demo history',
    );
    const replays = await prisma.ingestRun.findMany({ where: { trigger: 'REPLAY' }, orderBy: { id: 'asc' } });
    expect(replays).toHaveLength(6 + 3 * 6 + 2 * 6);
    expect(replays.every((r) => r.status === 'SUCCEEDED')).toBe(true);
    const order = replays.map((r) => r.asOf!.toISOString().slice(0, 10));
    expect(order).toEqual([...order].sort());
    expect([...new Set(order)]).toEqual([
      '2022-12-31',
      '2023-09-09',
      '2023-10-15',
      '2023-11-05',
      '2024-06-09',
      '2024-09-06',
    ]);

    const versions = await pool.query<{ fiscal_year: number; as_of: string }>(
      'SELECT DISTINCT fiscal_year, as_of FROM kpi_version_year ORDER BY 2, 1',
    );
    for (const [year, asOf] of [
      [2022, '2022-12-31'],
      [2023, '2023-09-09'],
      [2023, '2023-10-15'],
      [2023, '2023-11-05'],
      [2024, '2024-06-09'],
      [2024, '2024-09-06'],
    ] as const) {
      expect(versions.rows).toContainEqual({ fiscal_year: year, as_of: asOf });
    }

    // The items now stand as of each year's last reported date, with the press figures exactly.
    expect(await figures(2022)).toEqual({
      realisation: '20454000000000.00',
      commitment: '11334000000000.00',
    });
    expect(await figures(2023)).toEqual({
      realisation: '13100000000000.00',
      commitment: '15800000000000.00',
    });
    expect(await figures(2024)).toEqual({
      realisation: '16050000000000.00',
      commitment: '30680000000000.00',
    });

    const schedulers = await waitFor(async () => {
      const list = await queue.producer.queue('ingest').getJobSchedulers(0, -1);
      return list.length === 18 && list;
    }, 'the schedulers');
    expect(schedulers.every((s) => s.tz === 'Asia/Jakarta')).toBe(true);
  });

  it('runs a source on the schedule an admin sets, without a restart', async () => {
    const key = sourceKey('legacy/bela/toko-daring-realisasi', KLPD, 2024);
    await updateSchedule(key, { cron: '*/2 * * * * *', timezone: 'Asia/Jakarta' });
    const run = await waitFor(
      () =>
        prisma.ingestRun.findFirst({
          where: { trigger: 'SCHEDULE', status: 'SUCCEEDED', source: { key } },
        }),
      'a scheduled run',
      30_000,
    );
    expect(run.scheduledFor!.getUTCMilliseconds()).toBe(0);
    expect(run.scheduledFor!.getUTCSeconds() % 2).toBe(0);
    expect(run.fetched).toBeGreaterThan(0);
    await updateSchedule(key, { enabled: false });
  });

  it('never runs one source twice at once, whatever the number of worker processes', async () => {
    const second = startWorker();
    await waitForOutput(second, (out) => out.includes('worker started'));
    const key = sourceKey('rup/paket-penyedia-terumumkan', KLPD, 2023);
    const runs = await Promise.all([1, 2, 3, 4].map(() => triggerRun(queue.producer, { sourceKey: key })));
    const done = await waitFor(async () => {
      const rows = await prisma.ingestRun.findMany({ where: { id: { in: runs.map((r) => r.id) } } });
      return rows.every((r) => r.status === 'SUCCEEDED') && rows;
    }, 'the four runs');
    const spans = done
      .map((r) => [r.startedAt!.getTime(), r.finishedAt!.getTime()] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    // The first of them may have updated the replayed rows; after it, the same snapshot changes nothing.
    const later = done.sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime()).slice(1);
    expect(later.every((r) => r.inserted === 0 && r.updated === 0 && r.withdrawn === 0)).toBe(true);
  });
});
