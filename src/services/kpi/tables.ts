// KPI questions as tables: a question (ranking, series, breakdown, summary) with its arguments,
// answered by the same services as the graph and laid out as rows of cells. Exports write them as
// CSV; saved views return them. Cells hold the graph's values (Money as text with 2 decimals,
// percents rounded to 4 decimals), so a table matches the graph number for number.
import { z } from 'zod';
import { KPI_BREAKDOWN_BY, KPI_METRICS } from '../../common/kpi.js';
import { calendarDateText as date } from '../../lib/dates.js';
import { ValidationError } from '../../lib/errors.js';
import type { KpiFigures } from './figures.js';
import { agencyRanking, kpiBreakdown, kpiSeries, kpiSummary } from './kpis.js';
import { centsToMoney, type Percent } from './numbers.js';

export type QueryKind = 'SUMMARY' | 'SERIES' | 'RANKING' | 'BREAKDOWN';

const year = z.number().int().min(2000).max(2100);

/** The arguments each kind of question takes (those of its graph field). */
export const QUESTION_ARGS = {
  SUMMARY: z.strictObject({
    year,
    agency: z.string().min(1).max(100).nullish(),
    includeSubunits: z.boolean().nullish(),
    asOf: date.nullish(),
  }),
  SERIES: z.strictObject({
    year,
    agency: z.string().min(1).max(100).nullish(),
    cumulative: z.boolean().nullish(),
    asOf: date.nullish(),
  }),
  RANKING: z.strictObject({
    year,
    metric: z.enum(KPI_METRICS).nullish(),
    order: z.enum(['ASC', 'DESC']).nullish(),
    asOf: date.nullish(),
  }),
  BREAKDOWN: z.strictObject({
    year,
    by: z.enum(KPI_BREAKDOWN_BY),
    agency: z.string().min(1).max(100).nullish(),
    asOf: date.nullish(),
  }),
} as const;

export type QuestionArgs = Record<string, unknown>;

/** Checks a question's arguments; a bad one is a ValidationError naming `args.<field>`. */
export function parseQuestion(kind: QueryKind, args: unknown): QuestionArgs {
  const schema = QUESTION_ARGS[kind];
  if (!schema) throw new ValidationError('kind', `unknown question kind ${String(kind)}`);
  const parsed = schema.safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(['args', ...issue.path].join('.'), issue.message);
  }
  return parsed.data as QuestionArgs;
}

/** A cell: Money as text (2 decimals), a percent or count as a number, text, or empty. */
export type Cell = string | number | null;

export type ColumnType = 'text' | 'money' | 'percent' | 'count';

export interface Column {
  key: string;
  type: ColumnType;
  en: string;
  id: string;
}

export interface KpiTable {
  kind: QueryKind;
  args: QuestionArgs;
  /** The data version the figures were read from (null before any data). */
  version: number | null;
  asOf: string | null;
  columns: Column[];
  rows: Cell[][];
}

const money = (c: bigint | null): Cell => (c === null ? null : centsToMoney(c));
const pct = (p: Percent | null): Cell => (p ? p.toNumber() : null);

const FIGURE_COLUMNS: Column[] = [
  { key: 'realisation', type: 'money', en: 'Realisation (IDR)', id: 'Realisasi PDN (Rp)' },
  { key: 'commitmentUsed', type: 'money', en: 'Commitment (IDR)', id: 'Komitmen (Rp)' },
  { key: 'attainment', type: 'percent', en: 'Attainment (%)', id: 'Capaian (%)' },
  { key: 'pdnShare', type: 'percent', en: 'PDN share (%)', id: 'Porsi PDN (%)' },
  { key: 'umkShare', type: 'percent', en: 'UMK share (%)', id: 'Porsi UMK (%)' },
  { key: 'totalValue', type: 'money', en: 'Total value (IDR)', id: 'Nilai total (Rp)' },
  { key: 'itemCount', type: 'count', en: 'Items', id: 'Jumlah paket' },
];

function figureCells(f: KpiFigures): Cell[] {
  return [
    money(f.realisation),
    money(f.commitmentUsed),
    pct(f.attainment),
    pct(f.pdnShare),
    pct(f.umkShare),
    money(f.totals.totalValue),
    f.totals.itemCount,
  ];
}

/** Answers a question (as of `version` when pinned) as a table. */
export async function kpiTable(
  kind: QueryKind,
  rawArgs: unknown,
  version: number | null = null,
): Promise<KpiTable> {
  const args = parseQuestion(kind, rawArgs);
  const a = args as {
    year: number;
    agency?: string | null;
    includeSubunits?: boolean | null;
    asOf?: string | null;
    cumulative?: boolean | null;
    metric?: string | null;
    order?: 'ASC' | 'DESC' | null;
    by?: 'CHANNEL' | 'AGENCY' | 'VENDOR_SCALE';
  };
  const question = { year: a.year, agency: a.agency ?? null, asOf: a.asOf ?? null, version };
  switch (kind) {
    case 'SUMMARY': {
      const s = await kpiSummary({ ...question, includeSubunits: a.includeSubunits ?? true });
      return {
        kind,
        args,
        version: s.pick?.version ?? null,
        asOf: s.pick?.asOf ?? null,
        columns: FIGURE_COLUMNS,
        rows: [figureCells(s.figures)],
      };
    }
    case 'SERIES': {
      const s = await kpiSeries({ ...question, cumulative: a.cumulative ?? false });
      return {
        kind,
        args,
        version: s.summary.pick?.version ?? null,
        asOf: s.summary.pick?.asOf ?? null,
        columns: [{ key: 'month', type: 'count', en: 'Month', id: 'Bulan' }, ...FIGURE_COLUMNS],
        rows: s.points.map((p) => [p.month, ...figureCells(p.figures)]),
      };
    }
    case 'RANKING': {
      const r = await agencyRanking({
        year: a.year,
        metric: (a.metric ?? 'REALISATION') as Parameters<typeof agencyRanking>[0]['metric'],
        order: a.order ?? 'DESC',
        asOf: a.asOf ?? null,
        version,
      });
      return {
        kind,
        args,
        version: r.pick?.version ?? null,
        asOf: r.pick?.asOf ?? null,
        columns: [
          { key: 'rank', type: 'count', en: 'Rank', id: 'Peringkat' },
          { key: 'agencyCode', type: 'text', en: 'Agency code', id: 'Kode satker' },
          { key: 'agencyName', type: 'text', en: 'Agency', id: 'Perangkat daerah' },
          ...FIGURE_COLUMNS,
        ],
        rows: r.rows.map((row) => [row.rank, row.agency.code, row.agency.name, ...figureCells(row.figures)]),
      };
    }
    case 'BREAKDOWN': {
      const b = await kpiBreakdown({ ...question, by: a.by! });
      return {
        kind,
        args,
        version: b.summary.pick?.version ?? null,
        asOf: b.summary.pick?.asOf ?? null,
        columns: [
          { key: 'key', type: 'text', en: 'Group', id: 'Kelompok' },
          {
            key: 'shareOfRealisation',
            type: 'percent',
            en: 'Share of realisation (%)',
            id: 'Porsi realisasi (%)',
          },
          ...FIGURE_COLUMNS,
        ],
        rows: b.rows.map((row) => [row.key, pct(row.shareOfRealisation), ...figureCells(row.figures)]),
      };
    }
  }
  throw new ValidationError('kind', `unknown question kind ${String(kind)}`);
}
