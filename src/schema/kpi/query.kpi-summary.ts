// kpiSummary: the KPIs of one fiscal year for the province or one agency, as of a snapshot date.

import { NotFoundError } from '../../lib/errors.js';
import {
  type KpiSummary as KpiSummaryData,
  kpiSummary,
  projection,
  yearOverYear,
} from '../../services/kpi/kpis.js';
import { Agency } from '../agencies.js';
import { builder } from '../builder.js';
import { cacheable } from '../cacheable.js';
import { loadNodesByKey } from '../node.js';
import { summaryKey, summaryQuestion } from './ids.js';
import {
  KpiCoverage,
  KpiMeasures,
  KpiProjection,
  KpiProvenance,
  KpiYearOverYear,
  readCache,
} from './types.js';

export const KpiSummary = builder.node(builder.objectRef<KpiSummaryData>('KpiSummary'), {
  id: {
    description:
      'Its global id, stable: it names the question and the data version, so the same figures keep it.',
    resolve: summaryKey,
  },
  description:
    'The KPIs of one fiscal year for the province or one agency, read from one data version: commitment, ' +
    'realisation, attainment, PDN and UMK shares, targets and gaps, with provenance.',
  interfaces: [KpiMeasures],
  fields: (t) => ({
    year: t.exposeInt('year', { description: 'The fiscal year.' }),
    agency: t.field({
      type: Agency,
      nullable: true,
      description:
        'The agency the figures cover (with its sub-units when includesSubunits); null for the whole province.',
      resolve: (s) => s.scope.agency,
    }),
    includesSubunits: t.boolean({
      description: 'Whether the agency’s sub-units are included.',
      resolve: (s) => s.scope.includeSubunits,
    }),
    asOf: t.field({
      type: 'Date',
      nullable: true,
      description:
        'The date of the snapshot the figures stand for (the source’s as-of date); null before any data.',
      resolve: (s) => s.pick?.asOf ?? null,
    }),
    dataVersion: t.int({
      description: 'The data version the figures were read from (monotonic; 0 before the first recompute).',
      resolve: (s) => s.pick?.version ?? 0,
    }),
    figuresDate: t.field({
      type: 'Date',
      nullable: true,
      description:
        'The date targets are pro-rated to: asOf (clamped to the fiscal year), or today without one.',
      resolve: (s) => s.dataDate,
    }),
    planCount: t.int({
      description: 'Counted RUP plans (announced, active, not deleted, PDN) behind the computed commitment.',
      resolve: (s) => s.figures.commitment?.packageCount ?? 0,
    }),
    coverage: t.field({
      type: KpiCoverage,
      description: 'How many agencies reported.',
      resolve: (s) => s.coverage,
    }),
    provenance: t.field({
      type: KpiProvenance,
      description: 'The data version, snapshots, as-of date, fetch and recompute times and coverage.',
      resolve: (s) => ({ pick: s.pick, coverage: s.coverage }),
    }),
    yearOverYear: t.field({
      type: KpiYearOverYear,
      nullable: true,
      description: 'Comparison with the previous fiscal year through the same month; null before any data.',
      resolve: (s, _args, ctx) => yearOverYear(s, readCache(ctx)),
    }),
    projection: t.field({
      type: KpiProjection,
      nullable: true,
      description:
        'The year-end projection from the run rate (method in KpiProjection); null before any data.',
      resolve: (s) => projection(s),
    }),
  }),
});

builder.queryField('kpiSummary', (t) =>
  t.field({
    extensions: cacheable,
    type: KpiSummary,
    description:
      'The KPIs of a fiscal year for the whole province or one agency. Without asOf: the newest snapshot; ' +
      'with asOf: the data as it stood on that date (the latest snapshot on or before it). Readable by everyone.',
    args: {
      year: t.arg.int({ required: true, description: 'The fiscal year (tahun anggaran).' }),
      agency: t.arg.string({ description: 'An agency code (kd_satker_str); omit for the whole province.' }),
      asOf: t.arg({ type: 'Date', description: 'Read the figures as of this date (YYYY-MM-DD).' }),
      includeSubunits: t.arg.boolean({
        defaultValue: true,
        description: 'Include the agency’s sub-units (default true).',
      }),
    },
    resolve: (_root, args) =>
      kpiSummary({
        year: args.year,
        agency: args.agency,
        asOf: args.asOf,
        includeSubunits: args.includeSubunits,
      }),
  }),
);

builder.objectField(Agency, 'kpiSummary', (t) =>
  t.field({
    type: KpiSummary,
    description:
      'This agency’s KPIs for a fiscal year (with its sub-units), as kpiSummary(year, agency) answers.',
    args: {
      year: t.arg.int({ required: true, description: 'The fiscal year.' }),
      asOf: t.arg({ type: 'Date', description: 'Read the figures as of this date.' }),
    },
    resolve: (agency, args) => kpiSummary({ year: args.year, agency: agency.code, asOf: args.asOf }),
  }),
);

// A summary refetched by id reads the data version its id names, as it was answered.
// An agency or version that does not exist answers null, as a missing row does.
loadNodesByKey('KpiSummary', async (key) => {
  const question = summaryQuestion(key);
  try {
    const summary = await kpiSummary(question);
    return question.version && summary.pick?.version !== question.version ? null : summary;
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
});
