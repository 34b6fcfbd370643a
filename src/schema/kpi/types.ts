// The KPI graph's shared types: the measures every KPI answer carries (KpiMeasures), their text
// for readers, provenance, coverage, statuses and locales.
import type { CommitmentBasis, KpiFigures, KpiStatus as KpiStatusValue } from '../../services/kpi/figures.js';
import type { Coverage, Projection, ReadCache, YearOverYear } from '../../services/kpi/kpis.js';
import { type Cents, centsToMoney, type KpiLocale, type Percent } from '../../services/kpi/numbers.js';
import { type Snapshot, snapshots, type VersionPick } from '../../services/kpi/read.js';
import { builder } from '../builder.js';
import { valueId } from '../common.js';
import type { Context } from '../context.js';

const readCaches = new WeakMap<Context, ReadCache>();

/** The request's read memo (a fresh one per request, since the context is). */
export function readCache(ctx: Context): ReadCache {
  let cache = readCaches.get(ctx);
  if (!cache) {
    cache = new Map();
    readCaches.set(ctx, cache);
  }
  return cache;
}

export const money = (c: Cents | null | undefined): string | null =>
  c === null || c === undefined ? null : centsToMoney(c);
export const pct = (p: Percent | null | undefined): number | null => (p ? p.toNumber() : null);

export const PERCENT_RULE =
  'Percent, computed exactly from the sums and rounded half-up to 4 decimals (text: 1 decimal).';

export const KpiLocaleEnum = builder.enumType('KpiLocale', {
  description: 'The language of formatted figures.',
  values: {
    ID: { value: 'id', description: 'Indonesian: `Rp13,1 triliun`, `82,9 %`, `Rp950.000`.' },
    EN: { value: 'en', description: 'English: `IDR 13.1 trillion`, `82.9%`, `IDR 950,000`.' },
  },
});

export const KpiStatus = builder.enumType('KpiStatus', {
  description: 'Where a figure stands against its target.',
  values: {
    ACHIEVED: { description: 'Realisation has reached the whole year’s commitment.' },
    ON_TRACK: { description: 'At or above the target to date (for shares: at or above the target share).' },
    BEHIND: { description: 'Below the target to date (for shares: below the target share).' },
    NO_TARGET: { description: 'There is no target (no commitment, or no share target set).' },
    NO_DATA: { description: 'There is a target but nothing to compare with (no known values).' },
  } satisfies Record<KpiStatusValue, { description: string }>,
});

export const CommitmentBasisEnum = builder.enumType('CommitmentBasis', {
  description: 'Which commitment attainment divides by.',
  values: {
    COMPUTED: { description: 'The commitment computed from the RUP plans (used whenever a plan counts).' },
    OFFICIAL: { description: 'The official commitment set by an admin (used when no plan counts).' },
    NONE: { description: 'Neither exists: attainment is undefined.' },
  },
});

export const KpiText = builder.objectRef<ReturnType<KpiFigures['text']>>('KpiText').implement({
  description:
    'The figures as text for readers: money from a million up in juta/miliar/triliun with at most 3 ' +
    'decimals (half-up, trailing zeros dropped), percentages with 1 decimal (half-up). Null where the ' +
    'figure is undefined.',
  fields: (t) => ({
    id: t.id(valueId('KpiText')),
    realisation: t.exposeString('realisation', { description: 'PDN realisation, e.g. `Rp13,1 triliun`.' }),
    totalValue: t.exposeString('totalValue', { description: 'Total value of counted procurement.' }),
    umkValue: t.exposeString('umkValue', { description: 'UMK-Koperasi value.' }),
    commitment: t.exposeString('commitment', { nullable: true, description: 'Computed RUP commitment.' }),
    officialCommitment: t.exposeString('officialCommitment', {
      nullable: true,
      description: 'Official commitment.',
    }),
    commitmentUsed: t.exposeString('commitmentUsed', {
      nullable: true,
      description: 'The commitment attainment uses.',
    }),
    attainment: t.exposeString('attainment', { nullable: true, description: 'Attainment, e.g. `82,9 %`.' }),
    pdnShare: t.exposeString('pdnShare', { nullable: true, description: 'PDN share.' }),
    umkShare: t.exposeString('umkShare', { nullable: true, description: 'UMK-Koperasi share.' }),
    targetToDate: t.exposeString('targetToDate', {
      nullable: true,
      description: 'Commitment due by the date.',
    }),
    gapToDate: t.exposeString('gapToDate', { nullable: true, description: 'Target to date − realisation.' }),
    commitmentGap: t.exposeString('commitmentGap', {
      nullable: true,
      description: 'Commitment − realisation.',
    }),
    pdnShareGap: t.exposeString('pdnShareGap', {
      nullable: true,
      description: 'Target − PDN share, in points.',
    }),
    umkShareGap: t.exposeString('umkShareGap', {
      nullable: true,
      description: 'Target − UMK share, in points.',
    }),
  }),
});

