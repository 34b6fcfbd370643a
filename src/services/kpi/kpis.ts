// The KPI questions the graph answers: a summary, a monthly series, an agency ranking and a
// breakdown, each for one fiscal year as of a snapshot date, plus year-over-year comparison and a
// year-end projection. Every answer carries the data version it was read from.

import type { KpiMetric } from '../../common/kpi.js';
import type { Agency } from '../../generated/prisma/client.js';
import { checkCalendarDate, jakartaToday } from '../../lib/dates.js';
import {
  addTotals,
  type Commitment,
  dueShare,
  KpiFigures,
  monthEnd,
  projectYearEnd,
  type ShareTargets,
  type Totals,
  ZERO_TOTALS,
} from './figures.js';
import { type Cents, Percent } from './numbers.js';
import {
  checkYear,
  phasesFor,
  readYear,
  type Scope,
  scopeCommitment,
  targetAgency,
  type VersionPick,
  type YearRead,
  type YearTargets,
} from './read.js';

/** A per-request memo: the graph passes one so repeated sub-questions are read once. */
export type ReadCache = Map<string, Promise<unknown>>;

function cached<T>(cache: ReadCache | undefined, key: string, load: () => Promise<T>): Promise<T> {
  if (!cache) return load();
  let hit = cache.get(key) as Promise<T> | undefined;
  if (!hit) {
    hit = load();
    cache.set(key, hit);
  }
  return hit;
}

export interface KpiQuestion {
  year: number;
  /** An agency code (kd_satker_str); null for the whole province. */
  agency?: string | null;
  /** Read the data as it stood on this date (YYYY-MM-DD): the latest snapshot on or before it. */
  asOf?: string | null;
  /** Include the agency's sub-units (default true). */
  includeSubunits?: boolean | null;
  /** Read the year as this data version shows it (a pinned saved view), not the latest published. */
  version?: number | null;
}

export interface Coverage {
  /** Agencies in scope with counted realisation or counted plans in this data version. */
  reporting: number;
  /** Active agencies in scope (the PROVINCE unit itself is not a reporting unit). */
  expected: number;
  /** Realisation items whose agency code matched no known agency (whole-province scope only). */
  unattributedItems: number;
}

export interface KpiSummary {
  year: number;
  scope: Scope;
  pick: VersionPick | null;
  figures: KpiFigures;
  /** The date the figures stand for: the snapshot's as-of date, else today or the year end. */
  dataDate: string | null;
  coverage: Coverage;
}

function checkDate(asOf: string | null | undefined): void {
  checkCalendarDate(asOf);
}

/** The date the figures of `year` stand for, clamped to the fiscal year. */
function figuresDate(year: number, pick: VersionPick | null, today = jakartaToday()): string | null {
  if (!pick) return null;
  const date = pick.asOf ?? today;
  const end = `${year}-12-31`;
  return date > end ? end : date;
}

function shareTargets(targets: YearTargets, agencyId: number | null): ShareTargets | null {
  return agencyId === null ? null : (targets.byAgency.get(agencyId) ?? null);
}

function expectedAgencies(scope: Scope): Agency[] {
  return [...scope.agencies.values()].filter(
    (a) => a.active && a.kind !== 'PROVINCE' && (scope.agencyIds === null || scope.agencyIds.includes(a.id)),
  );
}

function sumAll(groups: Map<string | number | null, Totals>): Totals {
  let total = ZERO_TOTALS;
  for (const t of groups.values()) total = addTotals(total, t);
  return total;
}

/** The reads of one question, checked first: one statement, with `groups` summed beside agencies. */
function readQuestion(
  q: KpiQuestion,
  groups: Array<'month' | 'channel' | 'vendor_scale'> = [],
): Promise<YearRead> {
  checkYear(q.year);
  checkDate(q.asOf);
  return readYear(q, ['agency_id', ...groups]);
}

export async function kpiSummary(q: KpiQuestion): Promise<KpiSummary> {
  return summaryOf(q, await readQuestion(q));
}

