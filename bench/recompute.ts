// Measures the KPI recompute at scale: generates 10^6 procurement items directly in SQL in its
// own database, runs a full recompute, then recomputes after 1 % deltas marked dirty the way
// ingest marks them, and prints the times and the delta ÷ full ratio. Also times a KPI read.
//
//   npm run bench:recompute                    # 1 000 000 items in database bisma_bench
//   BENCH_ITEMS=200000 npm run bench:recompute
import { performance } from 'node:perf_hooks';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 1_000_000);
const DELTA_SHARE = 0.01;
const base = new URL(process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/bisma_bench');
process.env.DATABASE_URL = base.toString();
process.env.DB_STATEMENT_TIMEOUT_MS = '0';
process.env.LOG_LEVEL ??= 'warn';

const pg = (await import('pg')).default;
const { migrate } = await import('../src/lib/migrate.js');

// The bench owns its database: drop and recreate it so every run starts from the same state.
const admin = new pg.Client({ connectionString: new URL('/postgres', base).toString() });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS "${base.pathname.slice(1)}" WITH (FORCE)`);
await admin.end();
await migrate(base.toString());

const { closeDb, pool } = await import('../src/lib/db.js');
const { recomputeKpis } = await import('../src/services/kpi/recompute.js');
const { kpiSummary } = await import('../src/services/kpi/kpis.js');

async function timed<T>(label: string, run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await run();
  const ms = performance.now() - start;
  console.log(`${label.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(8)} s`);
  return { ms, result };
}

const AGENCIES = 40;
const YEARS = [2022, 2023, 2024];

await pool.query(
  `INSERT INTO agency (code, name, kind, updated_at)
   SELECT 'B.' || lpad(g::text, 3, '0'), 'Dinas Bench ' || g, 'DINAS', now() FROM generate_series(1, $1) g`,
  [AGENCIES],
);

// One statement: ~15 % plans, the rest realisation over six channels, 1 % unknown PDN values,
// 0.5 % unknown agencies, dates spread over the fiscal year (a few just outside it).
await timed(`generate ${ITEMS.toLocaleString('en')} items`, () =>
  pool.query(
    `INSERT INTO procurement_item (dataset, source_key, kind, channel, fiscal_year, agency_code, agency_id,
       vendor_code, vendor_scale, value, pdn_value, umk_value, item_date, counted, content_hash, raw)
     SELECT CASE WHEN plan THEN 'rup/paket-penyedia-terumumkan' ELSE 'bench/' || channel END, 'k' || g,
       CASE WHEN plan THEN 'PLAN' ELSE 'REALISATION' END::"ItemKind",
       (CASE WHEN plan THEN 'RUP' ELSE channel END)::"ProcurementChannel", year, 'B', agency,
       'V' || (g % 50000), (ARRAY['MICRO','SMALL','MEDIUM','LARGE','KOPERASI','UNKNOWN'])[1 + g % 6]::"VendorScale",
       value, CASE WHEN g % 100 = 7 THEN NULL ELSE round(value * 0.8, 2) END, round(value * 0.4, 2),
       make_date(year, 1, 1) + ((g * 7919) % 372 - 3)::int, g % 20 <> 0, md5(g::text), '{}'
     FROM (
       SELECT g, (g % 7 = 0) AS plan,
         (ARRAY['TENDER','NON_TENDER','PENCATATAN','E_KATALOG','TOKO_DARING','SWAKELOLA'])[1 + (g / 7) % 6] AS channel,
         ($2::int[])[1 + g % 3] AS year,
         CASE WHEN g % 200 = 13 THEN NULL ELSE 1 + (g * 31) % $3 END AS agency,
         round(((g * 104729) % 1000000000)::numeric / 100 + 1000, 2) AS value
       FROM generate_series(1::bigint, $1::bigint) g
     ) x`,
    [ITEMS, YEARS, AGENCIES],
  ),
);
await pool.query('ANALYZE procurement_item');

const full = await timed('full recompute', () => recomputeKpis({ reason: 'bench full', full: true }));
const rows = await pool.query<{ n: string }>(
  'SELECT count(*) AS n FROM kpi_aggregate WHERE version_to IS NULL',
);
console.log(`  ${full.result.touchedBuckets} buckets, ${rows.rows[0]!.n} aggregate rows`);

/**
 * Changes `count` items chosen by `where` (value, PDN value, and for a third of them the date) and
 * marks their old and new buckets dirty in the same transaction, as ingest's merge does.
 */
async function delta(where: string, count: number, salt: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `WITH picked AS (
         SELECT id FROM procurement_item WHERE ${where} ORDER BY md5(id::text || $2) LIMIT $1
       ), old AS (
         SELECT i.id, i.fiscal_year, i.agency_id, i.item_date FROM procurement_item i JOIN picked USING (id)
       ), changed AS (
         UPDATE procurement_item i SET value = i.value + 1, pdn_value = i.pdn_value + 1,
           item_date = CASE WHEN i.id % 3 = 0 THEN i.item_date + 20 ELSE i.item_date END, updated_at = now()
         FROM picked WHERE i.id = picked.id
         RETURNING i.fiscal_year, i.agency_id, i.item_date
       )
       INSERT INTO kpi_dirty_bucket (fiscal_year, agency_id, month)
       SELECT DISTINCT fiscal_year, agency_id, extract(month FROM item_date)::int
       FROM (SELECT fiscal_year, agency_id, item_date FROM old UNION ALL SELECT * FROM changed) x`,
      [count, String(salt)],
    );
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

const deltaCount = Math.round(ITEMS * DELTA_SHARE);
await delta('true', deltaCount, 1);
const spread = await timed(`1 % delta spread over all years (${deltaCount})`, () =>
  recomputeKpis({ reason: 'bench delta (spread)' }),
);
console.log(`  ${spread.result.touchedBuckets} buckets recomputed`);

await delta(`fiscal_year = 2024 AND dataset = 'bench/TENDER'`, deltaCount, 2);
const pullLike = await timed(`1 % delta from one (dataset, year) pull`, () =>
  recomputeKpis({ reason: 'bench delta (one pull)' }),
);
console.log(`  ${pullLike.result.touchedBuckets} buckets recomputed`);

await delta(`fiscal_year = 2024 AND agency_id IN (1, 2, 3)`, Math.min(deltaCount, 2000), 3);
const local = await timed('delta in three agencies of one year', () =>
  recomputeKpis({ reason: 'bench delta (local)' }),
);
console.log(`  ${local.result.touchedBuckets} buckets recomputed`);

const idle = await timed('recompute with nothing dirty', () => recomputeKpis({ reason: 'bench idle' }));
await timed('kpiSummary(2024) read, cold', () => kpiSummary({ year: 2024 }));
const read = await timed('kpiSummary(2024) read, warm', () => kpiSummary({ year: 2024 }));

// A sanity check: the published total equals the items' total.
const check = await pool.query<{ items: string; aggregates: string }>(
  `SELECT (SELECT coalesce(sum(pdn_value), 0) FROM procurement_item
           WHERE kind = 'REALISATION' AND counted AND withdrawn_at IS NULL AND fiscal_year = 2024)::text AS items,
          (SELECT coalesce(sum(pdn_value), 0) FROM kpi_aggregate WHERE version_to IS NULL AND fiscal_year = 2024)::text
            AS aggregates`,
);
const ok = check.rows[0]!.items === check.rows[0]!.aggregates;

console.log('');
console.log(`items                      ${ITEMS.toLocaleString('en')}`);
console.log(`full recompute             ${(full.ms / 1000).toFixed(2)} s`);
console.log(
  `1 % delta, spread          ${(spread.ms / 1000).toFixed(2)} s   ratio ${(spread.ms / full.ms).toFixed(3)}`,
);
console.log(
  `1 % delta, one pull        ${(pullLike.ms / 1000).toFixed(2)} s   ratio ${(pullLike.ms / full.ms).toFixed(3)}`,
);
console.log(
  `local delta (3 agencies)   ${(local.ms / 1000).toFixed(2)} s   ratio ${(local.ms / full.ms).toFixed(3)}`,
);
console.log(`idle recompute             ${idle.ms.toFixed(1)} ms`);
console.log(
  `kpiSummary read            ${read.ms.toFixed(1)} ms (realisation ${read.result.figures.realisation / 100n} Rp)`,
);
console.log(`aggregates = items (2024)  ${ok ? 'yes' : `NO: ${JSON.stringify(check.rows[0])}`}`);

await closeDb();
if (!ok) process.exit(1);
