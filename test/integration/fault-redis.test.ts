// Redis stopped and started (its data lost, as with the compose file's Redis) while a real API
// process serves reads and a real worker process runs a source every three seconds, against a
// private Redis the test stops and starts: reads keep coming from PostgreSQL, /readyz says Redis
// is unreachable, the worker reconnects without a restart, its watchdog re-creates the lost job
// scheduler, and every slot of the schedule runs exactly once (the one missed while Redis was down
// through the source's BACKFILL catch-up).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadDemoData } from '../../src/demo/seed.js';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { closeDb, prisma } from '../../src/lib/db.js';
import { ensureSources, sourceKey, updateSchedule } from '../../src/services/ingest/sources.js';
import { createTestDatabase } from '../helpers/db.js';
import { KLPD } from '../helpers/ingest.js';
import {
  type PrivateRedis,
  startPrivateRedis,
  whenServing,
  whenWritten,
} from '../helpers/private-services.js';
import { freePort, waitFor as poll, type Spawned, spawnEntry, waitForHttp } from '../helpers/process.js';

const KEY = sourceKey('ekatalog/paket-e-purchasing', KLPD, 2023);
const SLOT_MS = 3_000;
const QUERY = '{ events(first: 5) { totalCount edges { node { id title exhibitorCount } } } }';
const TRIGGER = `mutation { triggerIngestRun(input: { sourceKey: "${KEY}" }) {
  __typename ... on MutationTriggerIngestRunSuccess { data { runId status } } ... on Error { code message } } }`;
const ADMIN_KEY = 'fault-test-admin-key-0123456789';

let redis: PrivateRedis;
let sim: RunningFeedSimulator;
let api: Spawned;
let worker: Spawned;
let base: string;
/** Read load runs while this holds; afterAll clears it, so a failed test leaves no loop behind. */
let loading = false;

/** This file's waits allow 20 s unless a call says otherwise. */
const waitFor = <T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 20_000) =>
  poll(probe, what, timeoutMs);

const scheduledRuns = () =>
  prisma.ingestRun.findMany({
    where: { source: { key: KEY }, scheduledFor: { not: null } },
    orderBy: { scheduledFor: 'asc' },
  });

