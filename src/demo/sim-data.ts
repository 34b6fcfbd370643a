// The feed simulator's data: a deterministic generator that builds any row of any dataset from
// (seed, dataset, year, index) alone, so a page of a multi-million-row snapshot costs only its rows.
//
// How the default data set reproduces the reported figures exactly
// - Each fiscal year has a script (yearScript): commitment and cumulative PDN realisation at
//   checkpoint dates (the press figures, plus a year-end realisation that is ours, for the demo).
// - Realisation: the year is cut into windows ending at the checkpoints. Each window's PDN amount
//   is split over the five realisation channels by fixed shares (exact bigint arithmetic, the last
//   channel takes the remainder). Within one (channel, window) group, row k's PDN amount is
//   ⌊98 % · target · wₖ / Σw⌋ rounded down to whole thousands (a few rows keep cents), with wₖ a
//   heavy-tailed weight drawn from the row's own seed; the group's last row takes
//   target − Σ(others), so the group sums to its target to the cent. Group rows are dated inside
//   their window, so the rows dated on or before a checkpoint sum exactly to that checkpoint.
// - Commitment: announced, active PDN RUP packages dated before the first checkpoint sum to the
//   first commitment the same way. Between two checkpoints whose commitment differs, a few of those
//   packages are revised (pagu moved up or down) or deleted, and new packages are announced; the
//   new packages' group target is the difference minus the revisions plus the deletions, so every
//   snapshot on a checkpoint date sums exactly to its figure.
// - Everything else is extra and leaves the sums alone: non-PDN rows (PDN value 0), rows whose PDN
//   value is unknown (null), rows that are not counted (cancelled, unverified, not completed,
//   inactive, deleted, undated), rows that fail validation, and duplicates that are byte-identical
//   copies of counted rows (so deduplication by natural key keeps the totals).
// - `size` scales every (dataset, year) to that many rows with the same layout; the targets still
//   hold whenever every group gets at least one row (from a few dozen rows up).

import { FEED_DATASETS, type FeedDataset, type ProcurementDataset } from '../feed/contract.js';
import { centsToMoney, type Money, moneyToCents } from '../feed/money.js';
import { fromDbDate } from '../lib/dates.js';
import { type Rng, seededRng } from '../lib/random.js';
import { DEMO_AGENCIES, type DemoAgency, PROVINCE } from './agencies.js';
import { type DemoExhibitor, demoProgramme } from './programme.js';

export interface SimDataOptions {
  /** Seeds every row; the same seed always yields the same bytes. */
  seed: number;
  /** The KLPD (kode_klpd) the simulator serves; other codes answer empty snapshots. */
  klpd: string;
  /** Rows per (dataset, fiscal year) in a full snapshot; absent = the default data set. */
  size?: number;
}

export const DEFAULT_SEED = 2023;
/** A placeholder: DKI Jakarta's real KLPD code was not found in public sources. */
export const DEFAULT_KLPD = 'D999';
/** A larger (dataset, year) would take more than a few seconds to plan. */
export const MAX_SIZE = 20_000_000;
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

export interface ReportedFigure {
  fiscalYear: number;
  /** Snapshot date, YYYY-MM-DD. */
  asOf: string;
  realisationPdn: Money;
  commitment: Money;
}

/** The Big Box dashboard figures of FEED.md: the default data set reproduces each one exactly. */
export const REPORTED_FIGURES: readonly ReportedFigure[] = [
  {
    fiscalYear: 2022,
    asOf: '2022-12-31',
    realisationPdn: '20454000000000.00',
    commitment: '11334000000000.00',
  },
  {
    fiscalYear: 2023,
    asOf: '2023-09-09',
    realisationPdn: '8700000000000.00',
    commitment: '15800000000000.00',
  },
  {
    fiscalYear: 2023,
    asOf: '2023-10-15',
    realisationPdn: '11350000000000.00',
    commitment: '15800000000000.00',
  },
  {
    fiscalYear: 2023,
    asOf: '2023-11-05',
    realisationPdn: '13100000000000.00',
    commitment: '15800000000000.00',
  },
  {
    fiscalYear: 2024,
    asOf: '2024-06-09',
    realisationPdn: '14020000000000.00',
    commitment: '30470000000000.00',
  },
  {
    fiscalYear: 2024,
    asOf: '2024-09-06',
    realisationPdn: '16050000000000.00',
    commitment: '30680000000000.00',
  },
];

/** Years outside the reports get this plain script (ours), so any year can be pulled. */
const GENERIC_COMMITMENT: Money = '25000000000000.00';
const GENERIC_REALISATION: Money = '21500000000000.00';

interface Checkpoint {
  day: number;
  cents: bigint;
}

interface YearScript {
  commitment: Checkpoint[];
  /** Cumulative; the last one is the date the year's data stands as of. */
  realisation: Checkpoint[];
}

export function yearScript(year: number): YearScript {
  const reported = REPORTED_FIGURES.filter((f) => f.fiscalYear === year);
  const point = (asOf: string, amount: Money): Checkpoint => ({
    day: dayOf(asOf),
    cents: moneyToCents(amount),
  });
  const yearEnd = `${year}-12-31`;
  if (reported.length === 0) {
    return {
      commitment: [point(yearEnd, GENERIC_COMMITMENT)],
      realisation: [point(yearEnd, GENERIC_REALISATION)],
    };
  }
  const realisation = reported.map((f) => point(f.asOf, f.realisationPdn));
  return { commitment: reported.map((f) => point(f.asOf, f.commitment)), realisation };
}

/**
 * The date a year's data stands as of: its last reported figure, else 31 December. A reported
 * year's data ends there, so a pull without `as_of` reproduces the latest reported figures.
 */
export function dataAsOf(year: number): string {
  return REPORTED_FIGURES.filter((f) => f.fiscalYear === year).at(-1)?.asOf ?? `${year}-12-31`;
}

// ---------------------------------------------------------------------------------------------
// Calendar: days since 1970-01-01, Asia/Jakarta calendar dates.

const DAY_MS = 86_400_000;

