// A pull is all or nothing (issue 24): each fault is injected over real HTTP by the simulator, and
// the stored items and the published KPIs are compared with the state a clean pull left. A failed
// or never-ending pull changes no item; an empty, short or shrinking snapshot is held for an
// operator; rows without a key withdraw nothing; a 403 fails the run; a long Retry-After delays
// it; a run's changes can be reverted exactly.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Job } from 'bullmq';
import { loadDemoData } from '../../src/demo/seed.js';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { FeedAuthError, FeedPagingError } from '../../src/feed/client.js';
import { jobKey } from '../../src/jobs/enqueue.js';
import { createProducer } from '../../src/jobs/producer.js';
import { closeDb, pool, prisma } from '../../src/lib/db.js';
import { ConflictError } from '../../src/lib/errors.js';
import { claimScheduledSlot } from '../../src/services/ingest/catch-up.js';
import { decideHeldRun } from '../../src/services/ingest/held.js';
import { type PullOutcome, pull } from '../../src/services/ingest/pull.js';
import { triggerRun } from '../../src/services/ingest/requests.js';
import { revertRunItems } from '../../src/services/ingest/revert.js';
import { RUN_COLUMNS, type Run, withSourceLock } from '../../src/services/ingest/runs.js';
import { ensureSources, sourceKey } from '../../src/services/ingest/sources.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { scratchAggregates, versionAggregates } from '../factories/kpi-scratch.js';
import { createTestDatabase } from '../helpers/db.js';
import { fullItemDump, KLPD } from '../helpers/ingest.js';
import { spawnEntry, waitFor } from '../helpers/process.js';
import { flushTestPrefix } from '../helpers/redis.js';

const DATASET = 'tender/pencatatan-non-tender' as const;
const YEAR = 2023;
const KEY = sourceKey(DATASET, KLPD, YEAR);
const PAGE = 25;

let sim: RunningFeedSimulator;
/** The feed a worker process reads in one test: it always asks to wait three minutes. */
let limited: RunningFeedSimulator;
let job = 0;

function attempt(params: Record<string, string> = {}, retries = 2): Promise<PullOutcome> {
  job += 1;
  return pull(
    { sourceKey: KEY, trigger: 'STARTUP', jobKey: `aon.${job}` },
    {
      feed: { baseUrl: sim.url, backoffBaseMs: 5, backoffMaxMs: 20, retries },
      pageLimit: PAGE,
      batchRows: 50,
      params,
    },
  );
}

async function finished(params: Record<string, string> = {}): Promise<Run> {
  const outcome = await attempt(params);
  if (outcome.outcome !== 'finished') throw new Error(`pull ${outcome.outcome}`);
  return outcome.run;
}

/** The run a failing pull left behind (the newest of the source). */
async function lastRun(): Promise<Run> {
  const { rows } = await pool.query<Run>(`SELECT ${RUN_COLUMNS} FROM ingest_run ORDER BY id DESC LIMIT 1`);
  return rows[0]!;
}

/** Recomputes, then the published figures: equal to a from-scratch computation over the items. */
async function publishedKpis(): Promise<string[]> {
  const result = await recomputeKpis({ reason: 'test' });
  const published = await versionAggregates(result.version);
  expect(published).toEqual(await scratchAggregates());
  return published;
}

let cleanItems: unknown[];
let cleanKpis: string[];

/**
 * Nothing changed since the clean pull: every item column, the KPIs; staged rows are left only by
 * runs that may still be applied (held for a decision, or waiting to resume).
 */
async function expectUntouched(): Promise<void> {
  expect(await fullItemDump()).toEqual(cleanItems);
  expect(await publishedKpis()).toEqual(cleanKpis);
  const stale = await pool.query(
    `SELECT DISTINCT r.id, r.status FROM ingest_stage_row s JOIN ingest_run r ON r.id = s.run_id
     WHERE r.status NOT IN ('HELD', 'QUEUED')`,
  );
  expect(stale.rows).toEqual([]);
}

