// agencyRanking: the agencies of the province ranked by one KPI, as a connection.

import { resolveArrayConnection } from '@pothos/plugin-relay';
import { KPI_METRICS } from '../../common/kpi.js';
import { ValidationError } from '../../lib/errors.js';
import { agencyRanking, type RankedAgency, type RankMetric } from '../../services/kpi/kpis.js';
import { Agency } from '../agencies.js';
import { builder } from '../builder.js';
import { cacheable } from '../cacheable.js';
import { OrderDirection } from '../common.js';
import { loadNodesByKey } from '../node.js';
import { KpiCoverage, KpiMeasures, KpiProvenance, type ProvenanceData } from './types.js';

const METRIC_DESCRIPTIONS: Record<RankMetric, { description: string }> = {
  REALISATION: { description: 'PDN realisation (Money).' },
  COMMITMENT: { description: 'The commitment attainment uses (Money).' },
  ATTAINMENT: { description: 'Realisation ÷ commitment (percent).' },
  PDN_SHARE: { description: 'PDN value ÷ total value (percent).' },
  UMK_SHARE: { description: 'UMK-Koperasi value ÷ total value (percent).' },
  TOTAL_VALUE: { description: 'Total value of counted procurement (Money).' },
  ITEM_COUNT: { description: 'Counted realisation items.' },
  GAP_TO_DATE: { description: 'Target to date − realisation (Money; a larger gap is further behind).' },
};

export const KpiMetric = builder.enumType('KpiMetric', {
  description: 'A KPI to rank agencies by.',
  // Typed by the shared list (src/common/kpi.ts): a metric without a description fails to compile.
  values: METRIC_DESCRIPTIONS,
});

/** The ranking each row was answered in (`year:version:metric:order`), for its id. */
const rankingOf = new WeakMap<RankedAgency, string>();
const METRICS = new Set<string>(KPI_METRICS);

const AgencyKpi = builder.node(builder.objectRef<RankedAgency>('AgencyKpi'), {
  id: {
    description: 'Its global id, stable: the ranking (year, data version, metric, order) and the agency.',
    resolve: (r) =>
      `${rankingOf.get(r) ?? `${r.summary.year}:${r.summary.pick?.version ?? 0}:REALISATION:DESC`}:${r.agency.code}`,
  },
  description: 'One agency’s own KPIs (its sub-units not included) and its rank.',
  interfaces: [KpiMeasures],
  fields: (t) => ({
    rank: t.exposeInt('rank', {
      description: 'Its rank, 1 first; equal values share a rank; agencies without a value come last.',
    }),
    agency: t.field({ type: Agency, description: 'The agency.', resolve: (r) => r.agency }),
    planCount: t.int({
      description: 'Its counted RUP plans.',
      resolve: (r) => r.summary.figures.commitment?.packageCount ?? 0,
    }),
    coverage: t.field({
      type: KpiCoverage,
      description: 'Whether it reported.',
      resolve: (r) => r.summary.coverage,
    }),
  }),
});

interface RankingConnectionExtras {
  provenance: ProvenanceData;
  totalCount: number;
}

builder.queryField('agencyRanking', (t) =>
  t.connection(
    {
      extensions: cacheable,
      type: AgencyKpi,
      description:
        'The agencies of the province (the PROVINCE unit aside) ranked by one KPI of a fiscal year, as of a ' +
        'snapshot date; ties by agency code. Readable by everyone.',
      args: {
        year: t.arg.int({ required: true, description: 'The fiscal year.' }),
        metric: t.arg({ type: KpiMetric, defaultValue: 'REALISATION', description: 'The KPI to rank by.' }),
        order: t.arg({
          type: OrderDirection,
          defaultValue: 'DESC',
          description: 'DESC: largest first (default).',
        }),
        asOf: t.arg({ type: 'Date', description: 'Read the figures as of this date (YYYY-MM-DD).' }),
      },
      resolve: async (_root, args) => {
        const ranking = await agencyRanking({
          year: args.year,
          metric: (args.metric ?? 'REALISATION') as RankMetric,
          order: args.order ?? 'DESC',
          asOf: args.asOf,
        });
        const key = `${args.year}:${ranking.pick?.version ?? 0}:${ranking.metric}:${ranking.order}`;
        for (const row of ranking.rows) rankingOf.set(row, key);
        const extras: RankingConnectionExtras = {
          provenance: { pick: ranking.pick, coverage: null },
          totalCount: ranking.rows.length,
        };
        return Object.assign(resolveArrayConnection({ args }, ranking.rows), extras);
      },
    },
    {
      name: 'AgencyRankingConnection',
      description: 'A page of ranked agencies, with the data version they were read from.',
      fields: (c) => ({
        totalCount: c.int({
          description: 'How many agencies are ranked.',
          resolve: (conn) => (conn as unknown as RankingConnectionExtras).totalCount,
        }),
        provenance: c.field({
          type: KpiProvenance,
          description: 'Where the figures come from.',
          resolve: (conn) => (conn as unknown as RankingConnectionExtras).provenance,
        }),
      }),
    },
    { name: 'AgencyRankingEdge', description: 'A ranked agency and its cursor.' },
  ),
);

// A ranked agency refetched by id is read from the ranking and data version its id names.
loadNodesByKey('AgencyKpi', async (key) => {
  const match = /^(\d{4}):(\d{1,10}):([A-Z_]+):(ASC|DESC):(.{1,64})$/s.exec(key);
  if (!match || !METRICS.has(match[3]!)) throw new ValidationError('id', 'not the id of a ranked agency');
  const [, year, version, metric, order, code] = match;
  const ranking = await agencyRanking({
    year: Number(year),
    metric: metric as RankMetric,
    order: order as 'ASC' | 'DESC',
    version: Number(version) || null,
  });
  if (Number(version) && ranking.pick?.version !== Number(version)) return null;
  const row = ranking.rows.find((r) => r.agency.code === code);
  if (row) rankingOf.set(row, `${year}:${version}:${metric}:${order}`);
  return row ?? null;
});
