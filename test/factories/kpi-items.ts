// Builds procurement items for KPI tests the way ingest writes them: each insert, change or
// withdrawal marks the old and the new (fiscal year, agency, month) bucket dirty in the same
// transaction, so recomputeKpis sees exactly what it would see after a real pull.
import { pool } from '../../src/lib/db.js';

export type Channel = 'TENDER' | 'NON_TENDER' | 'PENCATATAN' | 'E_KATALOG' | 'TOKO_DARING' | 'RUP';

export interface ItemSpec {
  dataset?: string;
  sourceKey: string;
  kind?: 'PLAN' | 'REALISATION';
  channel?: Channel;
  fiscalYear?: number;
  agencyId?: number | null;
  agencyCode?: string;
  vendorCode?: string | null;
  vendorNpwp?: string | null;
  vendorScale?: 'MICRO' | 'SMALL' | 'MEDIUM' | 'LARGE' | 'KOPERASI' | 'UNKNOWN';
  value?: string | null;
  pdnValue?: string | null;
  umkValue?: string | null;
  itemDate?: string | null;
  counted?: boolean;
}

let agencySerial = 0;

export async function createAgency(
  fields: { code?: string; name?: string; kind?: string; parentId?: number | null } = {},
): Promise<{ id: number; code: string }> {
  agencySerial += 1;
  const code = fields.code ?? `T.${String(agencySerial).padStart(3, '0')}`;
  const { rows } = await pool.query<{ id: number; code: string }>(
    `INSERT INTO agency (code, name, kind, parent_id, updated_at) VALUES ($1, $2, $3::"AgencyKind", $4, now())
     RETURNING id, code`,
    [code, fields.name ?? `Dinas ${code}`, fields.kind ?? 'DINAS', fields.parentId ?? null],
  );
  return rows[0]!;
}

