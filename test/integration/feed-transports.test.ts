// The legacy and ISB transports against the simulator's generated data: the same rows as the
// cursor API, a broken-off array resumed after its committed pages, and a large answer read in
// bounded memory.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { FeedBadResponseError, FeedRejectedError } from '../../src/feed/client.js';
import { type TransportConfig, transportFor } from '../../src/feed/transports/index.js';
import { closeDb, prisma } from '../../src/lib/db.js';
import { pull } from '../../src/services/ingest/pull.js';
import { sourceKey } from '../../src/services/ingest/sources.js';
import { createTestDatabase } from '../helpers/db.js';
import { expectedSnapshot, feedRows, KLPD, storedItems } from '../helpers/ingest.js';
import { flushTestPrefix } from '../helpers/redis.js';

const DATASET = 'tender/pencatatan-non-tender' as const;
const YEAR = 2023;
let sim: RunningFeedSimulator;

const config = (transport: 'legacy' | 'isb'): TransportConfig => ({
  baseUrl: '',
  token: 'demo-token',
  transport,
  overrides: {},
  cursorPath: '/api/v1/{dataset}',
  legacyPath: '/api/legacy/{dataset}',
  isbKey: 'demo-key',
  isbServiceId: '3',
  isbNames: {},
});

async function rowsOf(transport: 'legacy' | 'isb', params: Record<string, string> = {}) {
  const feed = transportFor(DATASET, { ...config(transport), baseUrl: sim.url }, { retries: 0 });
  const rows: unknown[] = [];
  for await (const page of feed.pages({ dataset: DATASET, klpd: KLPD, year: YEAR, limit: 250, params }))
    rows.push(...page.rows);
  return rows;
}

beforeAll(async () => {
  await createTestDatabase();
  sim = await startFeedSimulator({ klpd: KLPD });
});
afterAll(async () => {
  await sim?.close();
  await flushTestPrefix();
  await closeDb();
});

describe('bare-array transports', () => {
  it('answer the rows the cursor API pages through, in order', async () => {
    const cursor = await feedRows(sim.url, DATASET, YEAR, { params: { size: '1200' } });
    expect(cursor).toHaveLength(1200);
    expect(await rowsOf('legacy', { size: '1200' })).toEqual(cursor);
    expect(await rowsOf('isb', { size: '1200' })).toEqual(cursor);
  }, 180_000);

  it('refuse a wrong ISB key and a replay as of a date', async () => {
    const feed = transportFor(
      DATASET,
      { ...config('isb'), baseUrl: sim.url, isbKey: 'salah' },
      { retries: 0 },
    );
    await expect(
      (async () => {
        for await (const _page of feed.pages({ dataset: DATASET, klpd: KLPD, year: YEAR })) break;
      })(),
    ).rejects.toBeInstanceOf(FeedRejectedError);
    const legacy = transportFor(DATASET, { ...config('legacy'), baseUrl: sim.url });
    await expect(
      (async () => {
        for await (const _page of legacy.pages({
          dataset: DATASET,
          klpd: KLPD,
          year: YEAR,
          asOf: '2023-09-09',
        }))
          break;
      })(),
    ).rejects.toBeInstanceOf(FeedRejectedError);
  }, 180_000);

  it('a pull whose array breaks off resumes after its committed pages and ends with the whole snapshot', async () => {
    const key = sourceKey(DATASET, KLPD, YEAR);
    await prisma.feedSource.create({ data: { key, dataset: DATASET, klpdCode: KLPD, fiscalYear: YEAR } });
    const request = { sourceKey: key, trigger: 'SCHEDULE' as const, jobKey: 'job-broken-array' };
    const options = {
      feed: { baseUrl: sim.url, backoffBaseMs: 1, backoffMaxMs: 2, retries: 0 },
      transport: { transport: 'legacy' as const },
      params: { size: '40', fault_truncateJsonOnPage: '1' },
      pageLimit: 1,
      batchRows: 1,
      finalAttempt: false,
    };
    await expect(pull(request, options)).rejects.toBeInstanceOf(FeedBadResponseError);
    const broken = await prisma.ingestRun.findFirstOrThrow({ where: { jobId: 'job-broken-array' } });
    expect(broken).toMatchObject({ status: 'QUEUED', cursor: 'row:2', fetched: 2 });

    const resumed = await pull(request, options);
    const rows = await feedRows(sim.url, DATASET, YEAR, { params: { size: '40' } });
    const expected = expectedSnapshot(DATASET, rows, YEAR);
    // No record read twice: the duplicates are the snapshot's own.
    expect(resumed).toMatchObject({
      outcome: 'finished',
      run: { status: 'SUCCEEDED', fetched: 40, duplicates: expected.duplicates },
    });
    expect(await storedItems(DATASET)).toEqual(expected.items);
  }, 180_000);

  it('hands over the first records while the answer is still being sent (a stream, not a buffer)', async () => {
    const feed = transportFor(DATASET, { ...config('legacy'), baseUrl: sim.url });
    const started = performance.now();
    let firstPageAt = 0;
    let count = 0;
    let largest = 0;
    for await (const page of feed.pages({
      dataset: DATASET,
      klpd: KLPD,
      year: YEAR,
      limit: 500,
      params: { size: '10000' },
    })) {
      if (count === 0) firstPageAt = performance.now() - started;
      count += page.rows.length;
      largest = Math.max(largest, page.rows.length);
    }
    const total = performance.now() - started;
    expect(count).toBe(10_000);
    expect(largest).toBe(500);
    expect(firstPageAt).toBeLessThan(total / 3);
  }, 60_000);
});