const KpiUnknowns = builder.objectRef<KpiFigures>('KpiUnknowns').implement({
  description:
    'Counted items whose value is unknown at the source (null): they are counted here and left out of ' +
    'the sums, never added as zero.',
  fields: (t) => ({
    id: t.id(valueId('KpiUnknowns')),
    pdnValue: t.int({
      description: 'Realisation items with an unknown PDN value.',
      resolve: (f) => f.totals.unknownPdn,
    }),
    value: t.int({
      description: 'Realisation items with an unknown total value.',
      resolve: (f) => f.totals.unknownValue,
    }),
    umkValue: t.int({
      description: 'Realisation items with an unknown UMK value.',
      resolve: (f) => f.totals.unknownUmk,
    }),
    commitment: t.int({
      description: 'Counted RUP plans with an unknown pagu.',
      resolve: (f) => f.commitment?.unknownCount ?? 0,
    }),
    pdnAmount: t.field({
      type: 'Money',
      description:
        'Σ value of the realisation items with an unknown PDN value: how much spending the realisation ' +
        'cannot place (e.g. e-Katalog orders whose RUP package’s PDN status is not known).',
      resolve: (f) => centsToMoney(f.totals.unknownPdnAmount),
    }),
  }),
});

const KpiSuspects = builder.objectRef<KpiFigures>('KpiSuspects').implement({
  description:
    'Counted realisation items whose figures look wrong at the source: a PDN value above the value, or a ' +
    'PDN value above 0 and at most 100 on a value of Rp1.000.000 or more (a percentage typed into a rupiah ' +
    'field). They are kept and summed as reported, and shown here so a reader sees how much of a figure ' +
    'rests on them (docs/kpi.md).',
  fields: (t) => ({
    id: t.id(valueId('KpiSuspects')),
    count: t.int({ description: 'How many items are suspect.', resolve: (f) => f.totals.suspectCount }),
    value: t.field({
      type: 'Money',
      description: 'Σ value of the suspect items.',
      resolve: (f) => centsToMoney(f.totals.suspectValue),
    }),
  }),
});

/** Anything that carries a set of figures. */
export interface HasFigures {
  figures: KpiFigures;
}

