// approveKpiRevision / rejectKpiRevision / rollbackKpiRevision and the drift rules: the admin side
// of publish gating.
import { driftRules, setDriftRules } from '../../services/kpi/gating.js';
import { approveRevision, rejectRevision, rollbackRevision } from '../../services/kpi/revisions.js';
import { builder, typedErrors } from '../builder.js';
import { decidedBy, KpiDriftRules, KpiRevision } from './revision-types.js';

const KpiRevisionDecisionInput = builder.inputType('KpiRevisionDecisionInput', {
  description: 'A decision on a held revision.',
  fields: (t) => ({
    version: t.int({ required: true, description: 'The held revision’s version number.' }),
    note: t.string({ description: 'Why, recorded on the revision.' }),
  }),
});

builder.mutationField('approveKpiRevision', (t) =>
  t.field({
    type: KpiRevision,
    description: 'Publishes a held revision as it is (admins only): readers see its figures from now on.',
    authScopes: { admin: true },
    errors: typedErrors('The revision, now PUBLISHED.'),
    args: { input: t.arg({ type: KpiRevisionDecisionInput, required: true, description: 'The decision.' }) },
    resolve: (_root, args, ctx) =>
      approveRevision(args.input.version, { by: decidedBy(ctx), note: args.input.note ?? null }),
  }),
);

builder.mutationField('rejectKpiRevision', (t) =>
  t.field({
    type: KpiRevision,
    description:
      'Rejects a held revision (admins only): it is never published. The next recompute of the same years is ' +
      'checked against the published figures again.',
    authScopes: { admin: true },
    errors: typedErrors('The revision, now REJECTED.'),
    args: { input: t.arg({ type: KpiRevisionDecisionInput, required: true, description: 'The decision.' }) },
    resolve: (_root, args, ctx) =>
      rejectRevision(args.input.version, { by: decidedBy(ctx), note: args.input.note ?? null }),
  }),
);

const RollbackKpiRevisionInput = builder.inputType('RollbackKpiRevisionInput', {
  description: 'A rollback of the published revision.',
  fields: (t) => ({
    note: t.string({ description: 'Why, recorded on the revision rolled back.' }),
  }),
});

builder.mutationField('rollbackKpiRevision', (t) =>
  t.field({
    type: KpiRevision,
    description:
      'Rolls the published revision back (admins only): readers see the previously published revision’s ' +
      'figures again, exactly. Returns the revision rolled back.',
    authScopes: { admin: true },
    errors: typedErrors('The revision rolled back (now ROLLED_BACK).'),
    args: { input: t.arg({ type: RollbackKpiRevisionInput, description: 'An optional note.' }) },
    resolve: (_root, args, ctx) => rollbackRevision({ by: decidedBy(ctx), note: args.input?.note ?? null }),
  }),
);

builder.queryField('kpiDriftRules', (t) =>
  t.field({
    type: KpiDriftRules,
    description: 'The drift rules recomputes are checked against before they are published. Analysts.',
    authScopes: { analyst: true },
    resolve: () => driftRules(),
  }),
);

const SetKpiDriftRulesInput = builder.inputType('SetKpiDriftRulesInput', {
  description: 'The drift rules (all three are replaced).',
  fields: (t) => ({
    maxFallPercent: t.float({
      description: 'Hold when a year’s realisation falls by more than this percent; null: off.',
    }),
    maxRejectedPercent: t.float({
      description:
        'Hold when the runs behind a recompute rejected more than this percent of their rows; null: off.',
    }),
    agencyZero: t.boolean({
      required: true,
      description: 'Hold when an agency that had realisation items has none.',
    }),
  }),
});

builder.mutationField('setKpiDriftRules', (t) =>
  t.field({
    type: KpiDriftRules,
    description: 'Sets the drift rules (admins only); they apply from the next recompute on.',
    authScopes: { admin: true },
    errors: typedErrors('The rules as now stored.'),
    args: { input: t.arg({ type: SetKpiDriftRulesInput, required: true, description: 'The rules.' }) },
    resolve: (_root, args, ctx) =>
      setDriftRules(
        {
          maxFallPercent: args.input.maxFallPercent ?? null,
          maxRejectedPercent: args.input.maxRejectedPercent ?? null,
          agencyZero: args.input.agencyZero,
        },
        decidedBy(ctx),
      ),
  }),
);
