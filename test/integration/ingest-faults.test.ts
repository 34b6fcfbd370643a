// Each fault the simulator injects, against a real pull: the final counts and stored rows equal
// those of a clean run (or, for bad rows, reject exactly the bad ones), and a pull that fails
// half-way resumes from its stored cursor.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { loadDemoData } from '../../src/demo/seed.js';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { closeDb, pool, prisma } from '../../src/lib/db.js';
import { type PullOptions, pull } from '../../src/services/ingest/pull.js';
import type { Run } from '../../src/services/ingest/runs.js';
import { ensureSources, sourceKey } from '../../src/services/ingest/sources.js';
import { createTestDatabase } from '../helpers/db.js';
import { type Expected, expectedSnapshot, feedRows, KLPD, storedItems } from '../helpers/ingest.js';

const DATASET = 'ekatalog/paket-e-purchasing' as const;
const YEAR = 2024;
const KEY = sourceKey(DATASET, KLPD, YEAR);
const PAGE = 40;

let sim: RunningFeedSimulator;
let expected: Expected;
let job = 0;

async function pullWith(
  params: Record<string, string>,
  options: PullOptions = {},
  jobKey?: string,
): Promise<Run> {
  job += 1;
  const outcome = await pull(
    { sourceKey: KEY, trigger: 'STARTUP', jobKey: jobKey ?? `faults.${job}` },
    {
      feed: { baseUrl: sim.url, backoffBaseMs: 5, backoffMaxMs: 20, retries: 3 },
      pageLimit: PAGE,
      batchRows: 80,
      params,
      ...options,
    },
  );
  if (outcome.outcome !== 'finished') throw new Error(`pull ${outcome.outcome}`);
  return outcome.run;
}

function expectClean(run: Run) {
  expect(run).toMatchObject({
    status: 'SUCCEEDED',
    fetched: expected.fetched,
    inserted: expected.items.size,
    updated: 0,
    unchanged: 0,
    rejected: expected.rejected,
    duplicates: expected.duplicates,
    pages: Math.ceil(expected.fetched / PAGE),
  });
}

beforeAll(async () => {
  await createTestDatabase();
  await loadDemoData();
  await ensureSources();
  sim = await startFeedSimulator({ klpd: KLPD });
  expected = expectedSnapshot(DATASET, await feedRows(sim.url, DATASET, YEAR), YEAR);
  expect(Math.ceil(expected.fetched / PAGE)).toBeGreaterThanOrEqual(5);
});
beforeEach(async () => {
  await pool.query('TRUNCATE procurement_item, kpi_dirty_bucket');
});
afterAll(async () => {
  await sim?.close();
  await closeDb();
});