export const KpiMeasures = builder.interfaceRef<HasFigures>('KpiMeasures').implement({
  description:
    'The measures of one KPI answer (a year, an agency, a month or a breakdown row). Money is exact ' +
    '(rupiah, 2 decimals). Realisation counts only counted, not withdrawn items (docs/kpi.md).',
  fields: (t) => ({
    realisation: t.field({
      type: 'Money',
      description:
        'PDN realisation: Σ PDN value of counted realisation items over every channel (contracts by ' +
        'contract date, recorded purchases, completed e-Katalog orders of PDN packages, verified Toko ' +
        'Daring transactions). Unknown values are left out and counted in `unknown`.',
      resolve: (p) => centsToMoney(p.figures.realisation),
    }),
    totalValue: t.field({
      type: 'Money',
      description: 'Σ value of the same items (domestic or not).',
      resolve: (p) => centsToMoney(p.figures.totals.totalValue),
    }),
    umkValue: t.field({
      type: 'Money',
      description: 'Σ UMK-Koperasi value of the same items.',
      resolve: (p) => centsToMoney(p.figures.totals.umkValue),
    }),
    itemCount: t.int({
      description: 'Counted realisation items.',
      resolve: (p) => p.figures.totals.itemCount,
    }),
    unknown: t.field({
      type: KpiUnknowns,
      description: 'Items with unknown values.',
      resolve: (p) => p.figures,
    }),
    suspect: t.field({
      type: KpiSuspects,
      description: 'Items whose figures look wrong at the source, counted as reported (count and value).',
      resolve: (p) => p.figures,
    }),
    commitment: t.field({
      type: 'Money',
      nullable: true,
      description:
        'Commitment computed from the snapshot: Σ pagu of RUP supplier packages that are announced, ' +
        'active, not deleted and PDN. Null when no such plan exists.',
      resolve: (p) => money(p.figures.commitment?.computed),
    }),
    officialCommitment: t.field({
      type: 'Money',
      nullable: true,
      description:
        'The official commitment set by an admin (fiscal_target), as the data version captured it. For ' +
        'a scope, the top-most official figures are added (a unit’s figure is part of its parent’s).',
      resolve: (p) => money(p.figures.commitment?.official),
    }),
    commitmentUsed: t.field({
      type: 'Money',
      nullable: true,
      description:
        'The commitment attainment divides by: the computed one when a plan counts, else the official one.',
      resolve: (p) => money(p.figures.commitmentUsed),
    }),
    commitmentBasis: t.field({
      type: CommitmentBasisEnum,
      description: 'Which commitment `commitmentUsed` is.',
      resolve: (p): CommitmentBasis =>
        p.figures.commitment?.computed != null
          ? 'COMPUTED'
          : p.figures.commitment?.official != null
            ? 'OFFICIAL'
            : 'NONE',
    }),
    attainment: t.float({
      nullable: true,
      description: `Realisation ÷ commitmentUsed × 100 (can exceed 100). ${PERCENT_RULE} Null without a commitment.`,
      resolve: (p) => pct(p.figures.attainment),
    }),
    pdnShare: t.float({
      nullable: true,
      description: `PDN value ÷ total value × 100, over items whose both values are known. ${PERCENT_RULE}`,
      resolve: (p) => pct(p.figures.pdnShare),
    }),
    umkShare: t.float({
      nullable: true,
      description: `UMK-Koperasi value ÷ total value × 100, over items whose both values are known. ${PERCENT_RULE}`,
      resolve: (p) => pct(p.figures.umkShare),
    }),
    targetToDate: t.field({
      type: 'Money',
      nullable: true,
      description:
        'The commitment pro-rated to the figures’ date: by the time-phased target (cumulative percent ' +
        'per month end, interpolated by day) when one is set, else by calendar days elapsed ÷ days in ' +
        'the year. Rounded half-up to the sen.',
      resolve: (p) => money(p.figures.targetToDate),
    }),
    targetToDatePercent: t.float({
      nullable: true,
      description: `The share of the year’s commitment due by the figures’ date. ${PERCENT_RULE}`,
      resolve: (p) => pct(p.figures.due),
    }),
    gapToDate: t.field({
      type: 'Money',
      nullable: true,
      description: 'targetToDate − realisation: positive is a shortfall, negative is ahead of target.',
      resolve: (p) => money(p.figures.gapToDate),
    }),
    commitmentGap: t.field({
      type: 'Money',
      nullable: true,
      description: 'commitmentUsed − realisation: what remains of the year (negative when exceeded).',
      resolve: (p) => money(p.figures.commitmentGap),
    }),
    status: t.field({
      type: KpiStatus,
      description:
        'ACHIEVED at or above the whole commitment, ON_TRACK at or above targetToDate, else BEHIND.',
      resolve: (p): KpiStatusValue => p.figures.status,
    }),
    pdnShareTarget: t.float({
      nullable: true,
      description:
        'Target PDN share, percent (e.g. 95, Inpres 2/2022), of the agency (or its nearest parent).',
      resolve: (p) => pct(p.figures.targets?.pdnShareTarget),
    }),
    pdnShareGap: t.float({
      nullable: true,
      description: `pdnShareTarget − pdnShare, in percentage points. ${PERCENT_RULE}`,
      resolve: (p) => pct(p.figures.pdnShareGap),
    }),
    pdnShareStatus: t.field({
      type: KpiStatus,
      description: 'ON_TRACK when pdnShare ≥ pdnShareTarget.',
      resolve: (p): KpiStatusValue => p.figures.pdnShareStatus,
    }),
    umkShareTarget: t.float({
      nullable: true,
      description: 'Target UMK-Koperasi share, percent (e.g. 40).',
      resolve: (p) => pct(p.figures.targets?.umkShareTarget),
    }),
    umkShareGap: t.float({
      nullable: true,
      description: `umkShareTarget − umkShare, in percentage points. ${PERCENT_RULE}`,
      resolve: (p) => pct(p.figures.umkShareGap),
    }),
    umkShareStatus: t.field({
      type: KpiStatus,
      description: 'ON_TRACK when umkShare ≥ umkShareTarget.',
      resolve: (p): KpiStatusValue => p.figures.umkShareStatus,
    }),
    formatted: t.field({
      type: KpiText,
      description: 'The same figures as text for readers in the chosen locale.',
      args: {
        locale: t.arg({ type: KpiLocaleEnum, defaultValue: 'id', description: 'The locale (default ID).' }),
      },
      resolve: (p, args) => p.figures.text((args.locale ?? 'id') as KpiLocale),
    }),
  }),
});

