// Two-dimensional KPI breakdowns: realisation of one data version split by any two of agency,
// month, channel and vendor scale in one answer (e.g. month × channel, agency × vendor scale).
// Raw SQL for the same reason as read.sql.ts: grouped exact sums over the versioned aggregates,
// which carry all four dimensions, so the cost does not grow with items.
import { checkCalendarDate } from '../../lib/dates.js';
import { pool } from '../../lib/db.js';
import { ValidationError } from '../../lib/errors.js';
import { KpiFigures } from './figures.js';
import {
  checkYear,
  pickVersion,
  resolveScope,
  type Scope,
  type TotalsRow,
  toTotals,
  type VersionPick,
} from './read.js';
import { AGGREGATE_SUMS } from './read.sql.js';

export type Dimension = 'AGENCY' | 'MONTH' | 'CHANNEL' | 'VENDOR_SCALE';

const COLUMN: Record<Dimension, string> = {
  AGENCY: 'agency_id::text',
  MONTH: 'month::text',
  CHANNEL: 'channel::text',
  VENDOR_SCALE: 'vendor_scale::text',
};

/** What a missing value of a dimension is called (items of an unknown agency, without a date…). */
const MISSING: Record<Dimension, string> = {
  AGENCY: 'UNATTRIBUTED',
  MONTH: 'UNDATED',
  CHANNEL: 'UNKNOWN',
  VENDOR_SCALE: 'UNKNOWN',
};

// The rows valid at version $2 of year $1, as read.sql.ts reads them.
const crossSql = (rows: Dimension, columns: Dimension) => `
SELECT ${COLUMN[rows]} AS row_key, ${COLUMN[columns]} AS column_key,
${AGGREGATE_SUMS}
FROM kpi_aggregate
WHERE fiscal_year = $1 AND version_from <= $2 AND (version_to IS NULL OR version_to > $2)
  AND ($3::int[] IS NULL OR agency_id = ANY($3::int[]))
GROUP BY 1, 2
ORDER BY 1, 2`;

export interface CrossCell {
  row: string;
  column: string;
  figures: KpiFigures;
}

export interface CrossBreakdown {
  year: number;
  scope: Scope;
  pick: VersionPick | null;
  rows: Dimension;
  columns: Dimension;
  cells: CrossCell[];
}

export interface CrossQuestion {
  year: number;
  rows: Dimension;
  columns: Dimension;
  agency?: string | null;
  asOf?: string | null;
  includeSubunits?: boolean | null;
}

/** Realisation split by two dimensions: one cell per pair with counted items, keys as text. */
export async function crossBreakdown(q: CrossQuestion): Promise<CrossBreakdown> {
  checkYear(q.year);
  if (q.rows === q.columns) throw new ValidationError('columns', 'must differ from rows');
  checkCalendarDate(q.asOf);
  const scope = await resolveScope(q.agency, q.includeSubunits ?? true);
  const pick = await pickVersion(q.year, q.asOf);
  const result = pick
    ? await pool.query<TotalsRow & { row_key: string | number | null; column_key: string | number | null }>(
        crossSql(q.rows, q.columns),
        [q.year, pick.version, scope.agencyIds],
      )
    : { rows: [] };
  const keyOf = (dimension: Dimension, value: string | number | null) => {
    if (value === null) return MISSING[dimension];
    if (dimension === 'AGENCY') return scope.agencies.get(Number(value))?.code ?? MISSING.AGENCY;
    return String(value);
  };
  const cells = result.rows.map((r) => {
    const totals = toTotals(r);
    return {
      row: keyOf(q.rows, r.row_key as string | null),
      column: keyOf(q.columns, r.column_key as string | null),
      figures: new KpiFigures(totals),
    };
  });
  return { year: q.year, scope, pick, rows: q.rows, columns: q.columns, cells };
}