export function dayOf(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

export function dateOfDay(day: number): string {
  return fromDbDate(new Date(day * DAY_MS));
}

// ---------------------------------------------------------------------------------------------
// Layout

/** How a (dataset, year) is cut: realisation channel shares of the PDN total, default sizes. */
const CHANNEL_SHARE_BP: Record<Exclude<ProcurementDataset, 'rup/paket-penyedia-terumumkan'>, bigint> = {
  // basis points; the last one listed takes the remainder so the shares sum exactly.
  'tender/tender-ekontrak-kontrak': 5500n,
  'ekatalog/paket-e-purchasing': 3800n,
  'tender/non-tender-ekontrak-kontrak': 550n,
  'tender/pencatatan-non-tender': 145n,
  'legacy/bela/toko-daring-realisasi': 5n,
};
const CHANNEL_ORDER = Object.keys(CHANNEL_SHARE_BP) as Array<keyof typeof CHANNEL_SHARE_BP>;

export const DEFAULT_ROWS: Readonly<Record<ProcurementDataset, number>> = {
  'rup/paket-penyedia-terumumkan': 420,
  'tender/tender-ekontrak-kontrak': 90,
  'tender/non-tender-ekontrak-kontrak': 160,
  'tender/pencatatan-non-tender': 140,
  'ekatalog/paket-e-purchasing': 260,
  'legacy/bela/toko-daring-realisasi': 150,
};

type ExtraKind = 'nonPdn' | 'unknown' | 'excluded' | 'invalid' | 'dup';
type SegmentKind = 'target' | ExtraKind | 'satker';

/** Fractions of a (dataset, year) that are extras; the rest carries the targets. */
const EXTRAS: Record<ProcurementDataset, Record<ExtraKind, number>> = {
  'rup/paket-penyedia-terumumkan': { nonPdn: 0.2, excluded: 0.04, unknown: 0.01, invalid: 0.01, dup: 0.015 },
  'tender/tender-ekontrak-kontrak': {
    nonPdn: 0.05,
    excluded: 0.06,
    unknown: 0.02,
    invalid: 0.015,
    dup: 0.025,
  },
  'tender/non-tender-ekontrak-kontrak': {
    nonPdn: 0.05,
    excluded: 0.06,
    unknown: 0.02,
    invalid: 0.015,
    dup: 0.025,
  },
  'tender/pencatatan-non-tender': { nonPdn: 0.05, excluded: 0.06, unknown: 0.02, invalid: 0.015, dup: 0.025 },
  'ekatalog/paket-e-purchasing': { nonPdn: 0.05, excluded: 0.06, unknown: 0.02, invalid: 0.015, dup: 0.025 },
  // Every Toko Daring sale counts as PDN, so it has no non-PDN rows.
  'legacy/bela/toko-daring-realisasi': {
    nonPdn: 0,
    excluded: 0.11,
    unknown: 0.02,
    invalid: 0.015,
    dup: 0.025,
  },
};

interface Segment {
  kind: SegmentKind;
  /** First global index. */
  start: number;
  count: number;
  /** Rows are dated evenly from fromDay to toDay (inclusive), in index order. */
  fromDay: number;
  toDay: number;
  /** target segments: the checkpoint they serve, the exact sum (cents) and what the last row
   *  needs to reach it. */
  checkpoint?: number;
  target?: bigint;
  sumW?: bigint;
  headSum?: bigint;
  /** dup segments copy rows of this index range, in order. */
  source?: { start: number; count: number; segment: Segment };
  /** Typical amount of a row (cents), for rows without a target. */
  typical: bigint;
}

interface Revision {
  day: number;
  /** New pagu in cents; null when the package is deleted from that day. */
  pagu: bigint | null;
}

export interface DatasetPlan {
  dataset: FeedDataset;
  year: number;
  total: number;
  segments: Segment[];
  /** RUP revisions by global index. */
  revisions: Map<number, Revision[]>;
}

const DATASET_ID = Object.fromEntries(FEED_DATASETS.map((d, i) => [d, i + 1])) as Record<FeedDataset, number>;

// Salts keep the random streams of one row independent of each other.
const SALT_AMOUNT = 1;
const SALT_ROW = 2;
const SALT_REVISION = 3;

/** A 32-bit hash of integers (each up to 2^53): seeds per-row generators. */
export function mix(...parts: number[]): number {
  let h = 0x811c9dc5 ^ parts.length;
  for (const part of parts) {
    const lo = part >>> 0;
    const hi = Math.floor(part / 4_294_967_296) >>> 0;
    h = Math.imul(h ^ lo, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h ^ hi, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

function spanDay(segment: Segment, k: number): number {
  const span = segment.toDay - segment.fromDay + 1;
  return segment.fromDay + Math.floor((k * span) / segment.count);
}

function sourceIndex(segment: Segment, k: number): number {
  const src = segment.source!;
  return src.start + Math.floor(((2 * k + 1) * src.count) / (2 * segment.count));
}

/** The day a row of a segment is dated (a duplicate carries its source's day). */
function rowDay(segment: Segment, k: number): number {
  if (segment.kind !== 'dup') return spanDay(segment, k);
  const src = segment.source!;
  return spanDay(src.segment, sourceIndex(segment, k) - src.segment.start);
}

/** How many leading rows of a segment exist on a day: rows are dated in index order. */
function existingCount(segment: Segment, asOfDay: number | null): number {
  if (asOfDay === null || segment.kind === 'satker') return segment.count;
  let lo = 0;
  let hi = segment.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rowDay(segment, mid) <= asOfDay) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Weight {
  w: bigint;
  granularity: bigint;
}

/** A heavy-tailed weight (about 50:1 between the largest and the smallest row). */
function weightOf(seed: number, dataset: FeedDataset, year: number, index: number): Weight {
  const rng = seededRng(mix(seed, DATASET_ID[dataset], year, index, SALT_AMOUNT));
  const w = BigInt(Math.floor(1_000_000_000 / (20 + Math.floor(rng() * 1000))));
  // Most amounts are whole thousands of Rupiah; about one in eight carries cents.
  const granularity = rng() < 0.12 ? 25n : 100_000n;
  return { w, granularity };
}

/** About the mean of the weights above (10^6 · ln 51), to scale rows that have no target. */
const MEAN_WEIGHT = 3_931_826n;

function targetAmount(seed: number, plan: DatasetPlan, segment: Segment, k: number): bigint {
  if (k === segment.count - 1) return segment.target! - segment.headSum!;
  const { w, granularity } = weightOf(seed, plan.dataset, plan.year, segment.start + k);
  const raw = (segment.target! * 98n * w) / (100n * segment.sumW!);
  const rounded = raw - (raw % granularity);
  return rounded > 0n ? rounded : raw;
}

function freeAmount(seed: number, plan: DatasetPlan, segment: Segment, index: number): bigint {
  const { w } = weightOf(seed, plan.dataset, plan.year, index);
  const raw = (segment.typical * w) / MEAN_WEIGHT;
  const rounded = raw - (raw % 100_000n);
  return rounded > 0n ? rounded : 100_000n;
}

/** Splits n into parts proportional to weights, each at least `min` when n allows. */
function apportion(n: number, weights: bigint[], min: number): number[] {
  const total = weights.reduce((a, b) => a + b, 0n);
  if (weights.length === 0) return [];
  const parts = weights.map((w) => (total === 0n ? 0 : Number((BigInt(n) * w) / total)));
  for (let i = 0; i < parts.length; i++) parts[i] = Math.max(parts[i]!, min);
  let diff = n - parts.reduce((a, b) => a + b, 0);
  // Give or take the difference from the largest parts first: keeps small groups at their minimum.
  const order = parts.map((_, i) => i).sort((a, b) => parts[b]! - parts[a]! || a - b);
  for (let guard = 0; diff !== 0 && guard < 4 * n + 8; guard++) {
    const i = order[guard % order.length]!;
    if (diff > 0) {
      parts[i]! += 1;
      diff -= 1;
    } else if (parts[i]! > (n >= parts.length * min ? min : 0)) {
      parts[i]! -= 1;
      diff += 1;
    }
  }
  return parts;
}

interface TargetGroup {
  /** Which checkpoint's change the group carries (0: the first checkpoint's total). */
  checkpoint: number;
  target: bigint;
  fromDay: number;
  toDay: number;
}

function extrasCounts(dataset: ProcurementDataset, total: number, groups: number): Record<ExtraKind, number> {
  const fractions = EXTRAS[dataset];
  const counts = { nonPdn: 0, unknown: 0, excluded: 0, invalid: 0, dup: 0 } as Record<ExtraKind, number>;
  for (const kind of Object.keys(fractions) as ExtraKind[]) {
    const f = fractions[kind];
    if (f === 0) continue;
    counts[kind] = total >= 40 ? Math.max(1, Math.floor(total * f)) : Math.floor(total * f);
  }
  // The target groups need one row each before any extra gets one.
  let room = total - groups - Object.values(counts).reduce((a, b) => a + b, 0);
  for (const kind of ['dup', 'invalid', 'unknown', 'excluded', 'nonPdn'] as const) {
    while (room < 0 && counts[kind] > 0) {
      counts[kind] -= 1;
      room += 1;
    }
  }
  return counts;
}

function buildPlan(seed: number, dataset: FeedDataset, year: number, size: number | undefined): DatasetPlan {
  const plan: DatasetPlan = { dataset, year, total: 0, segments: [], revisions: new Map() };
  if (dataset === 'rup/master-satker') {
    plan.segments.push({
      kind: 'satker',
      start: 0,
      count: SATKERS.length,
      fromDay: 0,
      toDay: 0,
      typical: 0n,
    });
    plan.total = SATKERS.length;
    return plan;
  }
  const total = Math.max(0, Math.min(size ?? DEFAULT_ROWS[dataset], MAX_SIZE));
  const script = yearScript(year);
  const yearStart = dayOf(`${year}-01-01`);
  const yearEnd = dayOf(dataAsOf(year));

  let groups: TargetGroup[];
  let extraFrom = yearStart;
  let extraTo = yearEnd;
  const rup = dataset === 'rup/paket-penyedia-terumumkan';
  if (rup) {
    // Plans are announced from December of the year before; the first checkpoint's packages are
    // all announced by it (and by the end of August at the latest).
    const planFrom = dayOf(`${year - 1}-12-01`);
    const first = script.commitment[0]!;
    groups = [
      {
        checkpoint: 0,
        target: first.cents,
        fromDay: planFrom,
        toDay: Math.min(first.day, dayOf(`${year}-08-31`)),
      },
    ];
    for (let j = 1; j < script.commitment.length; j++) {
      const prev = script.commitment[j - 1]!;
      const here = script.commitment[j]!;
      if (here.cents !== prev.cents) {
        groups.push({
          checkpoint: j,
          target: here.cents - prev.cents,
          fromDay: prev.day + 1,
          toDay: here.day,
        });
      }
    }
    extraFrom = planFrom;
    extraTo = Math.min(yearEnd, dayOf(`${year}-11-30`));
  } else {
    const windows = script.realisation.map((c, j, all) => ({
      total: c.cents - (j === 0 ? 0n : all[j - 1]!.cents),
      fromDay: j === 0 ? yearStart : all[j - 1]!.day + 1,
      toDay: c.day,
    }));
    groups = windows.map((w, j) => ({
      checkpoint: j,
      target: channelShare(dataset, w.total),
      fromDay: w.fromDay,
      toDay: w.toDay,
    }));
  }

  const extras = extrasCounts(dataset, total, groups.length);
  const mainTotal = total - Object.values(extras).reduce((a, b) => a + b, 0);
  const mainCounts =
    mainTotal >= groups.length
      ? apportion(
          mainTotal,
          groups.map((g) => (g.target > 0n ? g.target : 1n)),
          1,
        )
      : groups.map((_, j) => (j < mainTotal ? 1 : 0));

  let cursor = 0;
  const grandTarget = groups.reduce((a, g) => a + (g.target > 0n ? g.target : 0n), 0n);
  const typical = mainTotal > 0 ? grandTarget / BigInt(mainTotal) : 100_000_000n;
  const targets: Segment[] = [];
  groups.forEach((g, j) => {
    const count = mainCounts[j]!;
    if (count === 0) return;
    const segment: Segment = {
      kind: 'target',
      start: cursor,
      count,
      fromDay: g.fromDay,
      toDay: g.toDay,
      checkpoint: g.checkpoint,
      target: g.target,
      typical,
    };
    plan.segments.push(segment);
    targets.push(segment);
    cursor += count;
  });
  const extraOrder: ExtraKind[] = ['nonPdn', 'unknown', 'excluded', 'invalid', 'dup'];
  for (const kind of extraOrder) {
    const count = extras[kind];
    if (count === 0) continue;
    const segment: Segment = { kind, start: cursor, count, fromDay: extraFrom, toDay: extraTo, typical };
    if (kind === 'dup') {
      const src = targets[0];
      if (!src) continue;
      // Copies of the first target group: rows every snapshot of the year has.
      segment.source = { start: src.start, count: src.count, segment: src };
      segment.fromDay = src.fromDay;
      segment.toDay = src.toDay;
    }
    plan.segments.push(segment);
    cursor += count;
  }
  plan.total = cursor;

  if (rup) planRevisions(seed, plan, targets, script);
  for (const segment of targets) settleTarget(seed, plan, segment);
  return plan;
}

function channelShare(dataset: ProcurementDataset, windowTotal: bigint): bigint {
  const channel = dataset as keyof typeof CHANNEL_SHARE_BP;
  const last = CHANNEL_ORDER[CHANNEL_ORDER.length - 1]!;
  if (channel !== last) return (windowTotal * CHANNEL_SHARE_BP[channel]) / 10_000n;
  return CHANNEL_ORDER.slice(0, -1).reduce(
    (rest, c) => rest - (windowTotal * CHANNEL_SHARE_BP[c]) / 10_000n,
    windowTotal,
  );
}

/** Fixes Σw and the sum of all rows but the last, so the last row closes the target exactly. */
function settleTarget(seed: number, plan: DatasetPlan, segment: Segment): void {
  let sumW = 0n;
  for (let k = 0; k < segment.count; k++)
    sumW += weightOf(seed, plan.dataset, plan.year, segment.start + k).w;
  segment.sumW = sumW;
  segment.headSum = 0n;
  let head = 0n;
  for (let k = 0; k < segment.count - 1; k++) head += targetAmount(seed, plan, segment, k);
  segment.headSum = head;
}

/**
 * Revises the first packages between two checkpoints whose commitment differs: four change pagu
 * and one is deleted; the new packages announced in that period make up the rest of the change.
 */
function planRevisions(seed: number, plan: DatasetPlan, targets: Segment[], script: YearScript): void {
  const base = targets.find((t) => t.checkpoint === 0);
  if (!base) return;
  settleTarget(seed, plan, base);
  for (let j = 1; j < script.commitment.length; j++) {
    const prev = script.commitment[j - 1]!;
    const here = script.commitment[j]!;
    const group = targets.find((t) => t.checkpoint === j);
    // Too few packages to revise some and keep the others: the new packages carry the change.
    if (here.cents === prev.cents || !group || base.count < 12) continue;
    const rng = seededRng(mix(seed, DATASET_ID[plan.dataset], plan.year, j, SALT_REVISION));
    const dayIn = () => prev.day + 1 + Math.floor(rng() * (here.day - prev.day));
    const picks = [0.15, 0.35, 0.55, 0.75, 0.9].map((f) => Math.floor(base.count * f) + j - 1);
    let revised = 0n;
    for (const k of picks.slice(0, 4)) {
      const old = targetAmount(seed, plan, base, k);
      const step = BigInt(1 + Math.floor(rng() * 20)) * 100_000_000_000n;
      const delta = rng() < 0.7 || old <= 2n * step ? step : -step;
      revised += delta;
      pushRevision(plan, base.start + k, { day: dayIn(), pagu: old + delta });
    }
    const deletedK = picks[4]!;
    const deleted = targetAmount(seed, plan, base, deletedK);
    pushRevision(plan, base.start + deletedK, { day: dayIn(), pagu: null });
    const rest = group.target! - revised + deleted;
    if (rest <= 0n) throw new RangeError(`commitment script of ${plan.year} cannot be met by new packages`);
    group.target = rest;
  }
}

function pushRevision(plan: DatasetPlan, index: number, revision: Revision): void {
  const list = plan.revisions.get(index) ?? [];
  list.push(revision);
  list.sort((a, b) => a.day - b.day);
  plan.revisions.set(index, list);
}

// ---------------------------------------------------------------------------------------------
// People and places

interface Satker {
  agency: DemoAgency;
  /** Position in the list: seeds the dataset-specific numeric kd_satker. */
  ordinal: number;
}

const SATKERS: readonly Satker[] = [PROVINCE, ...DEMO_AGENCIES].map((agency, ordinal) => ({
  agency,
  ordinal,
}));
const AGENCY_WEIGHT_TOTAL = DEMO_AGENCIES.reduce((a, x) => a + x.weight, 0);

function pickAgency(rng: Rng): Satker {
  let roll = rng() * AGENCY_WEIGHT_TOTAL;
  for (let i = 0; i < DEMO_AGENCIES.length; i++) {
    roll -= DEMO_AGENCIES[i]!.weight;
    if (roll < 0) return SATKERS[i + 1]!;
  }
  return SATKERS[SATKERS.length - 1]!;
}

const JENIS_SATKER: Record<DemoAgency['kind'], string> = {
  PROVINCE: 'Provinsi',
  DINAS: 'Dinas',
  BADAN: 'Badan',
  BIRO: 'Biro',
  KOTA_ADMINISTRASI: 'Kota Administrasi',
  SEKRETARIAT: 'Sekretariat',
  RSUD: 'RSUD',
  UPT: 'UPT',
  OTHER: 'Lainnya',
};

interface Vendor {
  code: string;
  name: string;
  /** 15 digits (old NPWP) for the pool, 16 for exhibitors. */
  npwp: string;
  small: boolean;
  bentuk: string;
  exhibitor: boolean;
}

const VENDOR_WORDS = [
  'Maju',
  'Karya',
  'Sentosa',
  'Abadi',
  'Mandiri',
  'Cipta',
  'Mitra',
  'Prima',
  'Bangun',
  'Sinar',
];
const VENDOR_PLACES = ['Jaya', 'Nusantara', 'Persada', 'Utama', 'Lestari', 'Raya', 'Sejahtera', 'Makmur'];
const BENTUK: Record<string, string> = {
  UD: 'Usaha Dagang (UD)',
  CV: 'Persekutuan Komanditer (CV)',
  PT: 'Perseroan Terbatas (PT)',
  Koperasi: 'Koperasi',
};

/** A vendor of the pool: the last digit of n fixes its scale (0–5 and 9 small, 6–8 not). */
function poolVendor(n: number): Vendor {
  const digit = n % 10;
  const prefix = digit <= 2 ? 'UD' : digit <= 5 ? 'CV' : digit === 9 ? 'Koperasi' : 'PT';
  const word = VENDOR_WORDS[n % VENDOR_WORDS.length]!;
  const place = VENDOR_PLACES[Math.floor(n / VENDOR_WORDS.length) % VENDOR_PLACES.length]!;
  const name =
    prefix === 'PT'
      ? `${word} ${place}, PT`
      : prefix === 'Koperasi'
        ? `Koperasi ${word} ${place}`
        : `${prefix}. ${word} ${place}`;
  return {
    code: String(400_000 + n * 131),
    name,
    npwp: String(100_000_000_000_000 + n * 7_654_321),
    small: digit <= 5 || digit === 9,
    bentuk: BENTUK[prefix]!,
    exhibitor: false,
  };
}

const POOL_SIZE = 600;

function pickPoolVendor(rng: Rng, small: boolean): Vendor {
  const smallDigits = [0, 1, 2, 3, 4, 5, 9];
  const largeDigits = [6, 7, 8];
  const digits = small ? smallDigits : largeDigits;
  const digit = digits[Math.floor(rng() * digits.length)]!;
  return poolVendor(10 * Math.floor(rng() * (POOL_SIZE / 10)) + digit);
}

interface ExhibitorVendor {
  vendor: Vendor;
  /** First day the exhibitor may show up as a vendor: the day after its first batch ended. */
  fromDay: number;
}

let exhibitorCache: ExhibitorVendor[] | undefined;

/** Exhibitors that are LKPP vendors, in the order they joined the programme. */
function exhibitorVendors(): ExhibitorVendor[] {
  if (exhibitorCache) return exhibitorCache;
  const programme = demoProgramme();
  const endOf = new Map(programme.events.map((e) => [e.batchNumber, dayOf(e.endDate)]));
  // Not every exhibitor wins business: a third of the registered vendors never appear, so the
  // conversion rate is a real measurement rather than 100 %.
  exhibitorCache = programme.exhibitors
    .filter((x): x is DemoExhibitor & { vendorCode: string } => x.vendorCode !== null)
    .filter((x) => Number(x.vendorCode) % 3 !== 0)
    .map((x) => ({
      vendor: {
        code: x.vendorCode,
        name: x.name,
        npwp: x.npwp,
        small: x.scale === 'MICRO' || x.scale === 'SMALL' || x.scale === 'KOPERASI',
        bentuk: x.name.startsWith('Koperasi')
          ? BENTUK.Koperasi!
          : x.name.startsWith('UD')
            ? BENTUK.UD!
            : x.name.startsWith('CV')
              ? BENTUK.CV!
              : BENTUK.PT!,
        exhibitor: true,
      },
      fromDay: endOf.get(x.firstBatch)! + 1,
    }))
    .sort((a, b) => a.fromDay - b.fromDay);
  return exhibitorCache;
}

/** About one contract or order in five after an exhibitor's first batch goes to an exhibitor. */
function pickExhibitor(rng: Rng, day: number): Vendor | null {
  const roll = rng();
  const pickRoll = rng();
  const all = exhibitorVendors();
  let eligible = 0;
  while (eligible < all.length && all[eligible]!.fromDay <= day) eligible++;
  if (eligible === 0 || roll >= 0.2) return null;
  return all[Math.floor(pickRoll * eligible)]!.vendor;
}

// ---------------------------------------------------------------------------------------------
// Formatting: the traps of FEED.md on purpose.

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Emits an amount as a JSON number when a double holds it exactly, else as a string. */
function money(cents: bigint, asString: boolean): number | string {
  const text = centsToMoney(cents);
  const plain = text.endsWith('.00') ? text.slice(0, -3) : text.replace(/0$/, '');
  if (asString) return plain;
  const digits = plain.replace('.', '').replace(/^0+/, '').length;
  return digits <= 15 ? Number(plain) : plain;
}

type DateStyle = 'date' | 'wib' | 'utcMicro' | 'utc' | 'dmy' | 'ymdSlash';

/** A day (and a WIB time between 08:00 and 16:59, so a UTC instant stays on the same date). */
function formatDate(day: number, style: DateStyle, minute: number): string {
  const date = dateOfDay(day);
  const [y, m, d] = date.split('-');
  const wibHour = 8 + Math.floor(minute / 60);
  const time = `${pad(wibHour)}:${pad(minute % 60)}:${pad((minute * 7) % 60)}`;
  switch (style) {
    case 'date':
      return date;
    case 'wib':
      return `${date} ${time}`;
    case 'utcMicro':
      return `${date}T${pad(wibHour - 7)}:${pad(minute % 60)}:00.000000Z`;
    case 'utc':
      return `${date}T${pad(wibHour - 7)}:${pad(minute % 60)}:${pad((minute * 7) % 60)}Z`;
    case 'dmy':
      return `${d}/${m}/${y}`;
    case 'ymdSlash':
      return `${y}/${m}/${d}`;
  }
}

function styleOf(rng: Rng, usual: DateStyle, others: DateStyle[]): DateStyle {
  return rng() < 0.8 ? usual : others[Math.floor(rng() * others.length)]!;
}

const INVALID_DATES = ['2023-02-30', '0000-00-00 00:00:00', '31/02/{y}', '{y}-13-01', 'belum ditentukan'];
const INVALID_AMOUNTS = ['1.250.000,00', '-5000000', 'Rp 7.500.000'];

const ITEMS: Record<string, string[]> = {
  Barang: [
    'Belanja Alat Tulis Kantor',
    'Pengadaan Seragam Sekolah',
    'Pengadaan Alat Kesehatan',
    'Pengadaan Laptop dan Komputer',
    'Belanja Makanan dan Minuman Rapat',
    'Pengadaan Mebel Kantor',
    'Pengadaan Bahan Obat-obatan',
  ],
  'Pekerjaan Konstruksi': [
    'Pembangunan Gedung Sekolah',
    'Rehabilitasi Saluran Air',
    'Peningkatan Jalan Lingkungan',
    'Pembangunan Trotoar',
    'Rehabilitasi Puskesmas',
  ],
  'Jasa Lainnya': [
    'Jasa Kebersihan Gedung',
    'Jasa Keamanan',
    'Sewa Kendaraan Operasional',
    'Jasa Pemeliharaan AC',
  ],
  'Jasa Konsultansi': ['Jasa Konsultansi Perencanaan', 'Jasa Konsultansi Pengawasan', 'Kajian Teknis'],
};
const JENIS = Object.keys(ITEMS);

function packageTitle(rng: Rng, satker: Satker, year: number): { jenis: string; title: string } {
  const jenis = JENIS[Math.floor(rng() * JENIS.length)]!;
  const items = ITEMS[jenis]!;
  const item = items[Math.floor(rng() * items.length)]!;
  const roll = rng();
  const where = satker.agency.name;
  // HTML and entities inside text fields, as seen at the source.
  const title =
    roll < 0.06
      ? `${item} <b>${where}</b> Tahun ${year}`
      : roll < 0.12
        ? `${item} &amp; Perlengkapan ${where} ${year}`
        : `${item} ${where} Tahun ${year}`;
  return { jenis, title };
}

// ---------------------------------------------------------------------------------------------
// Rows

/** What a row is, before it is dressed as a dataset's row. */
interface RowSpec {
  index: number;
  year: number;
  day: number;
  kind: Exclude<SegmentKind, 'dup' | 'satker'>;
  /** Local position within its segment: rotates the variants of extras. */
  k: number;
  /** PDN amount of target rows, pagu of RUP rows, value of extras (cents). */
  amount: bigint;
  revisions: Revision[] | undefined;
}

export type RawRow = Record<string, unknown>;

export class SimData {
  private readonly plans = new Map<string, DatasetPlan>();

  constructor(readonly options: SimDataOptions) {}

  plan(dataset: FeedDataset, year: number, size = this.options.size): DatasetPlan {
    const key = `${dataset}|${year}|${size ?? ''}`;
    let plan = this.plans.get(key);
    if (plan) {
      // Refresh its place: the cache forgets the least recently used plan first.
      this.plans.delete(key);
      this.plans.set(key, plan);
      return plan;
    }
    plan = buildPlan(this.options.seed, dataset, year, size);
    this.plans.set(key, plan);
    if (this.plans.size > 64) this.plans.delete(this.plans.keys().next().value!);
    return plan;
  }

  /** Global indices of the rows that exist on asOfDay, from `start` on, in order. */
  *indices(plan: DatasetPlan, start: number, asOfDay: number | null): Generator<number> {
    for (const segment of plan.segments) {
      if (segment.start + segment.count <= start) continue;
      const exist = existingCount(segment, asOfDay);
      for (let k = Math.max(0, start - segment.start); k < exist; k++) yield segment.start + k;
    }
  }

  /** The index whose content a row shows: a duplicate shows its source's. */
  contentIndex(plan: DatasetPlan, index: number): number {
    const segment = this.segmentOf(plan, index);
    return segment.kind === 'dup' ? sourceIndex(segment, index - segment.start) : index;
  }

  /** The row at a global index as it stood on asOfDay (null: today, all revisions applied). */
  row(plan: DatasetPlan, index: number, asOfDay: number | null): RawRow {
    const content = this.contentIndex(plan, index);
    const segment = this.segmentOf(plan, content);
    const k = content - segment.start;
    if (segment.kind === 'satker') return satkerRow(this.options.klpd, SATKERS[k]!, plan.year);
    const seed = this.options.seed;
    const kind = segment.kind as RowSpec['kind'];
    const spec: RowSpec = {
      index: content,
      year: plan.year,
      day: spanDay(segment, k),
      kind,
      k,
      amount:
        kind === 'target' ? targetAmount(seed, plan, segment, k) : freeAmount(seed, plan, segment, content),
      revisions: plan.revisions.get(content)?.filter((r) => asOfDay === null || r.day <= asOfDay),
    };
    const rng = seededRng(mix(seed, DATASET_ID[plan.dataset], plan.year, content, SALT_ROW));
    return BUILDERS[plan.dataset as ProcurementDataset](spec, rng, this);
  }

  private segmentOf(plan: DatasetPlan, index: number): Segment {
    for (const segment of plan.segments) {
      if (index < segment.start + segment.count) return segment;
    }
    throw new RangeError(`row ${index} is beyond ${plan.dataset} ${plan.year}`);
  }

  /** kd_rup of a RUP package of the year, for e-Katalog orders and recorded purchases. */
  rupKey(year: number, rng: Rng, pdn: boolean | null): number {
    const plan = this.plan('rup/paket-penyedia-terumumkan', year);
    const wanted =
      plan.segments.find((s) => s.kind === (pdn === false ? 'nonPdn' : 'target')) ?? plan.segments[0];
    const index = wanted ? wanted.start + Math.floor(rng() * wanted.count) : 0;
    return rupNumber(year, index);
  }

  /** Whether a RUP package (by index) is reserved for small business: stable per package. */
  rupUkm(year: number, index: number): boolean {
    return (
      seededRng(mix(this.options.seed, DATASET_ID['rup/paket-penyedia-terumumkan'], year, index, 9))() < 0.35
    );
  }

  klpd(): string {
    return this.options.klpd;
  }
}

function rupNumber(year: number, index: number): number {
  return (year - 2000) * 100_000_000 + 10_000_000 + index;
}

const NAMA_KLPD = 'Provinsi DKI Jakarta';

function satkerRow(klpd: string, satker: Satker, year: number): RawRow {
  return {
    ...(year > 0 ? { tahun_anggaran: year } : {}),
    kd_klpd: klpd,
    nama_klpd: NAMA_KLPD,
    jenis_klpd: 'PROVINSI',
    kd_satker: 264_400 + satker.ordinal * 13,
    kd_satker_str: satker.agency.code,
    nama_satker: satker.agency.name.toUpperCase(),
    jenis_satker: JENIS_SATKER[satker.agency.kind],
    status_satker: 'Aktif',
  };
}

type Builder = (spec: RowSpec, rng: Rng, data: SimData) => RawRow;

function invalidDate(spec: RowSpec): string {
  return INVALID_DATES[spec.k % INVALID_DATES.length]!.replace('{y}', String(spec.year));
}

function invalidAmount(spec: RowSpec): string {
  return INVALID_AMOUNTS[Math.floor(spec.k / 3) % INVALID_AMOUNTS.length]!;
}

/** Invalid rows alternate between a bad date, a bad amount and a missing agency key. */
function invalidField(spec: RowSpec): 'date' | 'amount' | 'agency' {
  return (['date', 'amount', 'agency'] as const)[spec.k % 3]!;
}

function header(
  spec: RowSpec,
  data: SimData,
  satker: Satker,
  numericSatker: number | string,
  yearField = 'tahun_anggaran',
) {
  const head: RawRow = {
    [yearField]: spec.year,
    kd_klpd: data.klpd(),
    nama_klpd: NAMA_KLPD,
    jenis_klpd: 'PROVINSI',
    kd_satker: numericSatker,
    kd_satker_str: satker.agency.code,
    nama_satker: satker.agency.name.toUpperCase(),
  };
  if (spec.kind === 'invalid' && invalidField(spec) === 'agency') delete head.kd_satker_str;
  return head;
}

const rupBuilder: Builder = (spec, rng, data) => {
  const satker = pickAgency(rng);
  const { jenis, title } = packageTitle(rng, satker, spec.year);
  const style = styleOf(rng, 'wib', ['utcMicro', 'date', 'dmy']);
  const minute = Math.floor(rng() * 540);
  const stringy = rng() < 0.1;
  let pagu: bigint | null = spec.amount;
  let deleted = false;
  for (const r of spec.revisions ?? []) {
    if (r.pagu === null) deleted = true;
    else pagu = r.pagu;
  }
  let pdn = 'PDN';
  let aktif = true;
  let umumkan = 'Terumumkan';
  let paguOut: unknown = pagu === null ? null : money(pagu, stringy);
  let announced = formatDate(spec.day, style, minute);
  if (spec.kind === 'nonPdn') pdn = 'Non-PDN';
  if (spec.kind === 'excluded') {
    // Not counted: inactive, deleted or not (yet) announced.
    const v = spec.k % 3;
    if (v === 0) aktif = false;
    else if (v === 1) deleted = true;
    else umumkan = 'Belum Terumumkan';
  }
  if (spec.kind === 'unknown') {
    if (spec.k % 2 === 0) paguOut = null;
    else pdn = '';
  }
  if (spec.kind === 'invalid') {
    if (invalidField(spec) === 'date') announced = invalidDate(spec);
    if (invalidField(spec) === 'amount') paguOut = invalidAmount(spec);
  }
  const metode =
    jenis === 'Barang'
      ? rng() < 0.6
        ? 'E-Purchasing'
        : 'Pengadaan Langsung'
      : jenis === 'Pekerjaan Konstruksi'
        ? 'Tender'
        : 'Seleksi';
  const ukm = data.rupUkm(spec.year, spec.index);
  const created = dateOfDay(spec.day - 3 - Math.floor(rng() * 10));
  return {
    ...header(spec, data, satker, 264_400 + satker.ordinal * 13),
    kd_rup: rupNumber(spec.year, spec.index),
    nama_paket: title,
    pagu: paguOut,
    kd_metode_pengadaan: metode === 'E-Purchasing' ? 9 : metode === 'Tender' ? 13 : 7,
    metode_pengadaan: metode,
    kd_jenis_pengadaan: String(JENIS.indexOf(jenis) + 1),
    jenis_pengadaan: jenis,
    status_pradipa: 'Non-PraDIPA',
    status_pdn: pdn,
    status_ukm: ukm ? 'UKM' : 'Non-UKM',
    alasan_non_ukm: ukm ? null : 'Nilai paket di atas batas usaha kecil',
    status_konsolidasi: 'Non-Konsolidasi',
    tipe_paket: 'Penyedia',
    kd_rup_swakelola: null,
    kd_rup_lokal: null,
    volume_pekerjaan: '1 Paket',
    urarian_pekerjaan:
      rng() < 0.3 ? `<p>${title}</p><ul><li>Sesuai spesifikasi</li></ul>` : `${jenis}; ${jenis}; `,
    spesifikasi_pekerjaan: 'Sesuai KAK; \r\n',
    tgl_awal_pemilihan: `${spec.year}-01-01`,
    tgl_akhir_pemilihan: `${spec.year}-03-31`,
    tgl_awal_kontrak: `${spec.year}-02-01`,
    tgl_akhir_kontrak: `${spec.year}-12-01`,
    tgl_buat_paket: created,
    tgl_pengumuman_paket: announced,
    status_aktif_rup: deleted ? false : aktif,
    status_delete_rup: deleted,
    status_umumkan_rup: umumkan,
    status_dikecualikan: false,
  };
};

interface Amounts {
  value: unknown;
  pdn: unknown;
  umk: unknown;
}

/**
 * Value, PDN and UMK of a contract-like row. Target rows: PDN is the amount, the value adds a
 * non-PDN part on some rows, UMK is the whole value when the vendor is small. Extras: value is the
 * amount; PDN is 0 (nonPdn), null (unknown) or the value (excluded).
 */
function contractAmounts(spec: RowSpec, rng: Rng, small: boolean): Amounts {
  const stringy = rng() < 0.1;
  const extraRoll = rng();
  const nonPdnPart = extraRoll < 0.45 ? 0n : (spec.amount * BigInt(10 + Math.floor(rng() * 170))) / 1000n;
  const extraCents = nonPdnPart - (nonPdnPart % 100_000n);
  const m = (c: bigint) => money(c, stringy);
  switch (spec.kind) {
    case 'target': {
      const value = spec.amount + extraCents;
      return { value: m(value), pdn: m(spec.amount), umk: m(small ? value : 0n) };
    }
    case 'nonPdn':
      return { value: m(spec.amount), pdn: m(0n), umk: m(small ? spec.amount : 0n) };
    case 'unknown':
      return { value: m(spec.amount), pdn: null, umk: null };
    default:
      return { value: m(spec.amount), pdn: m(spec.amount), umk: m(small ? spec.amount : 0n) };
  }
}

function npwpFormatted(npwp: string): string {
  if (npwp.length !== 15) return npwp;
  return `${npwp.slice(0, 2)}.${npwp.slice(2, 5)}.${npwp.slice(5, 8)}.${npwp.slice(8, 9)}-${npwp.slice(9, 12)}.${npwp.slice(12)}`;
}

function contractVendor(spec: RowSpec, rng: Rng, smallShare: number): Vendor {
  const exhibitor = spec.kind === 'target' || spec.kind === 'nonPdn' ? pickExhibitor(rng, spec.day) : null;
  return exhibitor ?? pickPoolVendor(rng, rng() < smallShare);
}

function contractBuilder(tender: boolean): Builder {
  return (spec, rng, data) => {
    const satker = pickAgency(rng);
    const { jenis, title } = packageTitle(rng, satker, spec.year);
    const vendor = contractVendor(spec, rng, tender ? 0.2 : 0.6);
    const amounts = contractAmounts(spec, rng, vendor.small);
    const style = styleOf(rng, 'utcMicro', ['date', 'dmy', 'utc']);
    const minute = Math.floor(rng() * 540);
    const id = (spec.year - 2000) * 1_000_000_000 + (tender ? 100_000_000 : 500_000_000) + spec.index;
    const seq = String(spec.index % 1000).padStart(3, '0');
    let tgl: unknown = formatDate(spec.day, style, minute);
    let status = rng() < 0.5 ? 'Kontrak Selesai' : 'Kontrak Sedang Berjalan';
    let value = amounts.value;
    if (spec.kind === 'excluded') {
      // Not counted: cancelled, or a contract without a date.
      if (spec.k % 3 === 2) tgl = null;
      else status = 'Kontrak Dibatalkan';
    }
    if (spec.kind === 'invalid') {
      if (invalidField(spec) === 'date') tgl = invalidDate(spec);
      if (invalidField(spec) === 'amount') value = invalidAmount(spec);
    }
    // Filled field by field on the header's own object rather than spread into a new literal
    // with computed keys: the same fields in the same order (and the same draws of rng), built
    // for the cost of one object. Contracts are the rows the ingest benchmark pulls.
    const row = header(spec, data, satker, String(24_977_000 + satker.ordinal * 97));
    row.kd_lpse = 1;
    row[tender ? 'kd_tender' : 'kd_nontender'] = id;
    row.kd_rup = String(data.rupKey(spec.year, rng, spec.kind !== 'nonPdn'));
    row.nama_paket = title;
    row.no_kontrak = `${seq}/SPK/${tender ? 'T' : 'NT'}/${satker.agency.code.slice(0, 4)}/${spec.year}`;
    row.tgl_kontrak = tgl;
    row.kota_kontrak = 'Jakarta';
    row.kd_penyedia = Number(vendor.code);
    row.nama_penyedia = vendor.name;
    row.npwp_penyedia = rng() < 0.5 ? npwpFormatted(vendor.npwp) : vendor.npwp;
    row[tender ? 'npwp_16_penyedia' : 'npwp16_penyedia'] =
      vendor.npwp.length === 15 ? `0${vendor.npwp}` : vendor.npwp;
    row.bentuk_usaha_penyedia = vendor.bentuk;
    row.kualifikasi_paket = vendor.small ? 'Kecil' : 'Non Kecil';
    if (!tender) row.mtd_pemilihan = rng() < 0.7 ? 'Pengadaan Langsung' : 'Penunjukan Langsung';
    row.jenis_pengadaan = jenis;
    row.nilai_kontrak = value;
    row.nilai_pdn_kontrak = amounts.pdn;
    row.nilai_umk_kontrak = amounts.umk;
    row.jenis_kontrak = 'Lumsum';
    row.status_kontrak = status;
    row.apakah_addendum = 'Tidak';
    row.versi_addendum = 0;
    return row;
  };
}

const pencatatanBuilder: Builder = (spec, rng, data) => {
  const satker = pickAgency(rng);
  const { jenis, title } = packageTitle(rng, satker, spec.year);
  const vendor = pickPoolVendor(rng, rng() < 0.8);
  const amounts = contractAmounts(spec, rng, vendor.small);
  const style = styleOf(rng, 'wib', ['ymdSlash', 'date', 'utcMicro']);
  const minute = Math.floor(rng() * 540);
  let selesai: unknown = formatDate(spec.day, style, minute);
  let status = 'Aktif';
  let ket = 'Paket Selesai';
  let total = amounts.value;
  if (spec.kind === 'excluded') {
    status = 'Batal';
    ket = 'Paket Dibatalkan';
  }
  if (spec.kind === 'invalid') {
    if (invalidField(spec) === 'date') selesai = invalidDate(spec);
    if (invalidField(spec) === 'amount') total = invalidAmount(spec);
  }
  const started = dateOfDay(spec.day - 5 - Math.floor(rng() * 20));
  return {
    ...header(spec, data, satker, String(14_414_000 + satker.ordinal * 89)),
    kd_lpse: 1,
    kd_nontender_pct: (spec.year - 2000) * 1_000_000_000 + 300_000_000 + spec.index,
    kd_rup: String(data.rupKey(spec.year, rng, true)),
    nama_paket: title,
    pagu: typeof total === 'number' || typeof total === 'string' ? total : null,
    total_realisasi: total,
    nilai_pdn_pct: amounts.pdn,
    nilai_umk_pct: amounts.umk,
    sumber_dana: 'APBD',
    uraian_pekerjaan: `<p>${title}</p><p>Pembayaran&nbsp;sesuai bukti</p>`,
    informasi_lainnya: null,
    kategori_pengadaan: jenis,
    mtd_pemilihan: 'Pengadaan Langsung',
    bukti_pembayaran: rng() < 0.5 ? 'Kuitansi' : 'NonSPK',
    status_nontender_pct: status,
    status_nontender_pct_ket: ket,
    alasan_pembatalan: status === 'Batal' ? 'Kebutuhan berubah' : null,
    tgl_buat_paket: `${started}T0${1 + Math.floor(rng() * 8)}:14:32.838000Z`,
    tgl_mulai_paket: `${started} 07:21:48`,
    tgl_selesai_paket: selesai,
    nama_penyedia: vendor.name,
    npwp_penyedia: npwpFormatted(vendor.npwp),
  };
};

const ekatalogBuilder: Builder = (spec, rng, data) => {
  const satker = pickAgency(rng);
  const { title } = packageTitle(rng, satker, spec.year);
  const vendor = contractVendor(spec, rng, 0.5);
  const stringy = rng() < 0.1;
  const style = styleOf(rng, 'date', ['utc', 'wib']);
  const minute = Math.floor(rng() * 540);
  const pdnKnown = spec.kind !== 'unknown';
  const pdn = spec.kind !== 'nonPdn';
  const rupIndexRoll = rng();
  const rupKey = data.rupKey(spec.year, () => rupIndexRoll, pdnKnown ? pdn : null);
  const ukm = data.rupUkm(spec.year, rupKey - rupNumber(spec.year, 0));
  let status = 'COMPLETED';
  let shipping = 'COMPLETED';
  let tgl: unknown = formatDate(spec.day, style, minute);
  let total: unknown = money(spec.amount, stringy);
  if (spec.kind === 'excluded') {
    status = spec.k % 2 === 0 ? 'ON_PROCESS' : 'CANCELLED';
    shipping = spec.k % 2 === 0 ? 'ON_DELIVERY' : 'CANCELLED';
  }
  if (spec.kind === 'invalid') {
    if (invalidField(spec) === 'date') tgl = invalidDate(spec);
    if (invalidField(spec) === 'amount') total = invalidAmount(spec);
  }
  const row: RawRow = {
    ...header(spec, data, satker, String(30_100 + satker.ordinal)),
    jenis_instansi: 'PROVINSI',
    nama_instansi: NAMA_KLPD,
    kd_paket: `01EK${spec.year}${spec.index.toString(36).toUpperCase().padStart(8, '0')}${(mix(spec.index, spec.year) % 1_000_000).toString(36).toUpperCase().padStart(4, '0')}`,
    kd_rup: String(rupKey),
    rup_nama_pkt: title,
    sumber_dana: 'APBD',
    kd_penyedia_v6: vendor.exhibitor ? vendor.code : `01V6${vendor.code.padStart(10, '0')}`,
    kd_penyedia_sikap: Number(vendor.code),
    jml_jenis_produk: 1 + Math.floor(rng() * 9),
    jml_produk: 1 + Math.floor(rng() * 500),
    ongkir: 0,
    total_harga: total,
    tgl_order: tgl,
    status_pkt: status,
    status_pengiriman: shipping,
  };
  if (pdnKnown) {
    row.status_pdn = pdn ? 'PDN' : 'Non-PDN';
    row.status_ukm = ukm ? 'UKM' : 'Non-UKM';
  } else {
    // Stated unknown: the order keeps an unknown PDN value instead of taking its package's status.
    row.status_pdn = null;
    row.status_ukm = null;
  }
  delete row.kd_satker;
  delete row.jenis_klpd;
  return row;
};

const tokoDaringBuilder: Builder = (spec, rng, data) => {
  const satker = pickAgency(rng);
  const vendor = pickPoolVendor(rng, true);
  const stringy = rng() < 0.1;
  const style = styleOf(rng, 'wib', ['dmy', 'date']);
  const minute = Math.floor(rng() * 540);
  const items = ITEMS.Barang!;
  let verif = 'verified';
  let konfirmasi = rng() < 0.5 ? 'selesai' : 'berhasil';
  let keterangan: string | null = null;
  let tgl: unknown = formatDate(spec.day, style, minute);
  let valuasi: unknown = spec.kind === 'unknown' ? null : money(spec.amount, stringy);
  if (spec.kind === 'excluded') {
    const v = spec.k % 3;
    if (v === 0) verif = 'unverified';
    else {
      konfirmasi = v === 1 ? 'gagal' : 'menunggu';
      keterangan = v === 1 ? 'Payment Kadaluarsa' : null;
    }
  }
  if (spec.kind === 'invalid') {
    if (invalidField(spec) === 'date') tgl = invalidDate(spec);
    if (invalidField(spec) === 'amount') valuasi = invalidAmount(spec);
  }
  const head = header(spec, data, satker, String(60_400 + satker.ordinal), 'tahun');
  delete head.jenis_klpd;
  // kd_satker_str is optional in this dataset, so its invalid rows carry an unreadable year.
  if (spec.kind === 'invalid' && invalidField(spec) === 'agency') {
    head.kd_satker_str = satker.agency.code;
    head.tahun = `TA ${spec.year}`;
  }
  return {
    ...head,
    order_id: String(spec.year * 1_000_000_000 + spec.index),
    order_desc: `${items[Math.floor(rng() * items.length)]} &amp; ongkos kirim`,
    valuasi,
    kategori: 'Barang',
    metode_bayar: rng() < 0.7 ? 'transfer' : 'kartu kredit pemerintah',
    tanggal_transaksi: tgl,
    marketplace: ['mbiz market', 'Blibli', 'Tokopedia', 'Shopee', 'LPSE Mart'][Math.floor(rng() * 5)],
    merchant_name: vendor.name,
    jenis_transaksi: 'bela',
    kota_kab: 'Jakarta',
    provinsi: 'DKI Jakarta',
    status_verif: verif,
    sumber_data: 'api_v3',
    status_konfirmasi_ppmse: konfirmasi,
    keterangan_ppmse: keterangan,
  };
};

const BUILDERS: Record<ProcurementDataset, Builder> = {
  'rup/paket-penyedia-terumumkan': rupBuilder,
  'tender/tender-ekontrak-kontrak': contractBuilder(true),
  'tender/non-tender-ekontrak-kontrak': contractBuilder(false),
  'tender/pencatatan-non-tender': pencatatanBuilder,
  'ekatalog/paket-e-purchasing': ekatalogBuilder,
  'legacy/bela/toko-daring-realisasi': tokoDaringBuilder,
};

/** Field names per dataset that the fault injection touches. */
export const FAULT_FIELDS: Record<ProcurementDataset, { date: string; amounts: string[]; title: string }> = {
  'rup/paket-penyedia-terumumkan': { date: 'tgl_pengumuman_paket', amounts: ['pagu'], title: 'nama_paket' },
  'tender/tender-ekontrak-kontrak': {
    date: 'tgl_kontrak',
    amounts: ['nilai_kontrak', 'nilai_pdn_kontrak', 'nilai_umk_kontrak'],
    title: 'nama_paket',
  },
  'tender/non-tender-ekontrak-kontrak': {
    date: 'tgl_kontrak',
    amounts: ['nilai_kontrak', 'nilai_pdn_kontrak', 'nilai_umk_kontrak'],
    title: 'nama_paket',
  },
  'tender/pencatatan-non-tender': {
    date: 'tgl_selesai_paket',
    amounts: ['pagu', 'total_realisasi', 'nilai_pdn_pct', 'nilai_umk_pct'],
    title: 'nama_paket',
  },
  'ekatalog/paket-e-purchasing': { date: 'tgl_order', amounts: ['total_harga'], title: 'rup_nama_pkt' },
  'legacy/bela/toko-daring-realisasi': {
    date: 'tanggal_transaksi',
    amounts: ['valuasi'],
    title: 'order_desc',
  },
};

/**
 * Every row of a snapshot, as the server pages it (no faults): for tests and benchmarks that
 * need the expected data without HTTP.
 */
export function* snapshotRows(
  data: SimData,
  dataset: FeedDataset,
  year: number,
  asOf: string | null = null,
): Generator<RawRow> {
  const plan = data.plan(dataset, year);
  const asOfDay = asOf === null ? null : dayOf(asOf);
  for (const index of data.indices(plan, 0, asOfDay)) yield data.row(plan, index, asOfDay);
}