/** The summary of a question from its reads (their per-agency sums). */
function summaryOf(q: KpiQuestion, read: YearRead): KpiSummary {
  const { scope, pick, commitments, targets } = read;
  const byAgency = read.sums.get('agency_id')!;
  const owner = targetAgency(scope, targets);
  const dataDate = figuresDate(q.year, pick);
  const commitment = scopeCommitment(commitments, scope);
  const figures = new KpiFigures(
    sumAll(byAgency),
    commitment,
    shareTargets(targets, owner),
    dataDate === null ? null : dueShare(q.year, dataDate, phasesFor(targets, owner)),
  );
  const reporting = new Set<number>();
  for (const [id, t] of byAgency) if (typeof id === 'number' && t.itemCount > 0) reporting.add(id);
  for (const c of commitments) if (c.agencyId !== null && c.packageCount > 0) reporting.add(c.agencyId);
  return {
    year: q.year,
    scope,
    pick,
    figures,
    dataDate,
    coverage: {
      reporting: reporting.size,
      expected: expectedAgencies(scope).length,
      unattributedItems: byAgency.get(null)?.itemCount ?? 0,
    },
  };
}

// ------------------------------------------------------------------------ year over year

export interface YearOverYear {
  previousYear: number;
  previousPick: VersionPick | null;
  /** The last month compared: the month of this year's as-of date (12 for a closed year). */
  throughMonth: number;
  previousToDate: Cents;
  previousFullYear: Cents;
  change: Cents;
  changePercent: Percent | null;
  previousAttainmentFullYear: Percent | null;
}

/**
 * Compares realisation to date with the previous fiscal year's realisation through the same
 * month (its latest data version), and gives that year's full-year figure.
 */
export async function yearOverYear(summary: KpiSummary, cache?: ReadCache): Promise<YearOverYear | null> {
  if (!summary.dataDate) return null;
  const previousYear = summary.year - 1;
  const throughMonth = summary.dataDate < `${summary.year}-01-01` ? 0 : Number(summary.dataDate.slice(5, 7));
  const scope = summary.scope;
  const question = {
    year: previousYear,
    agency: scope.agency?.code ?? null,
    includeSubunits: scope.includeSubunits,
  };
  const previous = await cached(
    cache,
    `previous:${previousYear}:${question.agency}:${scope.includeSubunits}`,
    () => readYear(question, ['month']),
  );
  const previousPick = previous.pick;
  const byMonth = previous.sums.get('month')!;
  let toDate = 0n;
  let full = 0n;
  for (const [month, t] of byMonth) {
    full += t.pdnValue;
    if (Number(month) <= throughMonth) toDate += t.pdnValue;
  }
  const previousCommitment = scopeCommitment(previous.commitments, previous.scope);
  const used = previousCommitment.computed ?? previousCommitment.official;
  const current = summary.figures.realisation;
  return {
    previousYear,
    previousPick,
    throughMonth,
    previousToDate: toDate,
    previousFullYear: full,
    change: current - toDate,
    changePercent: Percent.of(current - toDate, toDate),
    previousAttainmentFullYear: used === null ? null : Percent.of(full, used),
  };
}

// ---------------------------------------------------------------------------- projection

export const PROJECTION_METHOD =
  'Linear run rate: realisation to the as-of date ÷ days elapsed in the fiscal year (1 January through ' +
  'the as-of date, inclusive) × days in the year, rounded half-up to the sen. Procurement spending is ' +
  'usually back-loaded, so early in the year this tends to understate the year end. A closed year ' +
  'projects to its actual realisation.';

export interface Projection {
  method: string;
  elapsedDays: number;
  daysInYear: number;
  perDay: Cents;
  yearEnd: Cents;
  attainment: Percent | null;
}

export function projection(summary: KpiSummary): Projection | null {
  if (!summary.dataDate) return null;
  const p = projectYearEnd(summary.year, summary.dataDate, summary.figures.realisation);
  const used = summary.figures.commitmentUsed;
  return {
    method: PROJECTION_METHOD,
    elapsedDays: p.elapsed,
    daysInYear: p.days,
    perDay: p.perDay,
    yearEnd: p.projected,
    attainment: used === null ? null : Percent.of(p.projected, used),
  };
}

// -------------------------------------------------------------------------------- series

export interface SeriesPoint {
  year: number;
  month: number;
  figures: KpiFigures;
  /** The month has not ended by the figures' date: its figures are partial, not a dip. */
  open: boolean;
}

export interface KpiSeries {
  summary: KpiSummary;
  cumulative: boolean;
  points: SeriesPoint[];
  /** Counted realisation without a date (shown apart, not in any month). */
  undated: Totals;
}

/**
 * Monthly points (Asia/Jakarta calendar months of the item dates) from January through the month
 * of the as-of date; cumulative points add up the months before. Each point's target to date is
 * the commitment due by the end of its month (by the as-of date for the last one).
 */