beforeAll(async () => {
  limited = await startFeedSimulator({
    klpd: KLPD,
    faults: { rateLimitEveryNth: 1, retryAfterSeconds: 180 },
  });
  process.env.FEED_URL = limited.url;
  await createTestDatabase();
  await loadDemoData();
  await ensureSources();
  sim = await startFeedSimulator({ klpd: KLPD });
  const clean = await finished();
  expect(clean.status).toBe('SUCCEEDED');
  expect(clean.pages).toBeGreaterThan(5);
  cleanItems = await fullItemDump();
  cleanKpis = await publishedKpis();
  expect(cleanKpis.length).toBeGreaterThan(0);
});
afterAll(async () => {
  await sim?.close();
  await limited?.close();
  await flushTestPrefix();
  await closeDb();
});

describe('a pull that fails or never ends changes nothing', () => {
  it('fails for good on page 3 after two pages were read: no item changed, nothing for a recompute', async () => {
    await expect(attempt({ fault_failOnPage: '3', fault_faultTimes: '0' })).rejects.toThrow(/503/);
    const run = await lastRun();
    // It read part of its snapshot only, and says so; its cursor shows where it stopped.
    expect(run).toMatchObject({ status: 'FAILED', pages: 2, appliedAt: null, partial: true });
    expect(run.cursor).not.toBeNull();
    expect((await pool.query('SELECT 1 FROM kpi_dirty_bucket WHERE run_id = $1', [run.id])).rowCount).toBe(0);
    await expectUntouched();
    // The next, unchanged pull counts every row as unchanged and publishes nothing new.
    const next = await finished();
    expect(next).toMatchObject({
      status: 'SUCCEEDED',
      inserted: 0,
      updated: 0,
      withdrawn: 0,
      partial: false,
    });
    await expectUntouched();
  });

  it.each([
    ['a cursor that points back to an earlier page', { fault_loopCursorOnPage: '4' }, /seen before/],
    ['has_more with no cursor', { fault_nullCursorOnPage: '3' }, /no cursor/],
    ['an endless chain of empty pages', { fault_emptyPagesFromPage: '3' }, /empty pages/],
  ])('ends FAILED on %s, with the reason, and changes nothing', async (_what, params, reason) => {
    const before = sim.requestCount();
    await expect(attempt(params)).rejects.toBeInstanceOf(FeedPagingError);
    expect(sim.requestCount() - before).toBeLessThan(20);
    const run = await lastRun();
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatch(reason);
    await expectUntouched();
  });

  it('fails the run on a 403 mid-pull as an auth error, keeping its counters and history', async () => {
    await expect(attempt({ fault_forbiddenOnPage: '3', fault_faultTimes: '0' })).rejects.toBeInstanceOf(
      FeedAuthError,
    );
    const run = await lastRun();
    expect(run).toMatchObject({ status: 'FAILED', pages: 2 });
    expect(run.error).toMatch(/403/);
    const attempts = await prisma.ingestRunAttempt.findMany({ where: { runId: run.id } });
    expect(attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'FAILED' })]);
    await expectUntouched();
  });
});

describe('a stored cursor the feed no longer accepts', () => {
  it('reads the snapshot again from the first page, with nothing left of the first read, and notes it', async () => {
    const stop = new AbortController();
    job += 1;
    const paused = await pull(
      { sourceKey: KEY, trigger: 'STARTUP', jobKey: `aon.${job}` },
      {
        feed: { baseUrl: sim.url },
        pageLimit: PAGE,
        batchRows: 50,
        signal: stop.signal,
        onProgress: () => stop.abort(),
      },
    );
    expect(paused.outcome).toBe('paused');
    if (paused.outcome !== 'paused') return;
    expect(paused.run.cursor).not.toBeNull();
    // Another data set size: the simulator refuses the cursor of the first read (400 INVALID_CURSOR).
    const resumed = await pull(
      { runId: paused.run.id },
      { feed: { baseUrl: sim.url }, pageLimit: PAGE, params: { size: '60' } },
    );
    if (resumed.outcome !== 'finished') throw new Error(resumed.outcome);
    expect(resumed.run).toMatchObject({ status: 'HELD', fetched: 60, pages: 3 });
    const staged = await pool.query('SELECT count(*)::int AS n FROM ingest_stage_row WHERE run_id = $1', [
      paused.run.id,
    ]);
    expect(staged.rows[0].n).toBe(60 - resumed.run.rejected - resumed.run.duplicates);
    const history = await prisma.ingestRunAttempt.findMany({
      where: { runId: paused.run.id },
      orderBy: { attempt: 'asc' },
    });
    expect(history.map((a) => a.outcome)).toEqual(['PAUSED', 'HELD']);
    expect(history[1]!.error).toMatch(/restarted from the first page/);
    await decideHeldRun(paused.run.id, 'DISCARD', null);
    await expectUntouched();
  });
});