describe('a pull through injected faults', () => {
  it('retries a page that is slower than the client timeout', async () => {
    const requests = sim.requestCount();
    const run = await pullWith(
      // Margins wide enough that only the slow page times out, even on a loaded machine.
      { fault_slowPageMs: '2000', fault_slowOnPage: '2' },
      {
        feed: { baseUrl: sim.url, timeoutMs: 700, backoffBaseMs: 5, backoffMaxMs: 20 },
      },
    );
    expectClean(run);
    expect(sim.requestCount() - requests).toBe(run.pages + 1);
    expect(await storedItems(DATASET)).toEqual(expected.items);
  });

  it('retries 503 answers', async () => {
    const requests = sim.requestCount();
    const run = await pullWith({ fault_failEveryNth5xx: '3' });
    expectClean(run);
    expect(sim.requestCount() - requests).toBeGreaterThan(run.pages);
    expect(await storedItems(DATASET)).toEqual(expected.items);
  });

  it('waits out 429 answers for their Retry-After and then gets every page', async () => {
    const requests = sim.requestCount();
    const run = await pullWith({ fault_rateLimitEveryNth: '4', fault_retryAfterSeconds: '1' });
    expectClean(run);
    expect(sim.requestCount() - requests).toBeGreaterThan(run.pages);
    expect(await storedItems(DATASET)).toEqual(expected.items);
  });

  it('re-reads a page whose JSON arrived truncated', async () => {
    const requests = sim.requestCount();
    const run = await pullWith({ fault_truncateJsonOnPage: '2' });
    expectClean(run);
    // The bad page was asked for twice, every other page once.
    expect(sim.requestCount() - requests).toBe(run.pages + 1);
    expect(await storedItems(DATASET)).toEqual(expected.items);
  });

  it('never takes an HTML challenge page answered with 200 for data', async () => {
    const requests = sim.requestCount();
    const run = await pullWith({ fault_htmlChallengeOnPage: '3' });
    expectClean(run);
    expect(sim.requestCount() - requests).toBe(run.pages + 1);
    expect(await storedItems(DATASET)).toEqual(expected.items);
  });

  it('rejects exactly the bad rows, with their reasons, and stores the rest', async () => {
    const faulty = expectedSnapshot(
      DATASET,
      await feedRows(sim.url, DATASET, YEAR, { params: { fault_invalidRowsEvery: '7' } }),
      YEAR,
    );
    expect(faulty.rejected).toBeGreaterThan(expected.rejected);
    const run = await pullWith({ fault_invalidRowsEvery: '7' });
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      fetched: faulty.fetched,
      inserted: faulty.items.size,
      rejected: faulty.rejected,
    });
    expect(await storedItems(DATASET)).toEqual(faulty.items);
    const reasons = await prisma.rejectedRow.findMany({
      where: { runId: run.id, reason: { contains: 'tgl_order' } },
    });
    expect(reasons.length).toBeGreaterThanOrEqual(faulty.rejected - expected.rejected);
    expect(reasons.every((r) => /not a valid date/.test(r.reason))).toBe(true);
    // Every rejected row is kept, once, with the row exactly as the feed sent it.
    const kept = await prisma.rejectedRow.findMany({ where: { runId: run.id } });
    expect(kept).toHaveLength(run.rejected);
    expect(new Set(kept.map((r) => r.rowNumber)).size).toBe(run.rejected);
    for (const row of reasons) expect(JSON.parse(row.raw)).toHaveProperty('tgl_order');
  });

  it('keeps the last good version of an item whose row turns invalid', async () => {
    await pullWith({});
    const run = await pullWith({ fault_invalidRowsEvery: '7' });
    expect(run.withdrawn).toBe(0);
    expect(await storedItems(DATASET)).toEqual(expected.items);
  });

  it('fails a run when the feed stays down, with the error, and writes nothing', async () => {
    await expect(pullWith({ fault_failEveryNth5xx: '1' }, { finalAttempt: true })).rejects.toThrow(/503/);
    const run = await prisma.ingestRun.findFirstOrThrow({ orderBy: { id: 'desc' } });
    expect(run).toMatchObject({ status: 'FAILED', inserted: 0, pages: 0 });
    expect(run.error).toMatch(/503/);
    expect(await prisma.procurementItem.count()).toBe(0);
  });

  it('resumes a failed attempt from the stored cursor: committed pages are not fetched again', async () => {
    // Page 4 keeps answering truncated JSON: the first attempt commits pages 1-2 (one batch), then fails.
    await expect(
      pullWith({ fault_truncateJsonOnPage: '4', fault_faultTimes: '0' }, { finalAttempt: false }, 'resume.1'),
    ).rejects.toThrow(/truncated/);
    const paused = await prisma.ingestRun.findFirstOrThrow({ where: { jobId: 'resume.1' } });
    expect(paused).toMatchObject({ status: 'QUEUED', pages: 2, fetched: 2 * PAGE });
    expect(paused.cursor).not.toBeNull();
    expect(paused.error).toMatch(/truncated/);

    // The job's next attempt (the feed has recovered) starts at page 3.
    const requests = sim.requestCount();
    const run = await pullWith({}, {}, 'resume.1');
    const pages = Math.ceil(expected.fetched / PAGE);
    expect(sim.requestCount() - requests).toBe(pages - 2);
    expect(run.id).toBe(paused.id);
    expectClean(run);
    expect(await storedItems(DATASET)).toEqual(expected.items);
    expect((await prisma.ingestRun.findUniqueOrThrow({ where: { id: run.id } })).attempts).toBe(2);
  });

  it('lets only one run of a source proceed at a time', async () => {
    const both = await Promise.all([
      pull(
        { sourceKey: KEY, trigger: 'STARTUP', jobKey: 'busy.1' },
        {
          feed: { baseUrl: sim.url },
          pageLimit: PAGE,
          params: { fault_slowPageMs: '100' },
        },
      ),
      new Promise((r) => setTimeout(r, 50)).then(() =>
        pull({ sourceKey: KEY, trigger: 'STARTUP', jobKey: 'busy.2' }, { feed: { baseUrl: sim.url } }),
      ),
    ]);
    expect(both.map((o) => o.outcome).sort()).toEqual(['busy', 'finished']);
  });
});