export async function kpiSeries(q: KpiQuestion & { cumulative: boolean }): Promise<KpiSeries> {
  const read = await readQuestion(q, ['month']);
  const summary = summaryOf(q, read);
  const byMonth = read.sums.get('month')!;
  const targets = read.targets;
  const owner = targetAgency(summary.scope, targets);
  const phases = phasesFor(targets, owner);
  const lastMonth =
    summary.dataDate && summary.dataDate >= `${q.year}-01-01` ? Number(summary.dataDate.slice(5, 7)) : 0;
  const points: SeriesPoint[] = [];
  let running = ZERO_TOTALS;
  for (let month = 1; month <= lastMonth; month++) {
    const own = byMonth.get(month) ?? ZERO_TOTALS;
    running = addTotals(running, own);
    const end =
      month === lastMonth && summary.dataDate! < monthEnd(q.year, month)
        ? summary.dataDate!
        : monthEnd(q.year, month);
    points.push({
      year: q.year,
      month,
      open: month === lastMonth && summary.dataDate! < monthEnd(q.year, month),
      figures: new KpiFigures(
        q.cumulative ? running : own,
        summary.figures.commitment,
        summary.figures.targets,
        dueShare(q.year, end, phases),
      ),
    });
  }
  return { summary, cumulative: q.cumulative, points, undated: byMonth.get(0) ?? ZERO_TOTALS };
}

// ------------------------------------------------------------------------------- ranking

export type RankMetric = KpiMetric;

export interface RankedAgency {
  rank: number;
  agency: Agency;
  summary: KpiSummary;
  figures: KpiFigures;
}

export interface Ranking {
  year: number;
  pick: VersionPick | null;
  metric: RankMetric;
  order: 'ASC' | 'DESC';
  rows: RankedAgency[];
}

type Comparable = bigint | Percent | number | null;

function metricValue(f: KpiFigures, metric: RankMetric): Comparable {
  switch (metric) {
    case 'REALISATION':
      return f.realisation;
    case 'COMMITMENT':
      return f.commitmentUsed;
    case 'ATTAINMENT':
      return f.attainment;
    case 'PDN_SHARE':
      return f.pdnShare;
    case 'UMK_SHARE':
      return f.umkShare;
    case 'TOTAL_VALUE':
      return f.totals.totalValue;
    case 'ITEM_COUNT':
      return f.totals.itemCount;
    case 'GAP_TO_DATE':
      return f.gapToDate;
  }
  throw new RangeError(`unknown metric ${String(metric)}`);
}

function compareValues(a: Exclude<Comparable, null>, b: Exclude<Comparable, null>): number {
  if (a instanceof Percent && b instanceof Percent) return a.compare(b);
  const x = a as bigint | number;
  const y = b as bigint | number;
  return x === y ? 0 : x < y ? -1 : 1;
}

/**
 * Every active agency (the PROVINCE unit aside) and every agency with figures, ranked by one
 * metric of its own figures (its sub-units not included). Agencies without a value for the metric
 * (e.g. attainment without a commitment) come last; equal values share a rank; ties by code.
 */
export async function agencyRanking(q: {
  year: number;
  metric: RankMetric;
  order: 'ASC' | 'DESC';
  asOf?: string | null;
  version?: number | null;
}): Promise<Ranking> {
  const {
    scope: all,
    pick,
    sums,
    commitments,
    targets,
  } = await readQuestion({
    year: q.year,
    asOf: q.asOf,
    version: q.version,
  });
  const byAgency = sums.get('agency_id')!;
  const dataDate = figuresDate(q.year, pick);
  const ids = new Set<number>(expectedAgencies(all).map((a) => a.id));
  for (const id of byAgency.keys()) if (typeof id === 'number') ids.add(id);
  for (const c of commitments) if (c.agencyId !== null) ids.add(c.agencyId);

  const entries = [...ids]
    .map((id) => all.agencies.get(id))
    .filter((a): a is Agency => a !== undefined && a.kind !== 'PROVINCE')
    .map((agency) => {
      const scope: Scope = { agency, agencyIds: [agency.id], includeSubunits: false, agencies: all.agencies };
      const owner = targetAgency(scope, targets);
      const own: Commitment = scopeCommitment(
        commitments.filter((c) => c.agencyId === agency.id),
        scope,
      );
      const totals = byAgency.get(agency.id) ?? ZERO_TOTALS;
      const figures = new KpiFigures(
        totals,
        own,
        shareTargets(targets, owner),
        dataDate === null ? null : dueShare(q.year, dataDate, phasesFor(targets, owner)),
      );
      const reporting = totals.itemCount > 0 || own.packageCount > 0 ? 1 : 0;
      const summary: KpiSummary = {
        year: q.year,
        scope,
        pick,
        figures,
        dataDate,
        coverage: { reporting, expected: agency.active ? 1 : 0, unattributedItems: 0 },
      };
      return { agency, summary, value: metricValue(figures, q.metric) };
    });

  const direction = q.order === 'ASC' ? 1 : -1;
  entries.sort((a, b) => {
    if (a.value === null || b.value === null) {
      if (a.value === b.value) return a.agency.code.localeCompare(b.agency.code);
      return a.value === null ? 1 : -1;
    }
    return direction * compareValues(a.value, b.value) || a.agency.code.localeCompare(b.agency.code);
  });
  const rows: RankedAgency[] = [];
  entries.forEach((e, i) => {
    const previous = entries[i - 1];
    const tied =
      previous !== undefined &&
      ((previous.value === null && e.value === null) ||
        (previous.value !== null && e.value !== null && compareValues(previous.value, e.value) === 0));
    rows.push({
      rank: tied ? rows[i - 1]!.rank : i + 1,
      agency: e.agency,
      summary: e.summary,
      figures: e.summary.figures,
    });
  });
  return { year: q.year, pick, metric: q.metric, order: q.order, rows };
}