describe('a suspicious complete snapshot is held, not applied', () => {
  it('holds a snapshot that ends early and withdraws too much; discarded, it changes nothing', async () => {
    const held = await finished({ fault_endEarlyOnPage: '3' });
    expect(held.status).toBe('HELD');
    expect(held.heldReason).toMatch(/would withdraw \d+ of the source's \d+ items/);
    await expectUntouched();
    const graph = await prisma.ingestRun.findUniqueOrThrow({ where: { id: held.id } });
    expect(graph.heldReason).toBe(held.heldReason);
    const discarded = await decideHeldRun(held.id, 'DISCARD', 'a short answer');
    expect(discarded).toMatchObject({ status: 'CANCELLED' });
    const staged = await pool.query('SELECT 1 FROM ingest_stage_row WHERE run_id = $1', [held.id]);
    expect(staged.rowCount).toBe(0);
    await expect(decideHeldRun(held.id, 'APPROVE', null)).rejects.toBeInstanceOf(ConflictError);
    await expectUntouched();
  });

  it('holds a snapshot shorter than the count the feed announced', async () => {
    const held = await finished({ fault_endEarlyOnPage: '5', fault_announceTotal: '1' });
    expect(held.status).toBe('HELD');
    expect(held.expectedRows).toBeGreaterThan(held.fetched);
    expect(held.heldReason).toMatch(/ended after \d+ of the \d+ rows the feed announced/);
    await expectUntouched();
  });

  it('holds an empty snapshot of a source that has items; a newer clean pull supersedes it', async () => {
    const held = await finished({ fault_emptySnapshot: '1' });
    expect(held).toMatchObject({ status: 'HELD', fetched: 0 });
    expect(held.heldReason).toMatch(/empty/);
    await expectUntouched();
    await finished();
    const superseded = await prisma.ingestRun.findUniqueOrThrow({ where: { id: held.id } });
    expect(superseded.status).toBe('CANCELLED');
    expect(superseded.decisionNote).toMatch(/superseded/);
    await expectUntouched();
  });

  it("keeps a held snapshot's staged rows while another source's run applies and drops its own", async () => {
    const held = await finished({ fault_endEarlyOnPage: '3' });
    expect(held.status).toBe('HELD');
    const stagedOf = async (runId: number) =>
      (
        await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_stage_row WHERE run_id = $1', [
          runId,
        ])
      ).rows[0]!.n;
    const waiting = await stagedOf(held.id);
    expect(waiting).toBeGreaterThan(0);
    const outcome = await pull(
      { sourceKey: sourceKey(DATASET, KLPD, 2024), trigger: 'STARTUP', jobKey: 'aon.beside-held' },
      { feed: { baseUrl: sim.url }, pageLimit: 200 },
    );
    if (outcome.outcome !== 'finished') throw new Error(outcome.outcome);
    expect(outcome.run).toMatchObject({ status: 'SUCCEEDED' });
    expect(outcome.run.inserted).toBeGreaterThan(0);
    expect(await stagedOf(outcome.run.id)).toBe(0);
    expect(await stagedOf(held.id)).toBe(waiting);
    // Approved now, the held snapshot applies from the rows it kept (and withdraws what it lacks).
    const applied = await decideHeldRun(held.id, 'APPROVE', 'checked');
    expect(applied).toMatchObject({ status: 'SUCCEEDED' });
    expect(applied.withdrawn).toBeGreaterThan(0);
    expect(await stagedOf(held.id)).toBe(0);
    await revertRunItems(held.id);
    await revertRunItems(outcome.run.id);
    await expectUntouched();
  });

  it('applies a complete snapshot with an announced count it reaches', async () => {
    const run = await finished({ fault_announceTotal: '1' });
    expect(run).toMatchObject({ status: 'SUCCEEDED', inserted: 0, updated: 0, withdrawn: 0 });
    expect(run.expectedRows).toBe(run.fetched);
    await expectUntouched();
  });
});

describe('rows without a key', () => {
  it('are rejected and withdraw nothing', async () => {
    const run = await finished({ fault_keylessRows: '3' });
    expect(run).toMatchObject({ status: 'SUCCEEDED', keylessRows: 3, withdrawn: 0 });
    const rejected = await prisma.rejectedRow.findMany({ where: { runId: run.id, sourceKey: null } });
    expect(rejected).toHaveLength(3);
    await expectUntouched();
  });
});

