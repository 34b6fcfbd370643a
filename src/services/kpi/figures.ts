// The KPI definitions in code (docs/kpi.md states them for readers): from summed aggregates and
// a commitment to attainment, shares, targets to date, gaps and statuses. Pure functions.
import type { KpiStatus } from '../../common/kpi.js';
import {
  type Cents,
  centsToMoney,
  divRound,
  formatMoney,
  formatPercent,
  formatPoints,
  type KpiLocale,
  Percent,
} from './numbers.js';

/** Sums of counted, not withdrawn realisation items; unknown values are skipped and counted. */
export interface Totals {
  totalValue: Cents;
  pdnValue: Cents;
  umkValue: Cents;
  itemCount: number;
  unknownPdn: number;
  unknownValue: number;
  unknownUmk: number;
  pdnShareBase: Cents;
  pdnSharePart: Cents;
  umkShareBase: Cents;
  umkSharePart: Cents;
  /** Σ value of the items whose PDN value is unknown. */
  unknownPdnAmount: Cents;
  /** Suspect items (mapping.ts's suspectReason), counted as reported, and their value. */
  suspectCount: number;
  suspectValue: Cents;
}

export const ZERO_TOTALS: Totals = Object.freeze({
  totalValue: 0n,
  pdnValue: 0n,
  umkValue: 0n,
  itemCount: 0,
  unknownPdn: 0,
  unknownValue: 0,
  unknownUmk: 0,
  pdnShareBase: 0n,
  pdnSharePart: 0n,
  umkShareBase: 0n,
  umkSharePart: 0n,
  unknownPdnAmount: 0n,
  suspectCount: 0,
  suspectValue: 0n,
});

export function addTotals(a: Totals, b: Totals): Totals {
  return {
    totalValue: a.totalValue + b.totalValue,
    pdnValue: a.pdnValue + b.pdnValue,
    umkValue: a.umkValue + b.umkValue,
    itemCount: a.itemCount + b.itemCount,
    unknownPdn: a.unknownPdn + b.unknownPdn,
    unknownValue: a.unknownValue + b.unknownValue,
    unknownUmk: a.unknownUmk + b.unknownUmk,
    pdnShareBase: a.pdnShareBase + b.pdnShareBase,
    pdnSharePart: a.pdnSharePart + b.pdnSharePart,
    umkShareBase: a.umkShareBase + b.umkShareBase,
    umkSharePart: a.umkSharePart + b.umkSharePart,
    unknownPdnAmount: a.unknownPdnAmount + b.unknownPdnAmount,
    suspectCount: a.suspectCount + b.suspectCount,
    suspectValue: a.suspectValue + b.suspectValue,
  };
}

export type CommitmentBasis = 'COMPUTED' | 'OFFICIAL' | 'NONE';

export interface Commitment {
  /** Σ pagu of counted RUP plans; null when no plan counts (not zero: nothing was planned yet). */
  computed: Cents | null;
  packageCount: number;
  /** Counted plans whose pagu is unknown. */
  unknownCount: number;
  /** The admin's official figure as captured by the data version. */
  official: Cents | null;
}

/** Attainment divides by the computed commitment when plans count, else by the official one. */
export function commitmentBasis(c: Commitment): CommitmentBasis {
  if (c.computed !== null) return 'COMPUTED';
  if (c.official !== null) return 'OFFICIAL';
  return 'NONE';
}

export function commitmentUsed(c: Commitment): Cents | null {
  return c.computed ?? c.official;
}

export type { KpiStatus };

export interface ShareTargets {
  pdnShareTarget: Percent | null;
  umkShareTarget: Percent | null;
}

/** One set of figures: a year, an agency, a month or a breakdown row. */
export class KpiFigures {
  constructor(
    readonly totals: Totals,
    readonly commitment: Commitment | null = null,
    readonly targets: ShareTargets | null = null,
    /** Share of the year's commitment due by the figures' date (time-phased target). */
    readonly due: Percent | null = null,
  ) {}

  get realisation(): Cents {
    return this.totals.pdnValue;
  }

  get commitmentUsed(): Cents | null {
    return this.commitment ? commitmentUsed(this.commitment) : null;
  }

  /** Realisation ÷ commitment; null without a (non-zero) commitment. */
  get attainment(): Percent | null {
    const used = this.commitmentUsed;
    return used === null ? null : Percent.of(this.realisation, used);
  }

  /** PDN value ÷ total value over items whose both values are known. */
  get pdnShare(): Percent | null {
    return Percent.of(this.totals.pdnSharePart, this.totals.pdnShareBase);
  }

  /** UMK value ÷ total value over items whose both values are known. */
  get umkShare(): Percent | null {
    return Percent.of(this.totals.umkSharePart, this.totals.umkShareBase);
  }

  /** The commitment pro-rated to the figures' date. */
  get targetToDate(): Cents | null {
    const used = this.commitmentUsed;
    return used === null || this.due === null ? null : this.due.ofAmount(used);
  }

  /** Target to date − realisation: positive is a shortfall, negative is ahead. */
  get gapToDate(): Cents | null {
    const target = this.targetToDate;
    return target === null ? null : target - this.realisation;
  }

  /** Commitment − realisation: what remains of the year's commitment (negative when exceeded). */
  get commitmentGap(): Cents | null {
    const used = this.commitmentUsed;
    return used === null ? null : used - this.realisation;
  }

