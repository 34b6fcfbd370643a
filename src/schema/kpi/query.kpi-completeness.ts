// kpiCompleteness: expected vs received per agency and month, silent agencies, late arrivals,
// months outside an agency's usual range, and the open month.
import {
  type AgencyCompleteness,
  type Completeness,
  kpiCompleteness,
  LATE_AFTER_DAYS,
  type MonthCompleteness,
  OUTLIER_MADS,
  OUTLIER_MIN_MONTHS,
} from '../../services/kpi/completeness.js';
import { centsToMoney } from '../../services/kpi/numbers.js';
import { Agency } from '../agencies.js';
import { builder } from '../builder.js';
import { valueId } from '../common.js';

const KpiMonthCompleteness = builder.objectRef<MonthCompleteness>('KpiMonthCompleteness').implement({
  description: 'Which expected agencies reported realisation in one month.',
  fields: (t) => ({
    id: t.id(valueId('KpiMonthCompleteness')),
    month: t.exposeInt('month', { description: 'The month, 1–12.' }),
    open: t.exposeBoolean('open', {
      description: 'The month has not ended by the figures’ date: low figures are partial, not a dip.',
    }),
    expected: t.exposeInt('expected', {
      description: 'Active agencies expected to report (PROVINCE aside).',
    }),
    received: t.exposeInt('received', {
      description: 'Expected agencies with realisation items in the month.',
    }),
    missing: t.field({
      type: [Agency],
      description: 'Expected agencies without realisation items in the month.',
      resolve: (m) => m.missing,
    }),
  }),
});

const KpiAgencyCompleteness = builder.objectRef<AgencyCompleteness>('KpiAgencyCompleteness').implement({
  description: 'How completely and how punctually one agency reported in the year.',
  fields: (t) => ({
    id: t.id(valueId('KpiAgencyCompleteness')),
    agency: t.field({ type: Agency, description: 'The agency.', resolve: (a) => a.agency }),
    monthsReported: t.exposeIntList('monthsReported', { description: 'Months with realisation items.' }),
    lateItems: t.exposeInt('lateItems', {
      description: `Items first published more than ${LATE_AFTER_DAYS} days after their month ended.`,
    }),
    lateRealisation: t.field({
      type: 'Money',
      description: 'Realisation of those late items.',
      resolve: (a) => centsToMoney(a.lateRealisation),
    }),
    outlierMonths: t.exposeIntList('outlierMonths', {
      description:
        `Months whose realisation is more than ${OUTLIER_MADS} median absolute deviations from the agency’s ` +
        `median month (judged from ${OUTLIER_MIN_MONTHS} months with realisation on).`,
    }),
  }),
});

const KpiCompleteness = builder.objectRef<Completeness>('KpiCompleteness').implement({
  description: 'Completeness of a fiscal year’s data per agency and month, as the published figures show it.',
  fields: (t) => ({
    id: t.id(valueId('KpiCompleteness')),
    year: t.exposeInt('year', { description: 'The fiscal year.' }),
    dataVersion: t.int({
      description: 'The data version read (0 before any).',
      resolve: (c) => c.pick?.version ?? 0,
    }),
    asOf: t.field({
      type: 'Date',
      nullable: true,
      description: 'The snapshot date of the figures.',
      resolve: (c) => c.pick?.asOf ?? null,
    }),
    months: t.field({
      type: [KpiMonthCompleteness],
      description: 'January through the month of the figures’ date.',
      resolve: (c) => c.months,
    }),
    agencies: t.field({
      type: [KpiAgencyCompleteness],
      description: 'Every expected agency and every agency with figures, by code.',
      resolve: (c) => c.agencies,
    }),
    silentAgencies: t.field({
      type: [Agency],
      description: 'Expected agencies that reported no realisation at all this year.',
      resolve: (c) => c.silent,
    }),
  }),
});

builder.queryField('kpiCompleteness', (t) =>
  t.field({
    type: KpiCompleteness,
    description: 'Expected vs received realisation reports per agency and month. Readable by everyone.',
    args: {
      year: t.arg.int({ required: true, description: 'The fiscal year.' }),
      asOf: t.arg({ type: 'Date', description: 'Read the figures as of this date (YYYY-MM-DD).' }),
    },
    resolve: (_root, args) => kpiCompleteness({ year: args.year, asOf: args.asOf }),
  }),
);
