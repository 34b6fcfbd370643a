// kpiSeries: monthly points (Asia/Jakarta calendar months) of one fiscal year, plain or cumulative.

import { type KpiSeries as KpiSeriesData, kpiSeries, type SeriesPoint } from '../../services/kpi/kpis.js';
import { centsToMoney } from '../../services/kpi/numbers.js';
import { Agency } from '../agencies.js';
import { builder } from '../builder.js';
import { cacheable } from '../cacheable.js';
import { encodeId } from '../common.js';
import { summaryKey } from './ids.js';
import { KpiMeasures, KpiProvenance } from './types.js';

/** The series each point was answered in, for its id (points do not carry their question). */
const seriesOf = new WeakMap<SeriesPoint, string>();

/** A series' key: its summary's key and whether it is cumulative. */
const seriesKey = (s: KpiSeriesData) => `${summaryKey(s.summary)}:${s.cumulative ? 'ytd' : 'month'}`;

const KpiPoint = builder.objectRef<SeriesPoint>('KpiPoint').implement({
  description:
    'The figures of one month: of that month alone, or from January through it when the series is ' +
    'cumulative. Commitment and targets are the year’s; targetToDate is due by the end of the month ' +
    '(by the as-of date for the as-of month).',
  interfaces: [KpiMeasures],
  fields: (t) => ({
    id: t.id({
      description: 'Its global id, stable: the series’ question, data version and month.',
      resolve: (p) => encodeId('KpiPoint', `${seriesOf.get(p) ?? p.year}:${p.month}`),
    }),
    month: t.exposeInt('month', {
      description: 'The month, 1-12 (Asia/Jakarta calendar month of the item dates).',
    }),
    open: t.exposeBoolean('open', {
      description:
        'Whether the month is still open (the figures’ date falls before its end): its figures are partial, ' +
        'so a chart should mark it rather than show a dip.',
    }),
    period: t.string({
      description: 'The month as YYYY-MM.',
      resolve: (p) => `${p.year}-${String(p.month).padStart(2, '0')}`,
    }),
  }),
});

const KpiSeries = builder.objectRef<KpiSeriesData>('KpiSeries').implement({
  description: 'Monthly KPI points of one fiscal year, January through the month of the as-of date.',
  fields: (t) => ({
    id: t.id({
      description: 'Its global id, stable: the question (cumulative or not) and the data version.',
      resolve: (s) => encodeId('KpiSeries', seriesKey(s)),
    }),
    year: t.int({ description: 'The fiscal year.', resolve: (s) => s.summary.year }),
    agency: t.field({
      type: Agency,
      nullable: true,
      description: 'The agency (with its sub-units); null for the whole province.',
      resolve: (s) => s.summary.scope.agency,
    }),
    cumulative: t.exposeBoolean('cumulative', {
      description: 'Whether each point adds up the months before it.',
    }),
    asOf: t.field({
      type: 'Date',
      nullable: true,
      description: 'The snapshot date of the data version read.',
      resolve: (s) => s.summary.pick?.asOf ?? null,
    }),
    dataVersion: t.int({
      description: 'The data version read.',
      resolve: (s) => s.summary.pick?.version ?? 0,
    }),
    points: t.field({
      type: [KpiPoint],
      description: 'One point per month, in order.',
      resolve: (s) => {
        for (const p of s.points) seriesOf.set(p, seriesKey(s));
        return s.points;
      },
    }),
    undatedRealisation: t.field({
      type: 'Money',
      description: 'Counted realisation without a date: in the year’s total, in no month.',
      resolve: (s) => centsToMoney(s.undated.pdnValue),
    }),
    undatedItemCount: t.int({
      description: 'Counted realisation items without a date.',
      resolve: (s) => s.undated.itemCount,
    }),
    provenance: t.field({
      type: KpiProvenance,
      description: 'Where the figures come from.',
      resolve: (s) => ({ pick: s.summary.pick, coverage: s.summary.coverage }),
    }),
  }),
});

builder.queryField('kpiSeries', (t) =>
  t.field({
    extensions: cacheable,
    type: KpiSeries,
    description:
      'Monthly KPI points of a fiscal year (Asia/Jakarta months of the item dates), for the province or ' +
      'one agency, as of a snapshot date. Readable by everyone.',
    args: {
      year: t.arg.int({ required: true, description: 'The fiscal year.' }),
      agency: t.arg.string({ description: 'An agency code (kd_satker_str); omit for the whole province.' }),
      cumulative: t.arg.boolean({
        defaultValue: false,
        description: 'Year-to-date points (true) or each month alone (false, the default).',
      }),
      asOf: t.arg({ type: 'Date', description: 'Read the figures as of this date (YYYY-MM-DD).' }),
      includeSubunits: t.arg.boolean({ defaultValue: true, description: 'Include the agency’s sub-units.' }),
    },
    resolve: (_root, args) =>
      kpiSeries({
        year: args.year,
        agency: args.agency,
        asOf: args.asOf,
        includeSubunits: args.includeSubunits,
        cumulative: args.cumulative ?? false,
      }),
  }),
);
