// recomputeKpis: an admin runs the KPI recompute now (the same service the worker's kpi job runs).
import { type RecomputeResult, recomputeKpis } from '../../services/kpi/recompute.js';
import { builder, typedErrors } from '../builder.js';
import { valueId } from '../common.js';
import { KpiDriftReason, KpiRevisionStatus } from './revision-types.js';

const KpiRecomputeResult = builder.objectRef<RecomputeResult>('KpiRecomputeResult').implement({
  description: 'What a recompute published.',
  fields: (t) => ({
    id: t.id(valueId('KpiRecomputeResult')),
    dataVersion: t.exposeInt('version', {
      description:
        'The published data version that holds the figures now (the previous one when nothing changed), or the ' +
        'version held for an admin.',
    }),
    touchedBuckets: t.exposeInt('touchedBuckets', {
      description: 'How many (fiscal year, agency, month) buckets were recomputed.',
    }),
    status: t.field({
      type: KpiRevisionStatus,
      nullable: true,
      description:
        'PUBLISHED; HELD when it broke a drift rule or holds a quarantined run; UNCHANGED when the figures equal ' +
        'those already published (confirmed, nothing published); null when there was nothing to recompute.',
      resolve: (r) => r.status ?? null,
    }),
    heldReasons: t.field({
      type: [KpiDriftReason],
      description: 'The drift rules it broke (empty when published or unchanged).',
      resolve: (r) => r.heldReasons ?? [],
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
      'Recomputes the KPI aggregates now and publishes a new data version atomically, or holds it when it ' +
      'breaks a drift rule (admins only). ' +
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
