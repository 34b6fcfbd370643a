// Completeness of a fiscal year's data, per agency and month: which agencies reported in which
// month (expected vs received), which reported nothing at all, which items arrived late (published
// long after their month ended), which months lie far outside an agency's usual range, and which
// month is still open. Read from the aggregates and their version history, never from items.
import type { Agency } from '../../generated/prisma/client.js';
import { checkCalendarDate } from '../../lib/dates.js';
import { pool } from '../../lib/db.js';
import { monthEnd } from './figures.js';
import { type Cents, toCents } from './numbers.js';
import { checkYear, loadAgencies, pickVersion, type VersionPick } from './read.js';

/** Items first published more than this many days after their month ended arrived late. */
export const LATE_AFTER_DAYS = 10;
/** A month is outside an agency's usual range when it is this many MADs from its median… */
export const OUTLIER_MADS = 5;
/** …judged only for agencies with at least this many months with realisation. */
export const OUTLIER_MIN_MONTHS = 6;

export interface MonthCompleteness {
  month: number;
  /** The month has not ended by the figures' date. */
  open: boolean;
  expected: number;
  /** Expected agencies with realisation items in the month. */
  received: number;
  missing: Agency[];
}

export interface AgencyCompleteness {
  agency: Agency;
  /** Months (up to the figures' month) with realisation items. */
  monthsReported: number[];
  lateItems: number;
  lateRealisation: Cents;
  /** Months whose realisation lies far outside the agency's usual range. */
  outlierMonths: number[];
}

export interface Completeness {
  year: number;
  pick: VersionPick | null;
  /** The last month with figures (that of the as-of date), 0 before any. */
  throughMonth: number;
  months: MonthCompleteness[];
  agencies: AgencyCompleteness[];
  /** Expected agencies without a single realisation item this year. */
  silent: Agency[];
}

/** Items per (agency, month) at one version. */
const RECEIVED = `
SELECT agency_id, month, sum(item_count)::int AS items, sum(pdn_value)::text AS pdn
FROM kpi_aggregate
WHERE fiscal_year = $1 AND version_from <= $2 AND (version_to IS NULL OR version_to > $2)
  AND agency_id IS NOT NULL AND month BETWEEN 1 AND 12
GROUP BY 1, 2`;

/**
 * Items each published version (up to $2, the year's first aside) added per (agency, month), with
 * that version's as-of date for the year: the rows it opened minus those it closed. Those added
 * more than $3 days after their month ended arrived late.
 */
const ARRIVALS = `
WITH versions AS (
  SELECT y.version_id AS v, y.as_of FROM kpi_version_year y JOIN kpi_version k ON k.id = y.version_id
  WHERE y.fiscal_year = $1 AND k.status = 'PUBLISHED' AND y.live AND y.version_id <= $2 AND y.as_of IS NOT NULL
), changes AS (
  SELECT a.agency_id, a.month, ver.as_of,
    sum(CASE WHEN a.version_from = ver.v THEN a.item_count ELSE 0 END)
      - sum(CASE WHEN a.version_to = ver.v THEN a.item_count ELSE 0 END) AS items,
    sum(CASE WHEN a.version_from = ver.v THEN a.pdn_value ELSE 0 END)
      - sum(CASE WHEN a.version_to = ver.v THEN a.pdn_value ELSE 0 END) AS pdn
  FROM versions ver
  JOIN kpi_aggregate a ON a.fiscal_year = $1 AND (a.version_from = ver.v OR a.version_to = ver.v)
  WHERE a.agency_id IS NOT NULL AND a.month BETWEEN 1 AND 12
    -- The year's first snapshot says nothing about when its items arrived.
    AND ver.v > (SELECT min(v) FROM versions)
  GROUP BY 1, 2, 3
)
SELECT agency_id, coalesce(sum(items), 0)::int AS items, coalesce(sum(pdn), 0)::text AS pdn
FROM changes
WHERE items > 0 AND as_of > (make_date($1, month, 1) + interval '1 month' - interval '1 day')::date + $3::int
GROUP BY agency_id`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Months far from the median in units of the median absolute deviation (robust to the outliers). */
export function outlierMonths(byMonth: Map<number, number>): number[] {
  const values = [...byMonth.values()].filter((v) => v !== 0);
  if (values.length < OUTLIER_MIN_MONTHS) return [];
  const med = median(values);
  const mad = median(values.map((v) => Math.abs(v - med)));
  if (mad === 0) return [];
  return [...byMonth]
    .filter(([, v]) => v !== 0 && Math.abs(v - med) > OUTLIER_MADS * mad)
    .map(([m]) => m)
    .sort((a, b) => a - b);
}

