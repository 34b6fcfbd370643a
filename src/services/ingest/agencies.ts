// Agencies from the source: rup/master-satker rows (pulled or imported) become agencies, and the
// items that arrived before their agency are attributed to it. Each page is one transaction
// with the run's counters and cursor, like a page of items (writer.ts).
import type pg from 'pg';
import { parseRow } from '../../feed/contract.js';
import { type FeedAgency, mapSatker } from '../../feed/mapping.js';
import { pool } from '../../lib/db.js';
import type { RunProgress, SourcePage } from './pipeline.js';
import { UnreadableRow } from './pipeline.js';
import { NUMERIC_AGENCY_DATASETS } from './rows.js';
import type { Run } from './runs.js';

/** master-satker's numeric kd_satker → kd_satker_str, of one KLPD (agencies without a KLPD too). */
export async function satkerNumbers(
  klpdCode: string,
  db: pg.Pool | pg.PoolClient = pool,
): Promise<Map<string, string>> {
  const { rows } = await db.query<{ numeric_code: string; code: string }>(
    `SELECT numeric_code, code FROM agency
     WHERE numeric_code IS NOT NULL AND (klpd_code IS NULL OR klpd_code = $1) ORDER BY id`,
    [klpdCode],
  );
  return new Map(rows.map((r) => [r.numeric_code, r.code]));
}

interface AgencyRejection {
  rowNumber: number;
  key: string | null;
  reason: string;
  raw: string;
}

/**
 * Runs master-satker pages into agencies: new codes inserted, changed ones updated (name, kind,
 * numeric code, KLPD, active, parent where given), a row of another KLPD rejected. Then attributes
 * waiting items. Returns whether the source ended (false: stopped by the signal after a page).
 */
export async function runAgencyPages(
  client: pg.PoolClient,
  run: Run,
  klpdCode: string,
  pages: AsyncIterator<SourcePage>,
  options: { signal?: AbortSignal; onProgress?: (p: RunProgress) => unknown } = {},
): Promise<{ complete: boolean }> {
  let rowNumber = run.fetched;
  for (;;) {
    if (options.signal?.aborted) return { complete: false };
    const next = await pages.next();
    if (next.done) break;
    const page = next.value;
    const agencies = new Map<string, FeedAgency>();
    const rejected: AgencyRejection[] = [];
    let duplicates = 0;
    for (const raw of page.rows) {
      rowNumber += 1;
      const reject = (reason: string, key: string | null) =>
        rejected.push({
          rowNumber,
          key,
          reason,
          raw: raw instanceof UnreadableRow ? raw.text : JSON.stringify(raw),
        });
      if (raw instanceof UnreadableRow) {
        reject(raw.reason, null);
        continue;
      }
      const parsed = parseRow('rup/master-satker', raw);
      if (!parsed.ok) {
        reject(parsed.reason, parsed.key);
        continue;
      }
      const agency = mapSatker(parsed.row);
      if (agency.klpdCode && agency.klpdCode !== klpdCode) {
        reject(`kd_klpd ${agency.klpdCode} is another KLPD than this snapshot's ${klpdCode}`, parsed.key);
        continue;
      }
      if (agencies.has(agency.code)) duplicates += 1;
      else agencies.set(agency.code, { ...agency, klpdCode: agency.klpdCode ?? klpdCode });
    }
    const counts = await writeAgencies(client, run, [...agencies.values()], rejected, {
      fetched: page.rows.length,
      duplicates,
      cursor: page.cursor,
      last: !page.hasMore,
      asOf: page.asOf ?? null,
    });
    run.fetched += page.rows.length;
    run.pages += 1;
    run.inserted += counts.inserted;
    run.updated += counts.updated;
    run.unchanged += counts.unchanged;
    run.rejected += rejected.length;
    run.duplicates += duplicates;
    // The last page carries no cursor: the run keeps showing where its last page started.
    run.cursor = page.cursor ?? run.cursor;
    run.pagesDone = !page.hasMore;
    await options.onProgress?.({
      runId: run.id,
      pages: run.pages,
      fetched: run.fetched,
      inserted: run.inserted,
      updated: run.updated,
      unchanged: run.unchanged,
      rejected: run.rejected,
      duplicates: run.duplicates,
    });
    if (!page.hasMore) break;
  }
  // The buckets are not the run's: agencies do not change the date the figures stand as of.
  await attributeItems(client, null);
  return { complete: true };
}

