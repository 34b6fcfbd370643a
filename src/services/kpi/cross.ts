// Two-dimensional KPI breakdowns: realisation of one data version split by any two of agency,
// month, channel and vendor scale in one answer (e.g. month × channel, agency × vendor scale).
// Raw SQL for the same reason as read.sql.ts: grouped exact sums over the versioned aggregates,
// which carry all four dimensions, so the cost does not grow with items.
import { checkCalendarDate } from '../../lib/dates.js';
import { ValidationError } from '../../lib/errors.js';
import { KpiFigures } from './figures.js';
import { checkYear, readYear, type Scope, toTotals, type VersionPick } from './read.js';

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
  // One statement: the scope, the version and the sums split by both dimensions.
  const { scope, pick, cross } = await readYear(
    { year: q.year, agency: q.agency, includeSubunits: q.includeSubunits, asOf: q.asOf },
    [],
    { rows: COLUMN[q.rows], columns: COLUMN[q.columns] },
  );
  const keyOf = (dimension: Dimension, value: string | number | null) => {
    if (value === null) return MISSING[dimension];
    if (dimension === 'AGENCY') return scope.agencies.get(Number(value))?.code ?? MISSING.AGENCY;
    return String(value);
  };
  const cells = cross.map((r) => {
    const totals = toTotals(r);
    return {
      row: keyOf(q.rows, r.row_key),
      column: keyOf(q.columns, r.column_key),
      figures: new KpiFigures(totals),
    };
  });
  return { year: q.year, scope, pick, rows: q.rows, columns: q.columns, cells };
}
