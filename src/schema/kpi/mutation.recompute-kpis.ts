// recomputeKpis: an admin runs the KPI recompute now (the same service the worker's kpi job runs).
import { type RecomputeResult, recomputeKpis } from '../../services/kpi/recompute.js';
import { builder, typedErrors } from '../builder.js';

const KpiRecomputeResult = builder.objectRef<RecomputeResult>('KpiRecomputeResult').implement({
  description: 'What a recompute published.',
  fields: (t) => ({
    dataVersion: t.exposeInt('version', {
      description: 'The data version that now holds the figures (the previous one when nothing changed).',
    }),
    touchedBuckets: t.exposeInt('touchedBuckets', {
      description: 'How many (fiscal year, agency, month) buckets were recomputed.',
    }),
  }),
});

const RecomputeKpisInput = builder.inputType('RecomputeKpisInput', {
  description: 'How to recompute.',
  fields: (t) => ({
    full: t.boolean({
      defaultValue: false,
      description: 'Recompute every bucket from the items, not only those changed since the last recompute.',
    }),
    reason: t.string({ description: 'Why, recorded on the data version (default "admin").' }),
  }),
});

builder.mutationField('recomputeKpis', (t) =>
  t.field({
    type: KpiRecomputeResult,
    description:
      'Recomputes the KPI aggregates now and publishes a new data version atomically (admins only). ' +
      'Serialised with the worker’s recompute jobs; without changes and without `full` it publishes nothing.',
    authScopes: { admin: true },
    errors: typedErrors('The data version published.'),
    args: {
      input: t.arg({ type: RecomputeKpisInput, description: 'Options (default: changed buckets only).' }),
    },
    resolve: (_root, args) =>
      recomputeKpis({ reason: args.input?.reason || 'admin', full: args.input?.full ?? false }),
  }),
);