export async function kpiCompleteness(q: { year: number; asOf?: string | null }): Promise<Completeness> {
  checkYear(q.year);
  checkCalendarDate(q.asOf);
  const [agencies, pick] = await Promise.all([loadAgencies(), pickVersion(q.year, q.asOf)]);
  const expected = [...agencies.values()].filter((a) => a.active && a.kind !== 'PROVINCE');
  if (!pick) return { year: q.year, pick, throughMonth: 0, months: [], agencies: [], silent: expected };

  const date = pick.asOf && pick.asOf < `${q.year}-12-31` ? pick.asOf : `${q.year}-12-31`;
  const throughMonth = date < `${q.year}-01-01` ? 0 : Number(date.slice(5, 7));
  const [received, arrivals] = await Promise.all([
    pool.query<{ agency_id: number; month: number; items: number; pdn: string }>(RECEIVED, [
      q.year,
      pick.version,
    ]),
    pool.query<{ agency_id: number; items: number; pdn: string }>(ARRIVALS, [
      q.year,
      pick.version,
      LATE_AFTER_DAYS,
    ]),
  ]);
  const items = new Map<number, Map<number, number>>();
  const realisation = new Map<number, Map<number, number>>();
  for (const r of received.rows) {
    if (r.month > throughMonth) continue;
    if (!items.has(r.agency_id)) {
      items.set(r.agency_id, new Map());
      realisation.set(r.agency_id, new Map());
    }
    items.get(r.agency_id)!.set(r.month, r.items);
    realisation.get(r.agency_id)!.set(r.month, Number(toCents(r.pdn)));
  }
  const late = new Map(arrivals.rows.map((r) => [r.agency_id, r]));

  const months: MonthCompleteness[] = [];
  for (let month = 1; month <= throughMonth; month++) {
    const missing = expected.filter((a) => !(items.get(a.id)?.get(month) ?? 0));
    months.push({
      month,
      open: month === throughMonth && date < monthEnd(q.year, month),
      expected: expected.length,
      received: expected.length - missing.length,
      missing,
    });
  }
  const ids = new Set([...expected.map((a) => a.id), ...items.keys()]);
  const rows: AgencyCompleteness[] = [...ids]
    .map((id) => agencies.get(id))
    .filter((a): a is Agency => a !== undefined && a.kind !== 'PROVINCE')
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((agency) => {
      const own = items.get(agency.id) ?? new Map<number, number>();
      const arrived = late.get(agency.id);
      return {
        agency,
        monthsReported: [...own]
          .filter(([, n]) => n > 0)
          .map(([m]) => m)
          .sort((a, b) => a - b),
        lateItems: arrived?.items ?? 0,
        lateRealisation: arrived ? toCents(arrived.pdn) : 0n,
        outlierMonths: outlierMonths(realisation.get(agency.id) ?? new Map()),
      };
    });
  return {
    year: q.year,
    pick,
    throughMonth,
    months,
    agencies: rows,
    silent: expected.filter((a) => ![...(items.get(a.id)?.values() ?? [])].some((n) => n > 0)),
  };
}
