// A KPI question as input and output (the kind and its arguments), and its answer as a table:
// shared by exports and saved views.
import type { KpiTable, QueryKind } from '../../services/kpi/tables.js';
import { builder } from '../builder.js';
import { encodeId, OrderDirection, valueId } from '../common.js';
import { KpiMetric } from './query.agency-ranking.js';
import { KpiBreakdownBy } from './query.kpi-breakdown.js';

export const KpiQueryKindEnum = builder.enumType('KpiQueryKind', {
  description: 'Which KPI question: the graph field it stands for.',
  values: {
    SUMMARY: { description: '`kpiSummary`: one row of figures.' },
    SERIES: { description: '`kpiSeries`: one row per month.' },
    RANKING: { description: '`agencyRanking`: one row per agency, ranked.' },
    BREAKDOWN: { description: '`kpiBreakdown`: one row per channel, agency or vendor scale.' },
  },
});

export const KpiQuestionInput = builder.inputType('KpiQuestionInput', {
  description: 'The arguments of a KPI question, as its graph field takes them; unused ones are left out.',
  fields: (t) => ({
    year: t.int({ required: true, description: 'The fiscal year.' }),
    agency: t.string({ description: 'An agency code (SUMMARY, SERIES, BREAKDOWN).' }),
    includeSubunits: t.boolean({ description: 'Include the agency’s sub-units (SUMMARY; default true).' }),
    asOf: t.field({ type: 'Date', description: 'Read the figures as of this date.' }),
    cumulative: t.boolean({ description: 'Cumulative points (SERIES).' }),
    metric: t.field({ type: KpiMetric, description: 'The KPI to rank by (RANKING; default REALISATION).' }),
    order: t.field({ type: OrderDirection, description: 'The ranking order (RANKING; default DESC).' }),
    by: t.field({ type: KpiBreakdownBy, description: 'The dimension (BREAKDOWN; required there).' }),
  }),
});

/** The question's arguments with unset ones left out (the service checks them per kind). */
export function questionArgs(input: {
  year: number;
  agency?: string | null;
  includeSubunits?: boolean | null;
  asOf?: string | null;
  cumulative?: boolean | null;
  metric?: string | null;
  order?: string | null;
  by?: string | null;
}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    out[key] = value;
  }
  return out;
}

export const kindOf = (k: string) => k as QueryKind;

const KpiTableColumn = builder.objectRef<KpiTable['columns'][number]>('KpiTableColumn').implement({
  description: 'A column of a KPI table.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The field it stands for, e.g. `realisation`.' }),
    type: t.exposeString('type', {
      description: 'text, money (Rupiah, 2 decimals), percent (4 decimals) or count.',
    }),
    en: t.exposeString('en', { description: 'The English header.' }),
    id: t.id({
      description: 'Its global id, stable: the same column (key) in any table has the same id.',
      resolve: (c) => encodeId('KpiTableColumn', c.key),
    }),
    indonesian: t.exposeString('id', { description: 'The Indonesian header.' }),
  }),
});

const KpiTableRow = builder.objectRef<string[]>('KpiTableRow').implement({
  description: 'One row of a KPI table.',
  fields: (t) => ({
    id: t.id(valueId('KpiTableRow')),
    cells: t.stringList({
      description: 'Its cells as text, one per column (empty string: no value).',
      resolve: (row) => row,
    }),
  }),
});

export const KpiTableRef = builder.objectRef<KpiTable>('KpiTable').implement({
  description:
    'The answer to a KPI question as a table: the graph’s own values (Money as text with 2 decimals, percents ' +
    'rounded to 4 decimals), with the data version it was read from.',
  fields: (t) => ({
    id: t.id(valueId('KpiTable')),
    dataVersion: t.exposeInt('version', {
      nullable: true,
      description: 'The data version read; null before any data.',
    }),
    asOf: t.field({
      type: 'Date',
      nullable: true,
      description: 'The snapshot date of the figures.',
      resolve: (tb) => tb.asOf,
    }),
    columns: t.field({ type: [KpiTableColumn], description: 'The columns.', resolve: (tb) => tb.columns }),
    rows: t.field({
      type: [KpiTableRow],
      description: 'The rows, in the answer’s order.',
      resolve: (tb) => tb.rows.map((row) => row.map((cell) => (cell === null ? '' : String(cell)))),
    }),
  }),
});