describe('Retry-After', () => {
  it('delays the run as long as the feed asks (beyond the in-process wait); it then resumes to a clean result', async () => {
    const asked = await attempt({ fault_rateLimitEveryNth: '3', fault_retryAfterSeconds: '180' });
    expect(asked.outcome).toBe('delayed');
    if (asked.outcome !== 'delayed') return;
    expect(asked.delayMs).toBe(180_000);
    expect(asked.run).toMatchObject({ status: 'QUEUED', appliedAt: null });
    await expectUntouched();
    // The job's next attempt: the same run, from its cursor.
    const resumed = await pull(
      { runId: asked.run.id },
      { feed: { baseUrl: sim.url, backoffBaseMs: 5, backoffMaxMs: 20 }, pageLimit: PAGE, batchRows: 50 },
    );
    expect(resumed.outcome).toBe('finished');
    if (resumed.outcome !== 'finished') return;
    expect(resumed.run).toMatchObject({ status: 'SUCCEEDED', inserted: 0, updated: 0, withdrawn: 0 });
    const history = await prisma.ingestRunAttempt.findMany({
      where: { runId: asked.run.id },
      orderBy: { attempt: 'asc' },
    });
    expect(history.map((a) => a.outcome)).toEqual(['DELAYED', 'SUCCEEDED']);
    await expectUntouched();
  });

  it('puts the queue job back for that long in a worker, without using an attempt', async () => {
    const queue = createProducer();
    const worker = spawnEntry('src/worker/main.ts', {
      FEED_URL: limited.url,
      DEMO_SEED: 'false',
      INGEST_PULL_ON_START: 'false',
      INGEST_CRON: '0 0 1 1 *',
      LOG_LEVEL: 'info',
    });
    try {
      const before = Date.now();
      const run = await triggerRun(queue.producer, { sourceKey: KEY });
      const ingest = queue.producer.queue('ingest');
      const id = `run.${run.id}`;
      const waiting = await waitFor(async () => {
        const r = await prisma.ingestRun.findUniqueOrThrow({
          where: { id: run.id },
          include: { attemptLog: true },
        });
        return r.attemptLog[0]?.outcome === 'DELAYED' && (await ingest.getJobState(id)) === 'delayed' && r;
      }, 'the delayed job');
      expect(waiting.status).toBe('QUEUED');
      const job = (await ingest.getJob(id))!;
      expect(job.attemptsMade).toBe(0);
      // Due when the feed said, not at the queue's own backoff (5 s).
      expect(job.timestamp + job.delay - before).toBeGreaterThanOrEqual(179_000);
      await ingest.remove(id);
      await prisma.ingestRun.update({ where: { id: run.id }, data: { status: 'CANCELLED' } });
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await queue.close();
    }
    await expectUntouched();
  }, 90_000);

  it('fails the run when the feed asks to wait longer than the stated maximum', async () => {
    await expect(attempt({ fault_rateLimitEveryNth: '2', fault_retryAfterSeconds: '7200' })).rejects.toThrow(
      /wait/,
    );
    const run = await lastRun();
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatch(/INGEST_MAX_RETRY_AFTER_MS/);
    await expectUntouched();
  });
});

