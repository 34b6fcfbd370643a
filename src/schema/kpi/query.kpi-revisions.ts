// kpiRevisions / kpiRevision / kpiRevisionDiff: the revision history and "why did this number move?".

import { UnauthenticatedError } from '../../lib/auth.js';
import { kpiRefreshedChannel } from '../../services/kpi/notify.js';
import { centsToMoney } from '../../services/kpi/numbers.js';
import { resolveScope } from '../../services/kpi/read.js';
import {
  diffRevisions,
  getRevision,
  listRevisions,
  type RevisionDiff,
  type RevisionStatus,
} from '../../services/kpi/revisions.js';
import { kpiRevisionChannel, liveEvents } from '../../services/live/pubsub.js';
import { builder } from '../builder.js';
import { valueId } from '../common.js';
import { KpiDelta, KpiRevision, KpiRevisionStatus } from './revision-types.js';

builder.queryField('kpiRevisions', (t) =>
  t.field({
    type: [KpiRevision],
    description: 'The KPI revisions (data versions), newest first, held and rejected ones too. Analysts.',
    authScopes: { analyst: true },
    args: {
      year: t.arg.int({ description: 'Only revisions that recomputed this fiscal year.' }),
      status: t.arg({
        type: KpiRevisionStatus,
        description: 'Only revisions in this state (e.g. HELD). Without it, UNCHANGED ones are left out.',
      }),
      asOf: t.arg({
        type: 'Date',
        description:
          'With `year`: only the revisions that answer the year as of exactly this date (the first published ' +
          'one and any restatement of it).',
      }),
      before: t.arg.int({ description: 'Only versions below this one (the next page).' }),
      limit: t.arg.int({ defaultValue: 20, description: 'At most this many (1–100, default 20).' }),
    },
    resolve: (_root, args) =>
      listRevisions({
        year: args.year ?? null,
        status: (args.status as RevisionStatus | null | undefined) ?? null,
        asOf: args.asOf,
        before: args.before ?? null,
        limit: args.limit ?? 20,
      }),
  }),
);

builder.queryField('kpiRevision', (t) =>
  t.field({
    type: KpiRevision,
    nullable: true,
    description: 'One KPI revision by its version number; null if there is none. Analysts.',
    authScopes: { analyst: true },
    args: { version: t.arg.int({ required: true, description: 'The data version number.' }) },
    resolve: (_root, args) => getRevision(args.version),
  }),
);

const KpiRevisionDiff = builder.objectRef<RevisionDiff>('KpiRevisionDiff').implement({
  description: 'What moved in one fiscal year between two revisions, per agency and month.',
  fields: (t) => ({
    id: t.id(valueId('KpiRevisionDiff')),
    from: t.exposeInt('from', { description: 'The earlier version.' }),
    to: t.exposeInt('to', { description: 'The later version.' }),
    year: t.exposeInt('year', { description: 'The fiscal year.' }),
    realisationDelta: t.field({
      type: 'Money',
      description: 'The change of the year’s realisation (Σ of the rows).',
      resolve: (d) => centsToMoney(d.realisationAfter - d.realisationBefore),
    }),
    rows: t.field({
      type: [KpiDelta],
      description: 'Every (agency, month) whose figures differ, by agency then month.',
      resolve: (d) => d.rows,
    }),
  }),
});

builder.queryField('kpiRevisionDiff', (t) =>
  t.field({
    type: KpiRevisionDiff,
    description:
      'The difference between any two revisions in one fiscal year, per agency and month: why a number moved. ' +
      'Version 0 stands for "before any data". Analysts.',
    authScopes: { analyst: true },
    args: {
      from: t.arg.int({ required: true, description: 'The earlier version.' }),
      to: t.arg.int({ required: true, description: 'The later version.' }),
      year: t.arg.int({ required: true, description: 'The fiscal year.' }),
      agency: t.arg.string({ description: 'Only this agency (with its sub-units).' }),
    },
    resolve: async (_root, args) => {
      const scope = args.agency ? await resolveScope(args.agency) : null;
      return diffRevisions({
        from: args.from,
        to: args.to,
        year: args.year,
        agencyIds: scope?.agencyIds ?? null,
      });
    },
  }),
);

builder.subscriptionField('kpiRevisionChanged', (t) =>
  t.field({
    type: KpiRevision,
    description:
      'Each change of a revision’s state: computed (PUBLISHED or HELD with its reasons), approved, rejected or ' +
      'rolled back. Analysts.',
    authScopes: { analyst: true },
    subscribe: (_root, _args, ctx) => {
      if (ctx.viewer.role === 'PUBLIC') throw new UnauthenticatedError('revisions need an analyst API key');
      // A publication is announced on kpiRefreshed; other changes on the revision channel.
      return liveEvents().iterate<{ version: number }>([kpiRevisionChannel(), kpiRefreshedChannel()]);
    },
    // The event names the revision; its state is read fresh.
    resolve: async (event) => (await getRevision(event.version))!,
  }),
);
