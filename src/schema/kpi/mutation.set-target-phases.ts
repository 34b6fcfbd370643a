// kpiTargetPhases / setKpiTargetPhases: the time phasing of the commitment target.

import { getTargetPhases, setTargetPhases, type TargetPhases } from '../../services/kpi/targets.js';
import { builder, typedErrors } from '../builder.js';
import { cacheable } from '../cacheable.js';
import { valueId } from '../common.js';

const KpiTargetPhasesRef = builder.objectRef<TargetPhases>('KpiTargetPhases').implement({
  description:
    'How the year’s commitment is expected to be realised over the months: the cumulative percent due by ' +
    'the end of each month. Without phases, targets to date are pro-rated by calendar days.',
  fields: (t) => ({
    id: t.id(valueId('KpiTargetPhases')),
    fiscalYear: t.exposeInt('fiscalYear', { description: 'The fiscal year.' }),
    agencyCode: t.exposeString('agencyCode', {
      nullable: true,
      description: 'The agency code; null for the default of every agency without its own phases.',
    }),
    cumulativePercents: t.exposeFloatList('cumulativePercents', {
      description: 'Percent of the commitment due by the end of January … December; empty when unset.',
    }),
  }),
});

builder.queryField('kpiTargetPhases', (t) =>
  t.field({
    extensions: cacheable,
    type: KpiTargetPhasesRef,
    description: 'The time phasing of the commitment target of a year (and agency). Readable by everyone.',
    args: {
      year: t.arg.int({ required: true, description: 'The fiscal year.' }),
      agency: t.arg.string({ description: 'An agency code; omit for the default of every agency.' }),
    },
    resolve: (_root, args) => getTargetPhases(args.year, args.agency),
  }),
);

const SetKpiTargetPhasesInput = builder.inputType('SetKpiTargetPhasesInput', {
  description: 'The phasing of one year (and agency).',
  fields: (t) => ({
    fiscalYear: t.int({ required: true, description: 'The fiscal year (2000-2100).' }),
    agency: t.string({ description: 'An agency code; omit to set the default of every agency.' }),
    cumulativePercents: t.floatList({
      required: true,
      description: '12 cumulative percentages (January first), not decreasing, ending at 100; [] clears.',
    }),
  }),
});

builder.mutationField('setKpiTargetPhases', (t) =>
  t.field({
    type: KpiTargetPhasesRef,
    description:
      'Sets (or clears) the time phasing of the commitment target (admins only). Read live by KPI answers.',
    authScopes: { admin: true },
    errors: typedErrors('The phasing as now stored.'),
    args: { input: t.arg({ type: SetKpiTargetPhasesInput, required: true, description: 'The phasing.' }) },
    resolve: (_root, args) => setTargetPhases(args.input),
  }),
);
