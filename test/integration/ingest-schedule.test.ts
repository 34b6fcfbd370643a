// Schedules users can trust: one job scheduler per source (cron in its IANA zone) upserted with a
// stable id, missed runs found and handled by each source's catch-up policy, a watchdog that
// repairs a scheduler that stopped and applies admin changes without a restart.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { enqueueCatchUp, schedulerId } from '../../src/jobs/enqueue.js';
import { createProducer } from '../../src/jobs/producer.js';
import { syncSchedulers } from '../../src/jobs/schedulers.js';
import { closeDb, prisma } from '../../src/lib/db.js';
import { createRedis } from '../../src/lib/redis.js';
import { claimScheduledSlot, detectMissedRuns } from '../../src/services/ingest/catch-up.js';
import {
  ensureSources,
  listSources,
  sourceKey,
  sourceTiming,
  updateSchedule,
} from '../../src/services/ingest/sources.js';
import { startSchedules, watchdogTick } from '../../src/worker/schedules.js';
import { createTestDatabase } from '../helpers/db.js';
import { KLPD } from '../helpers/ingest.js';
import { flushTestPrefix } from '../helpers/redis.js';

let queue: ReturnType<typeof createProducer>;
const HOUR = 3_600_000;
const key = (dataset: Parameters<typeof sourceKey>[0], year = 2024) => sourceKey(dataset, KLPD, year);

beforeAll(async () => {
  await createTestDatabase();
  queue = createProducer();
});
afterAll(async () => {
  await queue?.close();
  await flushTestPrefix();
  await closeDb();
});