async function writeAgencies(
  client: pg.PoolClient,
  run: Run,
  agencies: FeedAgency[],
  rejected: AgencyRejection[],
  page: { fetched: number; duplicates: number; cursor: string | null; last: boolean; asOf: string | null },
): Promise<{ inserted: number; updated: number; unchanged: number }> {
  await client.query('BEGIN');
  try {
    let inserted = 0;
    let updated = 0;
    if (agencies.length > 0) {
      // Raw SQL: an upsert with per-row outcomes in one statement.
      const { rows } = await client.query<{ inserted: boolean }>(
        `INSERT INTO agency AS a (code, numeric_code, name, kind, klpd_code, active, updated_at)
         SELECT code, numeric_code, name, kind::"AgencyKind", klpd_code, active, now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[])
           AS t(code, numeric_code, name, kind, klpd_code, active)
         ON CONFLICT (code) DO UPDATE SET
           numeric_code = COALESCE(EXCLUDED.numeric_code, a.numeric_code), name = EXCLUDED.name,
           kind = EXCLUDED.kind, klpd_code = EXCLUDED.klpd_code, active = EXCLUDED.active, updated_at = now()
         WHERE (a.numeric_code, a.name, a.kind, a.klpd_code, a.active)
           IS DISTINCT FROM (COALESCE(EXCLUDED.numeric_code, a.numeric_code), EXCLUDED.name, EXCLUDED.kind,
                             EXCLUDED.klpd_code, EXCLUDED.active)
         RETURNING (a.xmax = 0) AS inserted`,
        [
          agencies.map((a) => a.code),
          agencies.map((a) => a.numericCode),
          agencies.map((a) => a.name),
          agencies.map((a) => a.kind),
          agencies.map((a) => a.klpdCode),
          agencies.map((a) => a.active),
        ],
      );
      inserted = rows.filter((r) => r.inserted).length;
      updated = rows.length - inserted;
      const children = agencies.filter((a) => a.parentCode !== null);
      if (children.length > 0) {
        await client.query(
          `UPDATE agency c SET parent_id = p.id, updated_at = now()
           FROM unnest($1::text[], $2::text[]) AS t(code, parent), agency p
           WHERE c.code = t.code AND (p.code = t.parent OR p.numeric_code = t.parent) AND p.id <> c.id
             AND c.parent_id IS DISTINCT FROM p.id`,
          [children.map((a) => a.code), children.map((a) => a.parentCode)],
        );
      }
    }
    if (rejected.length > 0) {
      await client.query(
        `INSERT INTO rejected_row (run_id, row_number, source_key, reason, raw)
         SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[])
         ON CONFLICT (run_id, row_number) DO NOTHING`,
        [
          run.id,
          rejected.map((r) => r.rowNumber),
          rejected.map((r) => r.key),
          rejected.map((r) => r.reason),
          rejected.map((r) => r.raw.replaceAll('\0', '')),
        ],
      );
    }
    const unchanged = agencies.length - inserted - updated;
    await client.query(
      `UPDATE ingest_run SET cursor = COALESCE($2, cursor), pages_done = $3, pages = pages + 1, fetched = fetched + $4,
         inserted = inserted + $5, updated = updated + $6, unchanged = unchanged + $7, rejected = rejected + $8,
         duplicates = duplicates + $9, as_of = COALESCE($10::date, as_of)
       WHERE id = $1`,
      [
        run.id,
        page.cursor,
        page.last,
        page.fetched,
        inserted,
        updated,
        unchanged,
        rejected.length,
        page.duplicates,
        page.asOf,
      ],
    );
    await client.query('COMMIT');
    return { inserted, updated, unchanged };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Attributes the items whose agency is known now: by kd_satker_str, or (Toko Daring, e-Katalog
 * v5) by master-satker's numeric kd_satker within the item's KLPD. The item takes the agency's
 * code; the buckets it leaves and joins are marked for the KPI recompute.
 * Raw SQL: one update over every waiting item with its side writes.
 */
export async function attributeItems(db: pg.PoolClient | pg.Pool, runId: number | null): Promise<number> {
  const { rows } = await db.query<{ attributed: number }>(
    `WITH resolved AS (
       SELECT DISTINCT ON (i.id) i.id, a.id AS agency_id, a.code
       FROM procurement_item i
       JOIN agency a ON a.code = i.agency_code
         OR (i.dataset = ANY($2::text[]) AND a.numeric_code = i.agency_code
             AND (a.klpd_code IS NULL OR i.klpd_code IS NULL OR a.klpd_code = i.klpd_code))
       WHERE i.agency_id IS NULL
       ORDER BY i.id, (a.code = i.agency_code) DESC, a.id
     ), moved AS (
       UPDATE procurement_item i SET agency_id = r.agency_id, agency_code = r.code, updated_at = now()
       FROM resolved r WHERE i.id = r.id
       RETURNING i.fiscal_year, i.agency_id, i.item_date
     ), dirty AS (
       INSERT INTO kpi_dirty_bucket (fiscal_year, agency_id, month, run_id)
       SELECT DISTINCT fiscal_year, agency, EXTRACT(MONTH FROM item_date)::int, $1::int
       FROM moved, LATERAL (VALUES (agency_id), (NULL::int)) AS v(agency)
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM moved)::int AS attributed`,
    [runId, [...NUMERIC_AGENCY_DATASETS]],
  );
  return rows[0]!.attributed;
}
