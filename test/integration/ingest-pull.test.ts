// Pulling a source from the simulator (a real HTTP server on loopback) into PostgreSQL: counts,
// stored rows, idempotency, changed and disappearing rows, duplicates, rejected rows, dirty KPI
// buckets and the snapshot's as-of.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadDemoData } from '../../src/demo/seed.js';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { closeDb, pool, prisma } from '../../src/lib/db.js';
import { decideHeldRun } from '../../src/services/ingest/held.js';
import { pull } from '../../src/services/ingest/pull.js';
import type { Run } from '../../src/services/ingest/runs.js';
import { ensureSources, sourceKey } from '../../src/services/ingest/sources.js';
import { createTestDatabase } from '../helpers/db.js';
import { expectedSnapshot, feedAsOf, feedRows, fullItemDump, KLPD, storedItems } from '../helpers/ingest.js';

const DATASET = 'tender/pencatatan-non-tender' as const;
const YEAR = 2023;
const KEY = sourceKey(DATASET, KLPD, YEAR);

let clean: RunningFeedSimulator;
let changed: RunningFeedSimulator;
let shrunk: RunningFeedSimulator;
let job = 0;

/** A pull as a queue job would ask for it, in small pages and batches so both boundaries are crossed. */
async function pullFrom(sim: RunningFeedSimulator, extra: { requestedAsOf?: string } = {}): Promise<Run> {
  job += 1;
  const outcome = await pull(
    { sourceKey: KEY, trigger: 'STARTUP', jobKey: `test.${job}`, ...extra },
    { feed: { baseUrl: sim.url, backoffBaseMs: 5, backoffMaxMs: 20 }, pageLimit: 25, batchRows: 60 },
  );
  if (outcome.outcome !== 'finished') throw new Error(`pull ${outcome.outcome}`);
  return outcome.run;
}

beforeAll(async () => {
  await createTestDatabase();
  await loadDemoData();
  await ensureSources();
  [clean, changed, shrunk] = await Promise.all([
    startFeedSimulator({ klpd: KLPD }),
    startFeedSimulator({ klpd: KLPD, faults: { changedRowsSeed: 7 } }),
    startFeedSimulator({ klpd: KLPD, faults: { disappearingRows: 9 } }),
  ]);
});
afterAll(async () => {
  await Promise.all([clean, changed, shrunk].map((s) => s?.close()));
  await closeDb();
});

