// startKpiExport / kpiExport / kpiExportUpdated: asynchronous CSV exports of KPI questions, written
// by the worker's export job and downloaded from /kpi/exports/<id>.

import { sharedProducer } from '../../jobs/producer.js';
import { UnauthenticatedError } from '../../lib/auth.js';
import { getExport, type KpiExport, requestExport } from '../../services/kpi/exports.js';
import type { KpiLocale } from '../../services/kpi/numbers.js';
import { kpiExportChannel, liveEvents } from '../../services/live/pubsub.js';
import { builder, typedErrors } from '../builder.js';
import { encodeId, keyOf } from '../common.js';
import { KpiQueryKindEnum, KpiQuestionInput, kindOf, questionArgs } from './question-types.js';
import { KpiLocaleEnum } from './types.js';

const KpiExportStatus = builder.enumType('KpiExportStatus', {
  description: 'Where an export stands.',
  values: {
    QUEUED: { description: 'Waiting for the worker.' },
    RUNNING: { description: 'Being written.' },
    DONE: { description: 'The file can be downloaded.' },
    FAILED: { description: 'It could not be written (`error` says why).' },
  },
});

const KpiExportRef = builder.objectRef<KpiExport>('KpiExport').implement({
  description: 'An asynchronous CSV export of a KPI question.',
  fields: (t) => ({
    id: t.id({
      description: 'Its global id, stable (it encodes `key`: keep it private too).',
      resolve: (e) => encodeId('KpiExport', e.id),
    }),
    key: t.exposeString('id', {
      description: 'Its key: the download URL is addressed by it (keep it private).',
    }),
    kind: t.field({ type: KpiQueryKindEnum, description: 'The question.', resolve: (e) => e.kind }),
    locale: t.field({
      type: KpiLocaleEnum,
      description: 'Headers and number format of the file.',
      resolve: (e) => e.locale,
    }),
    status: t.field({ type: KpiExportStatus, description: 'Where it stands.', resolve: (e) => e.status }),
    dataVersion: t.exposeInt('version', {
      nullable: true,
      description: 'The data version written (once DONE).',
    }),
    asOf: t.field({
      type: 'Date',
      nullable: true,
      description: 'The snapshot date of the figures written.',
      resolve: (e) => e.asOf,
    }),
    rowCount: t.exposeInt('rowCount', { nullable: true, description: 'Data rows in the file.' }),
    fileName: t.exposeString('fileName', { nullable: true, description: 'The file’s name.' }),
    downloadPath: t.string({
      nullable: true,
      description: 'Where to download the CSV (GET, relative to the API), once DONE.',
      resolve: (e) => (e.status === 'DONE' ? `/kpi/exports/${e.id}` : null),
    }),
    error: t.exposeString('error', { nullable: true, description: 'Why it failed.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was requested.' }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it finished.',
    }),
  }),
});

const StartKpiExportInput = builder.inputType('StartKpiExportInput', {
  description: 'What to export.',
  fields: (t) => ({
    kind: t.field({ type: KpiQueryKindEnum, required: true, description: 'The question.' }),
    question: t.field({ type: KpiQuestionInput, required: true, description: 'Its arguments.' }),
    locale: t.field({
      type: KpiLocaleEnum,
      defaultValue: 'id',
      description: 'Headers and number format: ID (default, `;` and `1.234,5`) or EN (`,` and `1234.5`).',
    }),
  }),
});

builder.mutationField('startKpiExport', (t) =>
  t.field({
    type: KpiExportRef,
    description:
      'Starts a CSV export of a KPI question (analysts): the worker writes it; poll `kpiExport(id)` or ' +
      'subscribe to `kpiExportUpdated(id)`, then download it from `downloadPath`.',
    authScopes: { analyst: true },
    errors: typedErrors('The export, QUEUED.'),
    args: { input: t.arg({ type: StartKpiExportInput, required: true, description: 'What to export.' }) },
    resolve: async (_root, args, ctx) => {
      return requestExport(sharedProducer(), {
        kind: kindOf(args.input.kind),
        args: questionArgs(args.input.question),
        locale: (args.input.locale ?? 'id') as KpiLocale,
        requestedBy: ctx.viewer.keyId ?? null,
      });
    },
  }),
);

builder.queryField('kpiExport', (t) =>
  t.field({
    type: KpiExportRef,
    nullable: true,
    description: 'An export by its id; null if there is none. Analysts.',
    authScopes: { analyst: true },
    args: { id: t.arg.string({ required: true, description: 'The export’s `id` (or its `key`).' }) },
    resolve: (_root, args) => getExport(keyOf('KpiExport', args.id)),
  }),
);

builder.subscriptionField('kpiExportUpdated', (t) =>
  t.field({
    type: KpiExportRef,
    description: 'Each change of an export’s status (RUNNING, then DONE or FAILED). Analysts.',
    authScopes: { analyst: true },
    args: { id: t.arg.string({ required: true, description: 'The export’s `id` (or its `key`).' }) },
    subscribe: (_root, args, ctx) => {
      if (ctx.viewer.role === 'PUBLIC') throw new UnauthenticatedError('exports need an analyst API key');
      const key = keyOf('KpiExport', args.id);
      return liveEvents().iterate<KpiExport>(kpiExportChannel(), (e) => e.id === key);
    },
    resolve: (e) => ({
      ...e,
      createdAt: new Date(e.createdAt),
      finishedAt: e.finishedAt && new Date(e.finishedAt),
    }),
  }),
);