export async function createRun(fields: {
  dataset?: string;
  fiscalYear: number;
  asOf: string | null;
  status?: 'SUCCEEDED' | 'FAILED' | 'RUNNING';
  finishedAt?: Date;
  /** A replay or backfill: the date asked of the feed (the snapshot's as-of is that date). */
  requestedAsOf?: string | null;
  trigger?: 'MANUAL' | 'SCHEDULE' | 'REPLAY' | 'CATCH_UP' | 'FILE';
  /** Recorded as applied to the items, as ingest does: it can then be taken back from its journal. */
  applied?: boolean;
}): Promise<number> {
  const dataset = fields.dataset ?? 'tender/tender-ekontrak-kontrak';
  const key = `${dataset}:T:${fields.fiscalYear}`;
  const source = await pool.query<{ id: number }>(
    `INSERT INTO feed_source (key, dataset, klpd_code, fiscal_year, updated_at) VALUES ($1, $2, 'T', $3, now())
     ON CONFLICT (key) DO UPDATE SET updated_at = now() RETURNING id`,
    [key, dataset, fields.fiscalYear],
  );
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO ingest_run (source_id, dataset, trigger, status, as_of, started_at, finished_at, requested_as_of,
       applied_at)
     VALUES ($1, $2, $6::"RunTrigger", $3::"RunStatus", $4, now(), $5, $7, CASE WHEN $8 THEN now() END) RETURNING id`,
    [
      source.rows[0]!.id,
      dataset,
      fields.status ?? 'SUCCEEDED',
      fields.asOf,
      fields.finishedAt ?? new Date(),
      fields.trigger ?? (fields.requestedAsOf ? 'REPLAY' : 'MANUAL'),
      fields.requestedAsOf ?? null,
      fields.applied ?? false,
    ],
  );
  if (fields.applied) {
    await pool.query(
      'UPDATE feed_source SET last_snapshot_run_id = $2, last_snapshot_as_of = $3 WHERE id = $1',
      [source.rows[0]!.id, rows[0]!.id, fields.asOf],
    );
  }
  return rows[0]!.id;
}

/** The item's state before run $1 first changed it (null: the run inserted it), as ingest journals it. */
const JOURNAL = `
INSERT INTO ingest_item_journal (run_id, item_id, action, previous)
SELECT $1, i.id, CASE WHEN $3::jsonb IS NULL THEN 'INSERTED' ELSE 'UPDATED' END, $3::jsonb
FROM procurement_item i WHERE i.id = $2
ON CONFLICT (run_id, item_id) DO NOTHING`;

const PREVIOUS = `SELECT to_jsonb(i) AS previous FROM procurement_item i WHERE dataset = $1 AND source_key = $2`;

const DIRTY_OLD_AND_NEW = `
INSERT INTO kpi_dirty_bucket (fiscal_year, agency_id, month, run_id)
SELECT DISTINCT y, a, m, $1::int FROM (VALUES ($2::int, $3::int, $4::int), ($5::int, $6::int, $7::int)) v(y, a, m)
WHERE y IS NOT NULL`;

function monthOf(date: string | null | undefined): number | null {
  return date ? Number(date.slice(5, 7)) : null;
}

/**
 * Inserts or updates items by (dataset, source_key) and marks their old and new buckets dirty,
 * all in one transaction, as ingest does. Returns how many rows changed.
 */
export async function upsertItems(items: ItemSpec[], runId: number | null = null): Promise<number> {
  const client = await pool.connect();
  let changed = 0;
  try {
    await client.query('BEGIN');
    for (const spec of items) {
      const item = withDefaults(spec);
      const old = await client.query<{
        fiscal_year: number;
        agency_id: number | null;
        item_date: string | null;
      }>(
        `SELECT fiscal_year, agency_id, item_date FROM procurement_item WHERE dataset = $1 AND source_key = $2`,
        [item.dataset, item.sourceKey],
      );
      const previous = (await client.query<{ previous: unknown }>(PREVIOUS, [item.dataset, item.sourceKey]))
        .rows[0]?.previous;
      const written = await client.query<{ id: number }>(
        `INSERT INTO procurement_item (dataset, source_key, kind, channel, fiscal_year, agency_code, agency_id,
           vendor_code, vendor_npwp, vendor_scale, value, pdn_value, umk_value, item_date, counted, content_hash, raw,
           first_run_id, last_run_id)
         VALUES ($1, $2, $3::"ItemKind", $4::"ProcurementChannel", $5, $6, $7, $8, $9, $10::"VendorScale", $11, $12,
           $13, $14, $15, md5($16), $16::jsonb, $17, $17)
         ON CONFLICT (dataset, source_key) DO UPDATE SET kind = EXCLUDED.kind, channel = EXCLUDED.channel,
           fiscal_year = EXCLUDED.fiscal_year, agency_code = EXCLUDED.agency_code, agency_id = EXCLUDED.agency_id,
           vendor_code = EXCLUDED.vendor_code, vendor_npwp = EXCLUDED.vendor_npwp,
           vendor_scale = EXCLUDED.vendor_scale, value = EXCLUDED.value, pdn_value = EXCLUDED.pdn_value,
           umk_value = EXCLUDED.umk_value, item_date = EXCLUDED.item_date, counted = EXCLUDED.counted,
           content_hash = EXCLUDED.content_hash, raw = EXCLUDED.raw, last_run_id = EXCLUDED.last_run_id,
           withdrawn_at = NULL, updated_at = now()
         RETURNING id`,
        [
          item.dataset,
          item.sourceKey,
          item.kind,
          item.channel,
          item.fiscalYear,
          item.agencyCode,
          item.agencyId,
          item.vendorCode,
          item.vendorNpwp,
          item.vendorScale,
          item.value,
          item.pdnValue,
          item.umkValue,
          item.itemDate,
          item.counted,
          JSON.stringify(spec),
          runId,
        ],
      );
      if (runId !== null) {
        await client.query(JOURNAL, [runId, written.rows[0]!.id, previous ? JSON.stringify(previous) : null]);
      }
      const before = old.rows[0];
      await client.query(DIRTY_OLD_AND_NEW, [
        runId,
        before?.fiscal_year ?? null,
        before?.agency_id ?? null,
        monthOf(before?.item_date),
        item.fiscalYear,
        item.agencyId,
        monthOf(item.itemDate),
      ]);
      changed += 1;
    }
    await client.query('COMMIT');
    return changed;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

/** Withdraws items (a key missing from a complete snapshot) and marks their buckets dirty. */
export async function withdrawItems(
  keys: { dataset?: string; sourceKey: string }[],
  runId: number | null = null,
): Promise<number> {
  const client = await pool.connect();
  let changed = 0;
  try {
    await client.query('BEGIN');
    for (const key of keys) {
      const dataset = key.dataset ?? 'tender/tender-ekontrak-kontrak';
      const previous = (await client.query<{ previous: unknown }>(PREVIOUS, [dataset, key.sourceKey])).rows[0]
        ?.previous;
      const { rows } = await client.query<{
        id: number;
        fiscal_year: number;
        agency_id: number | null;
        item_date: string | null;
      }>(
        `UPDATE procurement_item SET withdrawn_at = now(), updated_at = now(), last_run_id = $3
         WHERE dataset = $1 AND source_key = $2 AND withdrawn_at IS NULL
         RETURNING id, fiscal_year, agency_id, item_date`,
        [dataset, key.sourceKey, runId],
      );
      const row = rows[0];
      if (!row) continue;
      if (runId !== null) await client.query(JOURNAL, [runId, row.id, JSON.stringify(previous)]);
      await client.query(DIRTY_OLD_AND_NEW, [
        runId,
        row.fiscal_year,
        row.agency_id,
        monthOf(row.item_date),
        null,
        null,
        null,
      ]);
      changed += 1;
    }
    await client.query('COMMIT');
    return changed;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

function withDefaults(spec: ItemSpec) {
  const kind = spec.kind ?? 'REALISATION';
  return {
    dataset:
      spec.dataset ?? (kind === 'PLAN' ? 'rup/paket-penyedia-terumumkan' : 'tender/tender-ekontrak-kontrak'),
    sourceKey: spec.sourceKey,
    kind,
    channel: spec.channel ?? (kind === 'PLAN' ? 'RUP' : 'TENDER'),
    fiscalYear: spec.fiscalYear ?? 2023,
    agencyCode: spec.agencyCode ?? 'T',
    agencyId: spec.agencyId ?? null,
    vendorCode: spec.vendorCode ?? null,
    vendorNpwp: spec.vendorNpwp ?? null,
    vendorScale: spec.vendorScale ?? 'UNKNOWN',
    value: spec.value === undefined ? '0.00' : spec.value,
    pdnValue: spec.pdnValue === undefined ? (spec.value ?? '0.00') : spec.pdnValue,
    umkValue: spec.umkValue === undefined ? '0.00' : spec.umkValue,
    itemDate: spec.itemDate === undefined ? `${spec.fiscalYear ?? 2023}-03-15` : spec.itemDate,
    counted: spec.counted ?? true,
  };
}

/** Sets an agency's official commitment and share targets for a year. */
export async function setTarget(fields: {
  fiscalYear: number;
  agencyId: number;
  officialCommitment?: string | null;
  pdnShareTarget?: string;
  umkShareTarget?: string;
}): Promise<void> {
  await pool.query(
    `INSERT INTO fiscal_target (fiscal_year, agency_id, official_commitment, pdn_share_target, umk_share_target, updated_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (fiscal_year, agency_id) DO UPDATE SET official_commitment = EXCLUDED.official_commitment,
       pdn_share_target = EXCLUDED.pdn_share_target, umk_share_target = EXCLUDED.umk_share_target, updated_at = now()`,
    [
      fields.fiscalYear,
      fields.agencyId,
      fields.officialCommitment ?? null,
      fields.pdnShareTarget ?? '95.00',
      fields.umkShareTarget ?? '40.00',
    ],
  );
}