export const KpiSnapshot = builder.objectRef<Snapshot>('KpiSnapshot').implement({
  description: 'A snapshot (ingest run) the figures stand on: the latest pull of one dataset for the year.',
  fields: (t) => ({
    id: t.id(valueId('KpiSnapshot')),
    runId: t.exposeInt('runId', { description: 'The ingest run id.' }),
    dataset: t.exposeString('dataset', {
      description: 'The feed dataset, e.g. `rup/paket-penyedia-terumumkan`.',
    }),
    status: t.exposeString('status', { description: 'The run’s status.' }),
    asOf: t.field({
      type: 'Date',
      nullable: true,
      description: 'The source’s as-of date.',
      resolve: (s) => s.asOf,
    }),
    startedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the pull started.',
      resolve: (s) => s.startedAt,
    }),
    fetchedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the pull finished fetching and was stored.',
      resolve: (s) => s.fetchedAt,
    }),
  }),
});

export const KpiCoverage = builder.objectRef<Coverage>('KpiCoverage').implement({
  description: 'How many agencies reported.',
  fields: (t) => ({
    id: t.id(valueId('KpiCoverage')),
    reportingAgencies: t.exposeInt('reporting', {
      description: 'Agencies in scope with counted realisation or counted plans in this data version.',
    }),
    expectedAgencies: t.exposeInt('expected', {
      description: 'Active agencies in scope (the PROVINCE unit itself is not counted).',
    }),
    ratio: t.float({
      nullable: true,
      description: `reportingAgencies ÷ expectedAgencies × 100. ${PERCENT_RULE}`,
      resolve: (c) => (c.expected === 0 ? null : Number(((c.reporting * 100) / c.expected).toFixed(4))),
    }),
    unattributedItems: t.exposeInt('unattributedItems', {
      description:
        'Realisation items whose agency code matched no known agency (counted in the whole province only).',
    }),
  }),
});

export interface ProvenanceData {
  pick: VersionPick | null;
  coverage: Coverage | null;
}

export const KpiProvenance = builder.objectRef<ProvenanceData>('KpiProvenance').implement({
  description: 'Where a KPI answer comes from: its data version, snapshots, dates and coverage.',
  fields: (t) => ({
    id: t.id(valueId('KpiProvenance')),
    dataVersion: t.int({
      description: 'The data version read (monotonic; 0 before the first recompute).',
      resolve: (p) => p.pick?.version ?? 0,
    }),
    asOf: t.field({
      type: 'Date',
      nullable: true,
      description:
        'The date the figures stand for, from the data: the newest snapshot of the year’s sources (their own ' +
        'as-of dates, never the day a job ran or a file was imported), capped at the fiscal year’s end. ' +
        'Without `asOf`, the newest snapshot that confirmed the figures.',
      resolve: (p) => p.pick?.asOf ?? null,
    }),
    fetchedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When that snapshot was fetched.',
      resolve: (p) => p.pick?.fetchedAt ?? null,
    }),
    recomputedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the data version was recomputed.',
      resolve: (p) => p.pick?.recomputedAt ?? null,
    }),
    confirmedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When a later snapshot last found these figures unchanged (a pull that changes nothing publishes no new ' +
        'version; it confirms this one). Null when none has.',
      resolve: (p) => p.pick?.confirmedAt ?? null,
    }),
    live: t.boolean({
      description:
        'True when the version holds the live state (the latest accepted snapshot of every source); false for ' +
        'a reconstruction of an earlier date, which answers only as of that date.',
      resolve: (p) => p.pick?.live ?? true,
    }),
    snapshotIds: t.intList({
      description: 'The ingest runs (snapshots) the year’s figures stand on: the latest of each dataset.',
      resolve: (p) => p.pick?.runIds ?? [],
    }),
    snapshots: t.field({
      type: [KpiSnapshot],
      description: 'Those snapshots in detail.',
      resolve: (p) => p.pick?.snapshots ?? snapshots(p.pick?.runIds ?? []),
    }),
    coverage: t.field({
      type: KpiCoverage,
      nullable: true,
      description: 'How many agencies reported (null where the answer is not about one scope).',
      resolve: (p) => p.coverage,
    }),
  }),
});

