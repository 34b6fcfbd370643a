// The incremental recompute: versions, diffing, provenance per year, retries and atomicity.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb, pool } from '../../src/lib/db.js';
import { ValidationError } from '../../src/lib/errors.js';
import { pickVersion } from '../../src/services/kpi/read.js';
import { latestVersionId, recomputeKpis } from '../../src/services/kpi/recompute.js';
import { createAgency, createRun, setTarget, upsertItems, withdrawItems } from '../factories/kpi-items.js';
import {
  scratchAggregates,
  scratchCommitments,
  versionAggregates,
  versionCommitments,
} from '../factories/kpi-scratch.js';
import { createTestDatabase } from '../helpers/db.js';

let a1: number;
let a2: number;

beforeAll(async () => {
  await createTestDatabase();
  a1 = (await createAgency()).id;
  a2 = (await createAgency()).id;
});
afterAll(closeDb);

async function currentRows(table: 'kpi_aggregate' | 'kpi_commitment'): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${table} WHERE version_to IS NULL`,
  );
  return Number(rows[0]!.n);
}

describe('recomputeKpis', () => {
  it('rejects an empty reason and a malformed as-of date and writes nothing', async () => {
    await expect(recomputeKpis({ reason: ' ' })).rejects.toBeInstanceOf(ValidationError);
    await expect(recomputeKpis({ reason: 'x', asOf: '5 Nov 2023' })).rejects.toBeInstanceOf(ValidationError);
    expect(await latestVersionId()).toBe(0);
  });

  it('returns version 0 and writes nothing when nothing is dirty', async () => {
    expect(await recomputeKpis({ reason: 'idle' })).toEqual({ version: 0, touchedBuckets: 0 });
  });

  it('publishes version 1 whose aggregates equal a from-scratch computation', async () => {
    const run = await createRun({ fiscalYear: 2023, asOf: '2023-09-09' });
    await upsertItems(
      [
        {
          sourceKey: 'c1',
          agencyId: a1,
          value: '100.00',
          pdnValue: '80.00',
          umkValue: '10.00',
          itemDate: '2023-01-10',
        },
        { sourceKey: 'c2', agencyId: a1, value: '50.50', pdnValue: null, itemDate: '2023-01-20' },
        {
          sourceKey: 'c3',
          agencyId: a2,
          value: null,
          pdnValue: '5.25',
          itemDate: '2023-02-01',
          channel: 'NON_TENDER',
        },
        { sourceKey: 'c4', agencyId: null, value: '7.00', pdnValue: '7.00', itemDate: '2023-02-03' },
        { sourceKey: 'c5', agencyId: a1, value: '9.00', itemDate: '2022-12-30' },
        { sourceKey: 'c6', agencyId: a1, value: '9.00', itemDate: '2024-01-02' },
        { sourceKey: 'c7', agencyId: a1, value: '999.00', counted: false },
        { sourceKey: 'p1', kind: 'PLAN', agencyId: a1, value: '1000.00', pdnValue: '1000.00' },
        { sourceKey: 'p2', kind: 'PLAN', agencyId: a2, value: '300.00', pdnValue: null },
      ],
      run,
    );
    const result = await recomputeKpis({ reason: 'ingest', runIds: [run] });
    expect(result.version).toBe(1);
    expect(result.touchedBuckets).toBeGreaterThan(0);
    expect(await versionAggregates(1)).toEqual(await scratchAggregates());
    expect(await versionCommitments(1)).toEqual(await scratchCommitments());
    const { rows } = await pool.query(
      'SELECT fiscal_year, as_of, run_ids FROM kpi_version_year WHERE version_id = 1',
    );
    expect(rows).toEqual([{ fiscal_year: 2023, as_of: '2023-09-09', run_ids: [run] }]);
    const dirty = await pool.query('SELECT count(*)::int AS n FROM kpi_dirty_bucket');
    expect(dirty.rows[0].n).toBe(0);
  });

  it('places dates outside the fiscal year in month 1 or 12 of that year', async () => {
    const { rows } = await pool.query<{ month: number; total: string }>(
      `SELECT month, sum(total_value)::text AS total FROM kpi_aggregate
       WHERE version_to IS NULL AND agency_id = $1 GROUP BY month ORDER BY month`,
      [a1],
    );
    expect(rows).toEqual([
      { month: 1, total: '159.50' },
      { month: 12, total: '9.00' },
    ]);
  });

  it('is a no-op on retry: the same version, nothing written', async () => {
    const before = await currentRows('kpi_aggregate');
    const runs = (await pool.query<{ id: number }>('SELECT id FROM ingest_run')).rows.map((r) => r.id);
    expect(await recomputeKpis({ reason: 'retry', runIds: runs })).toEqual({ version: 1, touchedBuckets: 0 });
    expect(await currentRows('kpi_aggregate')).toBe(before);
  });

  it('closes only the rows whose values changed and keeps earlier versions readable', async () => {
    const v1 = await versionAggregates(1);
    const run = await createRun({ fiscalYear: 2023, asOf: '2023-10-15' });
    await upsertItems(
      [
        {
          sourceKey: 'c3',
          agencyId: a2,
          value: '20.00',
          pdnValue: '6.25',
          itemDate: '2023-02-01',
          channel: 'NON_TENDER',
        },
      ],
      run,
    );
    const { version } = await recomputeKpis({ reason: 'ingest', runIds: [run] });
    expect(version).toBe(2);
    const { rows } = await pool.query<{ version_from: number; agency_id: number | null }>(
      'SELECT version_from, agency_id FROM kpi_aggregate WHERE version_to = 2',
    );
    expect(rows).toEqual([{ version_from: 1, agency_id: a2 }]);
    expect(await versionAggregates(1)).toEqual(v1);
    expect(await versionAggregates(2)).toEqual(await scratchAggregates());
  });

  it('drops a withdrawn item from its bucket and a withdrawn plan from the commitment', async () => {
    const run = await createRun({ fiscalYear: 2023, asOf: '2023-11-05' });
    await withdrawItems([{ sourceKey: 'c4' }], run);
    await withdrawItems([{ dataset: 'rup/paket-penyedia-terumumkan', sourceKey: 'p1' }], run);
    const { version } = await recomputeKpis({ reason: 'ingest', runIds: [run] });
    expect(await versionAggregates(version)).toEqual(await scratchAggregates());
    expect(await versionCommitments(version)).toEqual(await scratchCommitments());
    const nullAgency = await pool.query(
      'SELECT count(*)::int AS n FROM kpi_aggregate WHERE version_to IS NULL AND agency_id IS NULL',
    );
    expect(nullAgency.rows[0].n).toBe(0);
  });

  it('publishes no version for an unchanged snapshot with a newer as-of date: it confirms the current one', async () => {
    const before = await latestVersionId();
    const current = await pickVersion(2023);
    const run = await createRun({ fiscalYear: 2023, asOf: '2023-11-06' });
    const result = await recomputeKpis({ reason: 'ingest', runIds: [run] });
    expect(result).toMatchObject({ version: current!.version, touchedBuckets: 0, status: 'UNCHANGED' });
    expect(await latestVersionId()).toBe(before);
    const confirmed = await pickVersion(2023);
    expect(confirmed).toMatchObject({ version: current!.version, asOf: '2023-11-06' });
    expect(confirmed!.confirmedAt).toBeInstanceOf(Date);
    // The answer for the earlier date reads as it did.
    expect(await pickVersion(2023, current!.asOf)).toMatchObject({
      version: current!.version,
      asOf: current!.asOf,
    });
    expect(await recomputeKpis({ reason: 'retry', runIds: [run] })).toEqual({
      version: current!.version,
      touchedBuckets: 0,
    });
  });

  it('keeps the latest run of each dataset as the year provenance', async () => {
    const plans = await createRun({
      fiscalYear: 2023,
      asOf: '2023-11-07',
      dataset: 'rup/paket-penyedia-terumumkan',
    });
    await upsertItems(
      [
        {
          kind: 'PLAN',
          sourceKey: 'p-late',
          fiscalYear: 2023,
          agencyId: a1,
          value: '7.00',
          itemDate: '2023-11-01',
        },
      ],
      plans,
    );
    const { version } = await recomputeKpis({ reason: 'ingest', runIds: [plans] });
    const { rows } = await pool.query<{ run_ids: number[] }>(
      'SELECT run_ids FROM kpi_version_year WHERE version_id = $1',
      [version],
    );
    const datasets = await pool.query<{ dataset: string }>(
      'SELECT dataset FROM ingest_run WHERE id = ANY($1) ORDER BY dataset',
      [rows[0]!.run_ids],
    );
    expect(datasets.rows.map((r) => r.dataset)).toEqual([
      'rup/paket-penyedia-terumumkan',
      'tender/tender-ekontrak-kontrak',
    ]);
  });

  it('captures a changed official commitment in a new version, beside the computed one', async () => {
    await setTarget({ fiscalYear: 2023, agencyId: a2, officialCommitment: '5000.00' });
    const { version, touchedBuckets } = await recomputeKpis({ reason: 'target changed' });
    expect(touchedBuckets).toBe(0);
    const { rows } = await pool.query(
      'SELECT value::text, official_value::text FROM kpi_commitment WHERE version_to IS NULL AND agency_id = $1',
      [a2],
    );
    expect(rows).toEqual([{ value: '0.00', official_value: '5000.00' }]);
    expect(await versionAggregates(version)).toEqual(await scratchAggregates());
  });

  it('stamps an as-of override only on years whose data it recomputed', async () => {
    await setTarget({ fiscalYear: 2030, agencyId: a1, officialCommitment: '10.00' });
    const run = await createRun({ fiscalYear: 2029, asOf: null });
    await upsertItems(
      [{ sourceKey: 'y29', fiscalYear: 2029, agencyId: a1, value: '1.00', itemDate: '2029-02-02' }],
      run,
    );
    const { version } = await recomputeKpis({ reason: 'replay', runIds: [run], asOf: '2029-03-01' });
    const { rows } = await pool.query(
      'SELECT fiscal_year, as_of FROM kpi_version_year WHERE version_id = $1 ORDER BY fiscal_year',
      [version],
    );
    expect(rows).toEqual([
      { fiscal_year: 2029, as_of: '2029-03-01' },
      { fiscal_year: 2030, as_of: null },
    ]);
  });

  it('a full recompute of unchanged data changes no rows', async () => {
    const before = await pool.query('SELECT count(*)::int AS n FROM kpi_aggregate');
    await recomputeKpis({ reason: 'admin', full: true });
    const after = await pool.query('SELECT count(*)::int AS n FROM kpi_aggregate');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('serialises concurrent recomputes: each change lands in exactly one version', async () => {
    const runA = await createRun({ fiscalYear: 2024, asOf: '2024-06-09' });
    await upsertItems(
      [{ sourceKey: 'd1', fiscalYear: 2024, agencyId: a1, value: '1.00', itemDate: '2024-05-01' }],
      runA,
    );
    const runB = await createRun({ fiscalYear: 2024, asOf: '2024-06-09' });
    const results = await Promise.all([
      recomputeKpis({ reason: 'a', runIds: [runA] }),
      upsertItems(
        [{ sourceKey: 'd2', fiscalYear: 2024, agencyId: a2, value: '2.00', itemDate: '2024-06-01' }],
        runB,
      ).then(() => recomputeKpis({ reason: 'b', runIds: [runB] })),
    ]);
    await recomputeKpis({ reason: 'drain' });
    // A recompute takes every run not yet accounted for: b finds its change taken by a, or its own;
    // one that finds its buckets already at the published figures confirms them (UNCHANGED). Never
    // held: nothing here breaks a drift rule.
    for (const r of results) expect([undefined, 'PUBLISHED', 'UNCHANGED']).toContain(r.status);
    expect(await versionAggregates(await latestVersionId())).toEqual(await scratchAggregates());
    const open = await pool.query(
      `SELECT fiscal_year, month, agency_id, channel, count(*)::int AS n FROM kpi_aggregate
       WHERE version_to IS NULL GROUP BY 1, 2, 3, 4, vendor_scale HAVING count(*) > 1`,
    );
    expect(open.rows).toEqual([]);
  });

  it('takes a hand-run UPDATE of the items, which marks no bucket dirty, from its deltas', async () => {
    await recomputeKpis({ reason: 'settle' });
    await pool.query(
      `UPDATE procurement_item SET pdn_value = pdn_value + 1, item_date = item_date + 40
       WHERE kind = 'REALISATION' AND pdn_value IS NOT NULL AND source_key = 'd1'`,
    );
    const result = await recomputeKpis({ reason: 'hand-run update' });
    expect(result.status).toBe('PUBLISHED');
    expect(await versionAggregates(await latestVersionId())).toEqual(await scratchAggregates());
  });

  it('refuses deltas out of step with the aggregates and writes nothing; a full recompute mends them', async () => {
    await upsertItems([
      { sourceKey: 'o1', fiscalYear: 2024, agencyId: a1, value: '5.00', itemDate: '2024-02-01' },
    ]);
    // Something emptied the deltas behind the recompute's back, then the item went away.
    await pool.query('DELETE FROM kpi_item_delta');
    await pool.query(`DELETE FROM procurement_item WHERE source_key = 'o1'`);
    const version = await latestVersionId();
    await expect(recomputeKpis({ reason: 'out of step' })).rejects.toThrow(/out of step.*full recompute/);
    expect(await latestVersionId()).toBe(version);
    await recomputeKpis({ reason: 'mend', full: true });
    expect(await versionAggregates(await latestVersionId())).toEqual(await scratchAggregates());
    expect(await versionCommitments(await latestVersionId())).toEqual(await scratchCommitments());
  });

  it('after a TRUNCATE of the items, the next recompute empties the aggregates', async () => {
    expect(await currentRows('kpi_aggregate')).toBeGreaterThan(0);
    await pool.query('TRUNCATE procurement_item, kpi_dirty_bucket CASCADE');
    await recomputeKpis({ reason: 'emptied' });
    expect(await currentRows('kpi_aggregate')).toBe(0);
    expect(await versionCommitments(await latestVersionId())).toEqual([]);
  });
});