async function graphql(query = QUERY, key?: string) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query }),
    // A request that hangs fails the test with its name instead of a test timeout.
    signal: AbortSignal.timeout(10_000),
  }).catch((err: Error) => {
    throw new Error(`${query.slice(0, 30)}: ${err.message} (${(err.cause as Error | undefined)?.message})`);
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: unknown } };
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  await createTestDatabase();
  await loadDemoData();
  await ensureSources();
  // One source, due every three seconds; a slot missed is replayed on its own (BACKFILL).
  await prisma.feedSource.updateMany({ data: { enabled: false } });
  await updateSchedule(KEY, { cron: `*/${SLOT_MS / 1000} * * * * *`, catchUp: 'BACKFILL', enabled: true });
  sim = await startFeedSimulator({ klpd: KLPD, size: 60 });

  const shared = { REDIS_URL: redis.url, LOG_LEVEL: 'info' };
  worker = spawnEntry('src/worker/main.ts', {
    ...shared,
    FEED_URL: sim.url,
    DEMO_SEED: 'false',
    INGEST_PULL_ON_START: 'false',
    SCHEDULER_WATCHDOG_MS: '250',
    INGEST_MISSED_GRACE_MS: '1000',
    WORKER_LOCK_MS: '2000',
    WORKER_STALLED_MS: '1000',
    INGEST_BUSY_RETRY_MS: '300',
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  api = spawnEntry('src/api/main.ts', {
    ...shared,
    PORT: String(port),
    HOST: '127.0.0.1',
    RESPONSE_CACHE: 'true',
    // The read load below runs as fast as it can from one address, cache hits included (each is
    // charged): the per-address request limit is not what this test is about.
    RATE_LIMIT_ADDRESS_REQUESTS: '1000000',
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    LOG_LEVEL: 'warn',
  });
  await Promise.all([whenServing(api, `${base}/readyz`), whenWritten(worker, 'worker started')]);
});
afterAll(async () => {
  loading = false;
  for (const p of [api, worker])
    if (p && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all([api?.exited, worker?.exited]);
  await redis?.close();
  await sim?.close();
  await closeDb();
});

describe('Redis stopped and started under a running API and a scheduled worker', () => {
  it('serves reads from PostgreSQL, refuses queueing with QUEUE_UNAVAILABLE, and runs every scheduled slot exactly once', async () => {
    // Two slots run normally first.
    await waitFor(async () => (await scheduledRuns()).length >= 2 && true, 'two scheduled runs');
    const before = await graphql();
    expect(before.status).toBe(200);

    // Read load through the outage.
    loading = true;
    let redisDown = false;
    const whileDown: Array<{ status: number; body: { data?: unknown; errors?: unknown }; ms: number }> = [];
    const reader = async () => {
      while (loading) {
        const sentDown = redisDown;
        const started = performance.now();
        // A refused connection is recorded as status 0 (and fails the checks below).
        const answer = await graphql().catch((err: Error) => ({ status: 0, body: { errors: err.message } }));
        if (sentDown && redisDown) whileDown.push({ ...answer, ms: performance.now() - started });
      }
    };
    const load = Promise.all([reader(), reader()]);

    // Stop Redis just after a slot's run, and keep it down past the next slot.
    const last = (await scheduledRuns()).at(-1)!;
    await waitFor(
      async () => (await prisma.ingestRun.findUniqueOrThrow({ where: { id: last.id } })).finishedAt,
      'the last run to finish',
    );
    const missedBefore = (await prisma.feedSource.findUniqueOrThrow({ where: { key: KEY } })).missedRuns;
    await redis.stop();
    redisDown = true;
    const stoppedAt = Date.now();
    const ready = await fetch(`${base}/readyz`);
    const readyBody = await ready.json();
    await new Promise((r) => setTimeout(r, SLOT_MS + 500 - (Date.now() - stoppedAt)));
    await waitFor(async () => whileDown.length >= 4 && true, 'reads while Redis is down');
    // A request that needs Redis (queueing a run) is refused at once with a clear code, and
    // leaves no run waiting.
    const refused = await graphql(TRIGGER, ADMIN_KEY);
    expect(redisDown).toBe(true);
    expect(refused.body).toMatchObject({
      data: { triggerIngestRun: { __typename: 'AppError', code: 'QUEUE_UNAVAILABLE' } },
    });
    const notQueued = await prisma.ingestRun.findMany({ where: { trigger: 'MANUAL' } });
    expect(notQueued.every((r) => r.status === 'FAILED' && /could not be queued/.test(r.error ?? ''))).toBe(
      true,
    );
    redisDown = false;
    await redis.start();

    // The worker carries on: the missed slot is replayed and two more slots run on schedule.
    const restartedAt = Date.now();
    const settled = await waitFor(async () => {
      const runs = await scheduledRuns();
      const after = runs.filter((r) => r.scheduledFor!.getTime() > restartedAt && r.finishedAt);
      return after.length >= 2 && after.at(-1)!.scheduledFor!;
    }, 'two scheduled runs after the restart');
    await waitForHttp(`${base}/readyz`);
    loading = false;
    await load;

    // Queueing works again, through the same API process, and the worker runs what it queued.
    const accepted = await graphql(TRIGGER, ADMIN_KEY);
    const runId = (accepted.body.data as { triggerIngestRun: { data: { runId: number } } }).triggerIngestRun
      .data.runId;
    await waitFor(
      async () => (await prisma.ingestRun.findUniqueOrThrow({ where: { id: runId } })).status === 'SUCCEEDED',
      'the queued run',
    );

    if (process.env.FAULT_STATS)
      console.log({ readsWhileDown: whileDown.length, maxMs: Math.max(...whileDown.map((a) => a.ms)) });
    expect(ready.status).toBe(503);
    expect(readyBody).toMatchObject({ status: 'unavailable', code: 'REDIS_UNREACHABLE' });
    for (const answer of whileDown) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data).toEqual(before.body.data);
    }

    // The slots up to the last one that had finished then (later ones may still be running).
    const runs = (await scheduledRuns()).filter((r) => r.scheduledFor! <= settled);
    const slots = runs.map((r) => r.scheduledFor!.getTime());
    // No slot ran twice…
    expect(new Set(slots).size).toBe(slots.length);
    // …and none between the first and the last was lost.
    const first = slots[0]!;
    const expected = Array.from(
      { length: (slots.at(-1)! - first) / SLOT_MS + 1 },
      (_, i) => first + i * SLOT_MS,
    );
    expect(slots).toEqual(expected);
    expect(runs.every((r) => r.status === 'SUCCEEDED')).toBe(true);
    // The slots missed while Redis was down were replayed by the catch-up, and counted.
    const outage = runs.filter(
      (r) => r.scheduledFor! > last.scheduledFor! && r.scheduledFor!.getTime() < restartedAt,
    );
    expect(outage.length).toBeGreaterThanOrEqual(1);
    expect(outage.every((r) => r.trigger === 'CATCH_UP')).toBe(true);
    const source = await prisma.feedSource.findUniqueOrThrow({ where: { key: KEY } });
    // (A slot that fired late while the worker reconnected counts as missed too, and ran.)
    expect(source.missedRuns - missedBefore).toBeGreaterThanOrEqual(outage.length);

    // The same two processes, never restarted.
    expect(api.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    // On failure, the worker's last lines say why it did not stop cleanly.
    const tail = exit.code === 0 ? '' : worker.output().stdout.split('\n').slice(-15).join('\n');
    expect({ ...exit, tail }).toEqual({ code: 0, signal: null, tail: '' });
  });
});
