// Suspect rows of a run's snapshot: kept and counted as reported, listed so an analyst sees how
// much of a figure rests on them (the test is mapping.ts's suspectReason / SUSPECT_SQL).
import { SUSPECT_SQL, suspectReason } from '../../feed/mapping.js';
import type { Money } from '../../feed/money.js';
import { pool } from '../../lib/db.js';

export interface SuspectList {
  /** Suspect items in the run's (dataset, KLPD, year) snapshot. */
  count: number;
  /** Their value, Σ value (rupiah, two decimals). */
  value: string;
  /** The first of them by natural key, with the reason. */
  rows: Array<{ sourceKey: string; reason: string }>;
}

export async function suspectItems(runId: number, take: number): Promise<SuspectList> {
  const scope = `FROM procurement_item i
    JOIN ingest_run r ON r.id = $1
    LEFT JOIN feed_source s ON s.id = r.source_id
    WHERE i.dataset = r.dataset AND i.klpd_code = r.klpd_code AND i.withdrawn_at IS NULL
      AND (s.id IS NULL OR i.fiscal_year = s.fiscal_year) AND ${SUSPECT_SQL}`;
  const [totals, rows] = await Promise.all([
    pool.query<{ count: number; value: string }>(
      `SELECT count(*)::int AS count, COALESCE(sum(i.value), 0)::numeric(20, 2)::text AS value ${scope}`,
      [runId],
    ),
    pool.query<{ source_key: string; kind: 'REALISATION'; value: Money; pdn_value: Money }>(
      `SELECT i.source_key, i.kind, i.value::text AS value, i.pdn_value::text AS pdn_value ${scope}
       ORDER BY i.source_key LIMIT $2`,
      [runId, take],
    ),
  ]);
  return {
    count: totals.rows[0]!.count,
    value: totals.rows[0]!.value,
    rows: rows.rows.map((r) => ({
      sourceKey: r.source_key,
      reason: suspectReason({ kind: r.kind, value: r.value, pdnValue: r.pdn_value }) ?? 'suspect',
    })),
  };
}