export const KpiYearOverYear = builder.objectRef<YearOverYear>('KpiYearOverYear').implement({
  description:
    'Realisation to date against the previous fiscal year through the same month (Asia/Jakarta months), ' +
    'read from that year’s latest data version.',
  fields: (t) => ({
    id: t.id(valueId('KpiYearOverYear')),
    previousYear: t.exposeInt('previousYear', { description: 'The year compared with.' }),
    throughMonth: t.exposeInt('throughMonth', {
      description: 'The last month compared (month of this year’s as-of date).',
    }),
    previousDataVersion: t.int({
      description: 'The data version the previous year was read from (0: no data).',
      resolve: (y) => y.previousPick?.version ?? 0,
    }),
    previousAsOf: t.field({
      type: 'Date',
      nullable: true,
      description: 'The previous year’s snapshot date.',
      resolve: (y) => y.previousPick?.asOf ?? null,
    }),
    previousRealisationToDate: t.field({
      type: 'Money',
      description: 'The previous year’s PDN realisation in months 1…throughMonth.',
      resolve: (y) => centsToMoney(y.previousToDate),
    }),
    previousRealisationFullYear: t.field({
      type: 'Money',
      description: 'The previous year’s PDN realisation, whole year.',
      resolve: (y) => centsToMoney(y.previousFullYear),
    }),
    change: t.field({
      type: 'Money',
      description: 'Realisation − previousRealisationToDate.',
      resolve: (y) => centsToMoney(y.change),
    }),
    changePercent: t.float({
      nullable: true,
      description: `change ÷ previousRealisationToDate × 100. ${PERCENT_RULE}`,
      resolve: (y) => pct(y.changePercent),
    }),
    previousAttainmentFullYear: t.float({
      nullable: true,
      description: `The previous year’s full-year attainment. ${PERCENT_RULE}`,
      resolve: (y) => pct(y.previousAttainmentFullYear),
    }),
  }),
});

export const KpiProjection = builder.objectRef<Projection>('KpiProjection').implement({
  description:
    'A year-end projection from the run rate. Method: realisation to the as-of date ÷ days elapsed ' +
    '(1 January through the as-of date, inclusive) × days in the year, rounded half-up to the sen; a ' +
    'closed year projects to its actual realisation. Spending is usually back-loaded, so early in the ' +
    'year this tends to understate.',
  fields: (t) => ({
    id: t.id(valueId('KpiProjection')),
    method: t.exposeString('method', { description: 'The method, in words.' }),
    elapsedDays: t.exposeInt('elapsedDays', { description: 'Days of the year through the as-of date.' }),
    daysInYear: t.exposeInt('daysInYear', { description: '365 or 366.' }),
    runRatePerDay: t.field({
      type: 'Money',
      description: 'Realisation ÷ elapsedDays.',
      resolve: (p) => centsToMoney(p.perDay),
    }),
    yearEndRealisation: t.field({
      type: 'Money',
      description: 'The projected PDN realisation on 31 December.',
      resolve: (p) => centsToMoney(p.yearEnd),
    }),
    yearEndAttainment: t.float({
      nullable: true,
      description: `yearEndRealisation ÷ commitmentUsed × 100. ${PERCENT_RULE}`,
      resolve: (p) => pct(p.attainment),
    }),
  }),
});