describe('revertRunItems', () => {
  it('restores every item a run changed to its state before it, and the KPIs with it', async () => {
    const changed = await finished({ fault_changedRowsSeed: '11' });
    expect(changed.updated).toBeGreaterThan(0);
    const afterChanged = await fullItemDump();
    expect(afterChanged).not.toEqual(cleanItems);

    // Withdrawals and restores too: a shrinking snapshot, approved by an operator.
    const shrunk = await finished({ fault_changedRowsSeed: '11', fault_disappearingRows: '6' });
    expect(shrunk.status).toBe('HELD');
    const applied = await decideHeldRun(shrunk.id, 'APPROVE', 'confirmed');
    expect(applied.withdrawn).toBeGreaterThan(0);

    // A later run changed the same items: the earlier one cannot be reverted first.
    await expect(revertRunItems(changed.id)).rejects.toBeInstanceOf(ConflictError);

    const undone = await revertRunItems(applied.id);
    expect(undone).toMatchObject({ reverted: true, removed: 0 });
    expect(undone.restored).toBe(applied.withdrawn);
    expect(await fullItemDump()).toEqual(afterChanged);
    expect(await revertRunItems(applied.id)).toMatchObject({ reverted: false });

    await revertRunItems(changed.id);
    await expectUntouched();
    const dirty = await pool.query('SELECT 1 FROM kpi_dirty_bucket');
    expect(dirty.rowCount).toBe(0);
  });

  it('deletes the items a run inserted', async () => {
    const other = sourceKey(DATASET, KLPD, 2024);
    const outcome = await pull(
      { sourceKey: other, trigger: 'STARTUP', jobKey: 'aon.insert' },
      { feed: { baseUrl: sim.url }, pageLimit: 200 },
    );
    if (outcome.outcome !== 'finished') throw new Error(outcome.outcome);
    expect(outcome.run.inserted).toBeGreaterThan(0);
    // Not while a run of the source is in progress.
    const busy = await withSourceLock(outcome.run.sourceId!, () =>
      revertRunItems(outcome.run.id).catch((e) => e),
    );
    expect(busy.locked && busy.value).toBeInstanceOf(ConflictError);
    // An inserted item is not journalled: the revert knows it by its first_run_id.
    const journalled = await pool.query('SELECT 1 FROM ingest_item_journal WHERE run_id = $1', [
      outcome.run.id,
    ]);
    expect(journalled.rowCount).toBe(0);
    const undone = await revertRunItems(outcome.run.id);
    expect(undone.removed).toBe(outcome.run.inserted);
    await expectUntouched();
  });
});

describe('schedule slots', () => {
  it('gives each slot its own run: a failing slot ends FAILED with its attempts when the next slot runs', async () => {
    const t1 = new Date(Date.now() - 120_000);
    const t2 = new Date(Date.now() - 60_000);
    const slotPull = (at: Date, params: Record<string, string>, finalAttempt: boolean) =>
      pull(
        { sourceKey: KEY, trigger: 'SCHEDULE', jobKey: `repeat:test:${at.getTime()}`, scheduledFor: at },
        {
          feed: { baseUrl: sim.url, backoffBaseMs: 5, backoffMaxMs: 20, retries: 1 },
          pageLimit: PAGE,
          finalAttempt,
          params,
        },
      );
    await expect(slotPull(t1, { fault_failOnPage: '2', fault_faultTimes: '0' }, false)).rejects.toThrow(
      /503/,
    );
    const first = await lastRun();
    expect(first).toMatchObject({ status: 'QUEUED' });
    const second = await slotPull(t2, {}, false);
    if (second.outcome !== 'finished') throw new Error(second.outcome);
    expect(second.run.id).not.toBe(first.id);
    expect(second.run.status).toBe('SUCCEEDED');
    const failed = await prisma.ingestRun.findUniqueOrThrow({
      where: { id: first.id },
      include: { attemptLog: true },
    });
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatch(/superseded by the run of the slot/);
    expect(failed.attemptLog.map((a) => a.outcome)).toEqual(['RETRYING']);
    await expectUntouched();
  });

  it('counts and records the slots no job fired between two handled ones', async () => {
    const source = await prisma.feedSource.update({
      where: { key: KEY },
      data: { cron: '* * * * *', scheduleCheckedAt: new Date(Date.now() - 4.5 * 60_000) },
    });
    const slot = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    expect(await claimScheduledSlot(KEY, slot)).toBe('run');
    const after = await prisma.feedSource.findUniqueOrThrow({ where: { key: KEY } });
    expect(after.missedRuns - source.missedRuns).toBeGreaterThanOrEqual(3);
    const missed = await prisma.ingestRun.findMany({ where: { sourceId: source.id, status: 'MISSED' } });
    expect(missed).toHaveLength(after.missedRuns - source.missedRuns);
    expect(missed.every((r) => r.scheduledFor !== null && r.scheduledFor < slot)).toBe(true);
  });
});

describe('job keys', () => {
  it('qualify a counter id by the job creation time, so a Redis that lost its data cannot match old runs', () => {
    expect(jobKey({ id: '5', timestamp: 1_700_000_000_000 } as Job)).toBe('5@1700000000000');
    expect(jobKey({ id: 'run.42', timestamp: 1 } as Job)).toBe('run.42');
  });
});
