// saveKpiView / kpiView: saved views, addressed by a short id.
import { createView, getView, type SavedView, viewTable } from '../../services/kpi/views.js';
import { builder, typedErrors } from '../builder.js';
import { encodeId, keyOf } from '../common.js';
import { KpiQueryKindEnum, KpiQuestionInput, KpiTableRef, kindOf, questionArgs } from './question-types.js';

const KpiSavedView = builder.objectRef<SavedView>('KpiSavedView').implement({
  description: 'A named KPI question with its arguments, pinned to a data version or following the latest.',
  fields: (t) => ({
    id: t.id({
      description: 'Its global id, stable (it encodes `shortId`).',
      resolve: (v) => encodeId('KpiSavedView', v.id),
    }),
    shortId: t.exposeString('id', { description: 'Its short id (8 characters), for links.' }),
    name: t.exposeString('name', { description: 'Its name.' }),
    kind: t.field({ type: KpiQueryKindEnum, description: 'The question.', resolve: (v) => v.kind }),
    arguments: t.string({
      description: 'The question’s arguments, as JSON.',
      resolve: (v) => JSON.stringify(v.args),
    }),
    pinnedVersion: t.exposeInt('pinnedVersion', {
      nullable: true,
      description: 'The data version it reads; null when it follows the latest published figures.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was saved.' }),
    table: t.field({
      type: KpiTableRef,
      description: 'Its numbers now: those of its pinned version, or the latest published ones.',
      resolve: (v) => viewTable(v),
    }),
  }),
});

const SaveKpiViewInput = builder.inputType('SaveKpiViewInput', {
  description: 'A view to save.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Its name (1–200 characters).' }),
    kind: t.field({ type: KpiQueryKindEnum, required: true, description: 'The question.' }),
    question: t.field({ type: KpiQuestionInput, required: true, description: 'Its arguments.' }),
    pinned: t.boolean({
      defaultValue: true,
      description: 'Pin it to the data version it reads now (default), or let it follow the latest.',
    }),
  }),
});

builder.mutationField('saveKpiView', (t) =>
  t.field({
    type: KpiSavedView,
    description: 'Saves a KPI question as a view with a short id (analysts).',
    authScopes: { analyst: true },
    errors: typedErrors('The saved view.'),
    args: { input: t.arg({ type: SaveKpiViewInput, required: true, description: 'The view.' }) },
    resolve: (_root, args, ctx) =>
      createView({
        name: args.input.name,
        kind: kindOf(args.input.kind),
        args: questionArgs(args.input.question),
        pinned: args.input.pinned ?? true,
        createdBy: ctx.viewer.keyId ?? null,
      }),
  }),
);

builder.queryField('kpiView', (t) =>
  t.field({
    type: KpiSavedView,
    nullable: true,
    description: 'A saved view by its short id; null if there is none. Readable by everyone, like the KPIs.',
    args: { id: t.arg.string({ required: true, description: 'The view’s `shortId` (or its global `id`).' }) },
    resolve: (_root, args) => getView(keyOf('KpiSavedView', args.id)),
  }),
);