describe('a pull of a source', () => {
  let first: Run;

  it('stores every valid row once, keeps every invalid row with its reason and counts it all', async () => {
    const expected = expectedSnapshot(DATASET, await feedRows(clean.url, DATASET, YEAR), YEAR);
    expect(expected.rejected).toBeGreaterThan(0);
    expect(expected.duplicates).toBeGreaterThan(0);

    first = await pullFrom(clean);
    expect(first).toMatchObject({
      status: 'SUCCEEDED',
      trigger: 'STARTUP',
      fetched: expected.fetched,
      inserted: expected.items.size,
      updated: 0,
      unchanged: 0,
      rejected: expected.rejected,
      duplicates: expected.duplicates,
      withdrawn: 0,
      pages: Math.ceil(expected.fetched / 25),
      pagesDone: true,
    });
    expect(await storedItems(DATASET)).toEqual(expected.items);
    // A finished run still shows the cursor of its last page.
    expect(first.cursor).not.toBeNull();
    // The snapshot's as-of is the date the feed states for its current data.
    expect(first.asOf).toBe(await feedAsOf(clean.url, DATASET, YEAR));
    expect(first.asOf).toMatch(/^2023-\d{2}-\d{2}$/);

    const rejected = await prisma.rejectedRow.findMany({
      where: { runId: first.id },
      orderBy: { rowNumber: 'asc' },
    });
    expect(rejected).toHaveLength(expected.rejected);
    for (const row of rejected) {
      expect(row.reason).toMatch(/\S/);
      expect(JSON.parse(row.raw)).toEqual(expect.any(Object));
    }
    // The seen-key set of a finished run is gone; the source knows its last snapshot.
    expect((await pool.query('SELECT count(*)::int AS n FROM ingest_stage_row')).rows[0].n).toBe(0);
    const source = await prisma.feedSource.findUniqueOrThrow({ where: { key: KEY } });
    expect(source.lastSnapshotRunId).toBe(first.id);
    expect(source.lastSuccessAt).not.toBeNull();
  });

  it('resolves agencies by kd_satker_str and marks the dirty KPI buckets of what it wrote', async () => {
    const unresolved = await pool.query(
      'SELECT count(*)::int AS n FROM procurement_item WHERE dataset = $1 AND agency_id IS NULL',
      [DATASET],
    );
    expect(unresolved.rows[0].n).toBe(first.unknownAgencies);
    const { rows } = await pool.query<{ missing: number }>(
      `SELECT count(*)::int AS missing FROM (
         SELECT DISTINCT fiscal_year, agency_id, EXTRACT(MONTH FROM item_date)::int AS month
         FROM procurement_item WHERE dataset = $1
         EXCEPT SELECT fiscal_year, agency_id, month FROM kpi_dirty_bucket WHERE run_id = $2) m`,
      [DATASET, first.id],
    );
    expect(rows[0]!.missing).toBe(0);
  });

  it('changes nothing when the same snapshot is pulled again: every row unchanged, same hash', async () => {
    const before = await fullItemDump();
    const dirtyBefore = await prisma.kpiDirtyBucket.count();
    const again = await pullFrom(clean);
    expect(again).toMatchObject({
      status: 'SUCCEEDED',
      fetched: first.fetched,
      inserted: 0,
      updated: 0,
      unchanged: first.inserted,
      rejected: first.rejected,
      duplicates: first.duplicates,
      withdrawn: 0,
    });
    expect((await prisma.ingestRun.findUniqueOrThrow({ where: { id: again.id } })).contentHash).toBe(
      (await prisma.ingestRun.findUniqueOrThrow({ where: { id: first.id } })).contentHash,
    );
    expect(await fullItemDump()).toEqual(before);
    expect(await prisma.kpiDirtyBucket.count()).toBe(dirtyBefore);
  });

  it('updates exactly the rows that changed between snapshots', async () => {
    const before = await storedItems(DATASET);
    const expected = expectedSnapshot(DATASET, await feedRows(changed.url, DATASET, YEAR), YEAR);
    const differing = [...expected.items]
      .filter(([key, hash]) => before.get(key) !== hash)
      .map(([key]) => key);
    expect(differing.length).toBeGreaterThan(0);

    const run = await pullFrom(changed);
    expect(run).toMatchObject({
      inserted: 0,
      updated: differing.length,
      unchanged: first.inserted - differing.length,
    });
    expect(await storedItems(DATASET)).toEqual(expected.items);
    const titles = await prisma.procurementItem.findMany({
      where: { dataset: DATASET, sourceKey: { in: differing } },
      select: { title: true, lastRunId: true },
    });
    expect(titles.every((t) => t.title?.endsWith('(perubahan)') && t.lastRunId === run.id)).toBe(true);
  });

  it('holds a snapshot that withdraws more than the allowed share; approved, it marks the missing rows withdrawn, never deletes them, and restores them', async () => {
    const expected = expectedSnapshot(DATASET, await feedRows(shrunk.url, DATASET, YEAR), YEAR);
    const total = await prisma.procurementItem.count({ where: { dataset: DATASET } });
    const gone = total - expected.items.size;
    expect(gone).toBeGreaterThan(0.05 * total);

    const before = await fullItemDump();
    const held = await pullFrom(shrunk);
    expect(held).toMatchObject({ status: 'HELD', withdrawn: 0, appliedAt: null });
    expect(held.heldReason).toContain(`withdraw ${gone} of`);
    expect(await fullItemDump()).toEqual(before);

    const run = await decideHeldRun(held.id, 'APPROVE', 'checked with LKPP');
    expect(run.status).toBe('SUCCEEDED');
    expect(run.withdrawn).toBe(gone);
    expect(await prisma.procurementItem.count({ where: { dataset: DATASET } })).toBe(total);
    expect(await storedItems(DATASET)).toEqual(expected.items);
    const dirty = await pool.query('SELECT 1 FROM kpi_dirty_bucket WHERE run_id = $1', [run.id]);
    expect(dirty.rowCount).toBeGreaterThan(0);

    const back = await pullFrom(clean);
    expect(back.withdrawn).toBe(0);
    // The withdrawn rows come back, and the changed rows return to their clean content.
    expect(back.inserted).toBe(0);
    expect(back.updated).toBeGreaterThanOrEqual(gone);
    expect(
      await prisma.procurementItem.count({ where: { dataset: DATASET, withdrawnAt: { not: null } } }),
    ).toBe(0);
  });

  it('replays a source as of a date and records that date as the snapshot as-of', async () => {
    const expected = expectedSnapshot(
      DATASET,
      await feedRows(clean.url, DATASET, YEAR, { asOf: '2023-09-09' }),
      YEAR,
    );
    const run = await pullFrom(clean, { requestedAsOf: '2023-09-09' });
    expect(run.asOf).toBe('2023-09-09');
    expect(await storedItems(DATASET)).toEqual(expected.items);
    const again = await pullFrom(clean, { requestedAsOf: '2023-09-09' });
    expect(again).toMatchObject({ inserted: 0, updated: 0, withdrawn: 0, unchanged: expected.items.size });
    const source = await prisma.feedSource.findUniqueOrThrow({ where: { key: KEY } });
    expect(source.lastSnapshotAsOf).toEqual(new Date('2023-09-09T00:00:00Z'));
  });
});