// ----------------------------------------------------------------------------- breakdown

export type BreakdownBy = 'CHANNEL' | 'AGENCY' | 'VENDOR_SCALE';

export interface BreakdownRow {
  /** The channel or vendor scale name, or the agency code ("UNATTRIBUTED" for unknown agencies). */
  key: string;
  agency: Agency | null;
  figures: KpiFigures;
  /** This row's realisation ÷ the whole scope's realisation. */
  shareOfRealisation: Percent | null;
}

export interface Breakdown {
  summary: KpiSummary;
  by: BreakdownBy;
  rows: BreakdownRow[];
}

const GROUP: Record<BreakdownBy, 'channel' | 'agency_id' | 'vendor_scale'> = {
  CHANNEL: 'channel',
  AGENCY: 'agency_id',
  VENDOR_SCALE: 'vendor_scale',
};

/**
 * Realisation of a scope split by channel, agency or vendor scale; largest realisation first.
 * By agency, each agency's row carries its own commitment, targets and status as agencyRanking
 * has them, and agencies with counted plans but no realisation have a row too.
 */
export async function kpiBreakdown(q: KpiQuestion & { by: BreakdownBy }): Promise<Breakdown> {
  const group = GROUP[q.by];
  const read = await readQuestion(q, group === 'agency_id' ? [] : [group]);
  const summary = summaryOf(q, read);
  const groups = read.sums.get(group)!;
  const whole = summary.figures.realisation;
  const byAgency = q.by === 'AGENCY' ? ([read.commitments, read.targets] as const) : null;
  const keys = new Set(groups.keys());
  if (byAgency)
    for (const c of byAgency[0]) if (c.agencyId !== null && c.packageCount > 0) keys.add(c.agencyId);
  const rows: BreakdownRow[] = [...keys].map((key) => {
    const totals = groups.get(key) ?? ZERO_TOTALS;
    const agency =
      q.by === 'AGENCY' && typeof key === 'number' ? (summary.scope.agencies.get(key) ?? null) : null;
    let figures = new KpiFigures(totals);
    if (agency && byAgency) {
      const [commitments, targets] = byAgency;
      const scope: Scope = {
        agency,
        agencyIds: [agency.id],
        includeSubunits: false,
        agencies: summary.scope.agencies,
      };
      const owner = targetAgency(scope, targets);
      figures = new KpiFigures(
        totals,
        scopeCommitment(
          commitments.filter((c) => c.agencyId === agency.id),
          scope,
        ),
        shareTargets(targets, owner),
        summary.dataDate === null ? null : dueShare(q.year, summary.dataDate, phasesFor(targets, owner)),
      );
    }
    return {
      key: q.by === 'AGENCY' ? (agency?.code ?? 'UNATTRIBUTED') : String(key),
      agency,
      figures,
      shareOfRealisation: Percent.of(totals.pdnValue, whole),
    };
  });
  rows.sort((a, b) =>
    a.figures.realisation === b.figures.realisation
      ? a.key.localeCompare(b.key)
      : a.figures.realisation > b.figures.realisation
        ? -1
        : 1,
  );
  return { summary, by: q.by, rows };
}