describe('feed sources and their job schedulers', () => {
  it('creates one source per dataset and year from configuration, and schedulers with stable ids at every start', async () => {
    expect(await ensureSources()).toEqual({ created: 18, total: 18 });
    expect(await ensureSources()).toEqual({ created: 0, total: 18 });
    await startSchedules(queue.producer, { pullOnStart: true });
    await startSchedules(queue.producer, { pullOnStart: true });

    const schedulers = await queue.producer.queue('ingest').getJobSchedulers(0, -1);
    expect(schedulers).toHaveLength(18);
    const sources = await prisma.feedSource.findMany();
    for (const source of sources) {
      expect(schedulers.find((s) => s.key === schedulerId(source.key))).toMatchObject({
        pattern: '0 * * * *',
        tz: 'Asia/Jakarta',
        template: { data: { sourceKey: source.key, trigger: 'SCHEDULE' } },
      });
    }
    // One start-up pull per source, however many workers started.
    const startup = await queue.producer.queue('ingest').getJobs(['wait', 'delayed', 'prioritized']);
    const pulls = startup.filter((j) => j.name === 'pull' && j.data.trigger === 'STARTUP');
    expect(pulls.map((j) => j.data.sourceKey).sort()).toEqual(sources.map((s) => s.key).sort());
  });

  it('computes the next run in the source time zone, and the lag and missed runs of a stalled source', async () => {
    const source = await updateSchedule(key('rup/paket-penyedia-terumumkan'), { cron: '0 2 * * *' });
    const now = new Date('2026-03-10T12:00:00Z');
    const stalled = { ...source, scheduleCheckedAt: new Date('2026-03-07T12:00:00Z'), missedRuns: 1 };
    // 02:00 in Jakarta (UTC+7) is 19:00 UTC the day before.
    expect(sourceTiming(stalled, now, 0)).toEqual({
      nextRunAt: new Date('2026-03-10T19:00:00Z'),
      // 8, 9 and 10 March at 02:00 WIB were due and not handled.
      missedRuns: 4,
      lagSeconds: (now.getTime() - new Date('2026-03-07T19:00:00Z').getTime()) / 1000,
    });
    expect(sourceTiming({ ...stalled, scheduleCheckedAt: now }, now, 0)).toMatchObject({
      missedRuns: 1,
      lagSeconds: 0,
    });
  });

  it('handles runs missed while no worker ran by each source policy: skip, run once, backfill each', async () => {
    // Half past the previous hour: the hourly slots then fall clear of the grace period whatever
    // minute the test runs at (at minute 0 to 5 of an hour the latest slot was still in it).
    const now = new Date(Math.floor(Date.now() / HOUR) * HOUR - HOUR / 2);
    const threeHoursAgo = new Date(now.getTime() - 3 * HOUR - 60_000);
    const policies = {
      SKIP: key('tender/tender-ekontrak-kontrak'),
      RUN_ONCE: key('tender/non-tender-ekontrak-kontrak'),
      BACKFILL: key('ekatalog/paket-e-purchasing'),
    } as const;
    await prisma.feedSource.updateMany({ data: { scheduleCheckedAt: now } });
    // The start-up pulls of the first test are done: a catch-up run is not folded into one of them.
    const ingest = queue.producer.queue('ingest');
    for (const job of await ingest.getJobs(['wait', 'prioritized']))
      if (job.data.trigger === 'STARTUP') await job.remove();
    for (const [policy, sourceKey] of Object.entries(policies)) {
      await updateSchedule(sourceKey, { cron: '0 * * * *', catchUp: policy as keyof typeof policies });
      await prisma.feedSource.update({
        where: { key: sourceKey },
        data: { scheduleCheckedAt: threeHoursAgo },
      });
    }

    const found = await detectMissedRuns(now);
    const by = Object.fromEntries(found.map((m) => [m.policy, m]));
    expect(found).toHaveLength(3);
    expect(by.SKIP).toMatchObject({ sourceKey: policies.SKIP, missed: 3, slots: [] });
    expect(by.RUN_ONCE).toMatchObject({ sourceKey: policies.RUN_ONCE, missed: 3 });
    expect(by.RUN_ONCE!.slots).toHaveLength(1);
    expect(by.BACKFILL!.slots).toHaveLength(3);
    expect(by.BACKFILL!.slots.every((s) => s.getUTCMinutes() === 0 && s.getUTCSeconds() === 0)).toBe(true);
    // Found once: a second worker starting now finds nothing more.
    expect(await detectMissedRuns(now)).toEqual([]);
    expect((await prisma.feedSource.findUniqueOrThrow({ where: { key: policies.SKIP } })).missedRuns).toBe(3);
    // Every slot is in the history: the ones no catch-up runs as MISSED runs.
    const missedRows = async (sourceKey: string) =>
      prisma.ingestRun.count({ where: { source: { key: sourceKey }, status: 'MISSED' } });
    expect(await missedRows(policies.SKIP)).toBe(3);
    expect(await missedRows(policies.RUN_ONCE)).toBe(2);
    expect(await missedRows(policies.BACKFILL)).toBe(0);

    for (const m of found) await enqueueCatchUp(queue.producer, m);
    for (const m of found) await enqueueCatchUp(queue.producer, m);
    const jobs = await ingest.getJobs(['wait', 'delayed', 'prioritized']);
    expect(jobs.filter((j) => j.name === 'backfill')).toHaveLength(1);
    expect(jobs.find((j) => j.name === 'backfill')?.data).toEqual({
      sourceKey: policies.BACKFILL,
      slots: by.BACKFILL!.slots.map((s) => s.toISOString()),
    });
    const catchUps = jobs.filter((j) => j.name === 'backfill' || j.data.trigger === 'CATCH_UP');
    expect(catchUps.map((j) => j.data.sourceKey).sort()).toEqual(
      [policies.RUN_ONCE, policies.BACKFILL].sort(),
    );
  });

  it('runs BACKFILL as RUN_ONCE against a feed that cannot answer as of a date, and says so on the source', async () => {
    const sourceKey = key('tender/pencatatan-non-tender', 2023);
    await updateSchedule(sourceKey, { cron: '0 * * * *', catchUp: 'BACKFILL' });
    // Half past the hour: the hourly slots missed do not depend on when the test runs.
    const now = new Date('2026-03-10T12:30:00Z');
    await prisma.feedSource.update({
      where: { key: sourceKey },
      data: { scheduleCheckedAt: new Date(now.getTime() - 3 * HOUR - 60_000) },
    });
    const found = (await detectMissedRuns(now, false)).find((m) => m.sourceKey === sourceKey);
    expect(found).toMatchObject({ policy: 'RUN_ONCE', missed: 3 });
    expect(found!.slots).toHaveLength(1);
    const source = await prisma.feedSource.findUniqueOrThrow({ where: { key: sourceKey } });
    expect(source.catchUp).toBe('BACKFILL');
    expect(source.catchUpNote).toMatch(/^BACKFILL runs as RUN_ONCE: the feed cannot answer as of a date/);
    // Against a feed that can, BACKFILL applies again and the note goes.
    await prisma.feedSource.update({
      where: { key: sourceKey },
      data: { scheduleCheckedAt: new Date(now.getTime() - 2 * HOUR - 60_000) },
    });
    const again = (await detectMissedRuns(now, true)).find((m) => m.sourceKey === sourceKey);
    expect(again).toMatchObject({ policy: 'BACKFILL', missed: 2 });
    expect((await prisma.feedSource.findUniqueOrThrow({ where: { key: sourceKey } })).catchUpNote).toBeNull();
  });

  it('claims each scheduled slot once, and skips a late one when the policy says skip', async () => {
    const sourceKey = key('legacy/bela/toko-daring-realisasi');
    await updateSchedule(sourceKey, { catchUp: 'SKIP' });
    await prisma.feedSource.update({
      where: { key: sourceKey },
      data: { scheduleCheckedAt: new Date(Date.now() - HOUR) },
    });
    const slot = new Date(Date.now() - 60_000);
    expect(await claimScheduledSlot(sourceKey, slot)).toBe('run');
    expect(await claimScheduledSlot(sourceKey, slot)).toBe('handled');
    const before = (await prisma.feedSource.findUniqueOrThrow({ where: { key: sourceKey } })).missedRuns;
    const lateSlot = new Date(slot.getTime() + 1000);
    expect(await claimScheduledSlot(sourceKey, lateSlot, new Date(lateSlot.getTime() + 2 * HOUR))).toBe(
      'skip',
    );
    expect((await prisma.feedSource.findUniqueOrThrow({ where: { key: sourceKey } })).missedRuns).toBe(
      before + 1,
    );
  });

  it('re-creates a scheduler that was removed or whose next job vanished (watchdog)', async () => {
    const ingest = queue.producer.queue('ingest');
    await syncSchedulers(queue.producer, await listSources());
    const id = schedulerId(key('tender/pencatatan-non-tender'));
    await ingest.removeJobScheduler(id);
    expect(await ingest.getJobScheduler(id)).toBeUndefined();

    // A scheduler that silently stopped: its next job is gone from Redis (BullMQ refuses to remove it).
    const other = schedulerId(key('tender/pencatatan-non-tender', 2023));
    const next = `repeat:${other}:${(await ingest.getJobScheduler(other))!.next}`;
    const redis = createRedis('producer');
    await redis.zrem(ingest.toKey('delayed'), next);
    await redis.del(ingest.toKey(next));
    redis.disconnect();
    expect(await ingest.getJobState(next)).toBe('unknown');

    const repaired = await watchdogTick(queue.producer);
    expect(repaired.upserted.sort()).toEqual([id, other].sort());
    for (const s of [id, other]) {
      const next = (await ingest.getJobScheduler(s))!.next;
      expect(await ingest.getJobState(`repeat:${s}:${next}`)).toBe('delayed');
    }
    expect((await watchdogTick(queue.producer)).upserted).toEqual([]);
  });

  it('applies an admin schedule change, and disabling, without a restart', async () => {
    const ingest = queue.producer.queue('ingest');
    const sourceKey = key('tender/tender-ekontrak-kontrak', 2022);
    await syncSchedulers(queue.producer, await listSources());
    await updateSchedule(sourceKey, { cron: '30 6 * * 1-5', timezone: 'UTC' });
    const synced = await syncSchedulers(queue.producer, await listSources());
    expect(synced.upserted).toEqual([schedulerId(sourceKey)]);
    expect(await ingest.getJobScheduler(schedulerId(sourceKey))).toMatchObject({
      pattern: '30 6 * * 1-5',
      tz: 'UTC',
    });

    await updateSchedule(sourceKey, { enabled: false });
    expect((await syncSchedulers(queue.producer, await listSources())).removed).toEqual([
      schedulerId(sourceKey),
    ]);
    expect(await ingest.getJobScheduler(schedulerId(sourceKey))).toBeUndefined();

    // The configuration no longer overrides a schedule an admin chose.
    await ensureSources();
    expect(await prisma.feedSource.findUniqueOrThrow({ where: { key: sourceKey } })).toMatchObject({
      cron: '30 6 * * 1-5',
      timezone: 'UTC',
      enabled: false,
      customSchedule: true,
    });
  });

  it('refuses a bad cron pattern or time zone, naming the field', async () => {
    const sourceKey = key('tender/tender-ekontrak-kontrak', 2023);
    await expect(updateSchedule(sourceKey, { cron: '61 * * * *' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.cron',
    });
    await expect(updateSchedule(sourceKey, { timezone: 'Mars/Olympus' })).rejects.toMatchObject({
      field: 'input.timezone',
    });
  });
});