  get status(): KpiStatus {
    const used = this.commitmentUsed;
    if (used === null || used === 0n) return 'NO_TARGET';
    if (this.realisation >= used) return 'ACHIEVED';
    const target = this.targetToDate;
    if (target === null) return 'NO_TARGET';
    return this.realisation >= target ? 'ON_TRACK' : 'BEHIND';
  }

  get pdnShareGap(): Percent | null {
    return shareGap(this.targets?.pdnShareTarget ?? null, this.pdnShare);
  }

  get umkShareGap(): Percent | null {
    return shareGap(this.targets?.umkShareTarget ?? null, this.umkShare);
  }

  get pdnShareStatus(): KpiStatus {
    return shareStatus(this.targets?.pdnShareTarget ?? null, this.pdnShare);
  }

  get umkShareStatus(): KpiStatus {
    return shareStatus(this.targets?.umkShareTarget ?? null, this.umkShare);
  }

  /** The figures as text for readers in one locale. */
  text(locale: KpiLocale): KpiText {
    const money = (c: Cents | null) => (c === null ? null : formatMoney(c, locale));
    const pct = (p: Percent | null) => (p === null ? null : formatPercent(p, locale));
    const pts = (p: Percent | null) => (p === null ? null : formatPoints(p, locale));
    const used = this.commitmentUsed;
    return {
      realisation: formatMoney(this.realisation, locale),
      totalValue: formatMoney(this.totals.totalValue, locale),
      umkValue: formatMoney(this.totals.umkValue, locale),
      commitment: money(this.commitment?.computed ?? null),
      officialCommitment: money(this.commitment?.official ?? null),
      commitmentUsed: money(used),
      attainment: pct(this.attainment),
      pdnShare: pct(this.pdnShare),
      umkShare: pct(this.umkShare),
      targetToDate: money(this.targetToDate),
      gapToDate: money(this.gapToDate),
      commitmentGap: money(this.commitmentGap),
      pdnShareGap: pts(this.pdnShareGap),
      umkShareGap: pts(this.umkShareGap),
    };
  }
}

export interface KpiText {
  realisation: string;
  totalValue: string;
  umkValue: string;
  commitment: string | null;
  officialCommitment: string | null;
  commitmentUsed: string | null;
  attainment: string | null;
  pdnShare: string | null;
  umkShare: string | null;
  targetToDate: string | null;
  gapToDate: string | null;
  commitmentGap: string | null;
  pdnShareGap: string | null;
  umkShareGap: string | null;
}

function shareGap(target: Percent | null, share: Percent | null): Percent | null {
  return target === null || share === null ? null : target.minus(share);
}

function shareStatus(target: Percent | null, share: Percent | null): KpiStatus {
  if (target === null) return 'NO_TARGET';
  if (share === null) return 'NO_DATA';
  return share.compare(target) >= 0 ? 'ON_TRACK' : 'BEHIND';
}

// ------------------------------------------------------------------------------- time phasing

const DAY_MS = 86_400_000;

function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

export function daysInYear(year: number): number {
  return dayNumber(`${year + 1}-01-01`) - dayNumber(`${year}-01-01`);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Days of `year` elapsed through `date` inclusive, clamped to [0, days in year]. */
export function elapsedDays(year: number, date: string): number {
  const n = dayNumber(date) - dayNumber(`${year}-01-01`) + 1;
  return Math.max(0, Math.min(daysInYear(year), n));
}

/** The last day of a month, YYYY-MM-DD. */
export function monthEnd(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(daysInMonth(year, month)).padStart(2, '0')}`;
}

/**
 * The share of a year's commitment due by `date`. With a phase table (cumulative percent at each
 * month end, all 12 months) it interpolates within the month by days; otherwise it pro-rates by
 * calendar days (elapsed days ÷ days in the year).
 */
export function dueShare(year: number, date: string, phases: Map<number, Percent> | null): Percent {
  const elapsed = elapsedDays(year, date);
  const total = daysInYear(year);
  if (elapsed >= total) return Percent.of(1n, 1n)!;
  if (elapsed <= 0) return Percent.of(0n, 1n)!;
  if (!phases || phases.size < 12) return Percent.of(BigInt(elapsed), BigInt(total))!;
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  const before = month === 1 ? Percent.of(0n, 1n)! : phases.get(month - 1)!;
  const at = phases.get(month)!;
  const dim = BigInt(daysInMonth(year, month));
  // before + (at − before) × day ÷ days in month, exactly, as a fraction of 1.
  const num =
    before.numerator * at.denominator * dim +
    (at.numerator * before.denominator - before.numerator * at.denominator) * BigInt(day);
  const den = before.denominator * at.denominator * dim * 100n;
  return Percent.of(num, den)!;
}

/** Linear year-end projection: realisation ÷ elapsed days × days in the year, half-up to cents. */
export function projectYearEnd(
  year: number,
  asOf: string,
  realisation: Cents,
): { projected: Cents; elapsed: number; days: number; perDay: Cents } {
  const elapsed = elapsedDays(year, asOf);
  const days = daysInYear(year);
  if (elapsed <= 0) return { projected: 0n, elapsed: 0, days, perDay: 0n };
  return {
    projected: elapsed >= days ? realisation : divRound(realisation * BigInt(days), BigInt(elapsed)),
    elapsed,
    days,
    perDay: divRound(realisation, BigInt(elapsed)),
  };
}

export function moneyText(c: Cents): string {
  return centsToMoney(c);
}
