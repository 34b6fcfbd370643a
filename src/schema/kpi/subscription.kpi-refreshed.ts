// kpiRefreshed / ingestRunProgress: live events over graphql-ws (src/api/subscriptions.ts),
// relayed from Redis pub/sub so that any API process delivers them.

import { UnauthenticatedError } from '../../lib/auth.js';
import type { RunProgress } from '../../services/ingest/pipeline.js';
import { type KpiRefreshed, kpiRefreshedChannel } from '../../services/kpi/notify.js';
import { ingestProgressChannel, liveEvents } from '../../services/live/pubsub.js';
import { builder } from '../builder.js';
import { valueId } from '../common.js';

const KpiRefreshedEvent = builder.objectRef<KpiRefreshed>('KpiRefreshedEvent').implement({
  description: 'A new KPI data version is published (a recompute, an approval or a rollback).',
  fields: (t) => ({
    id: t.id(valueId('KpiRefreshedEvent')),
    dataVersion: t.exposeInt('version', { description: 'The data version readers now see.' }),
    years: t.exposeIntList('years', { description: 'The fiscal years whose figures changed.' }),
    asOf: t.field({
      type: 'Date',
      nullable: true,
      description: 'The snapshot date the version stands for.',
      resolve: (e) => e.asOf,
    }),
    publishedAt: t.field({
      type: 'DateTime',
      description: 'When it was published.',
      resolve: (e) => e.publishedAt,
    }),
  }),
});

builder.subscriptionField('kpiRefreshed', (t) =>
  t.field({
    type: KpiRefreshedEvent,
    description:
      'Every publication of KPI figures, optionally of one fiscal year only. Readable by everyone (KPIs are ' +
      'public); refetch the KPI queries on each event.',
    args: { year: t.arg.int({ description: 'Only publications that changed this fiscal year.' }) },
    subscribe: (_root, args) =>
      liveEvents().iterate<KpiRefreshed>(
        kpiRefreshedChannel(),
        (e) => args.year == null || e.years.includes(args.year),
      ),
    resolve: (event) => event,
  }),
);

/** A run's progress as published by the worker: the counts so far, and its status once it ends. */
export interface RunProgressEvent extends RunProgress {
  status?: string;
}

const IngestRunProgressEvent = builder.objectRef<RunProgressEvent>('IngestRunProgressEvent').implement({
  description: 'Progress of an ingest run: sent after each committed batch and when the run ends.',
  fields: (t) => ({
    id: t.id(valueId('IngestRunProgressEvent')),
    runId: t.exposeInt('runId', { description: 'The run (IngestRun) id.' }),
    status: t.exposeString('status', {
      nullable: true,
      description: 'The run’s final status (SUCCEEDED, FAILED, …) on its last event; null while it runs.',
    }),
    pages: t.exposeInt('pages', { description: 'Pages committed.' }),
    fetched: t.exposeInt('fetched', { description: 'Rows read.' }),
    inserted: t.exposeInt('inserted', { description: 'Items inserted.' }),
    updated: t.exposeInt('updated', { description: 'Items changed.' }),
    unchanged: t.exposeInt('unchanged', { description: 'Items unchanged.' }),
    rejected: t.exposeInt('rejected', { description: 'Rows rejected.' }),
  }),
});

builder.subscriptionField('ingestRunProgress', (t) =>
  t.field({
    type: IngestRunProgressEvent,
    description:
      'Progress of ingest runs (of one run when `runId` is given). Analysts, like the run history.',
    authScopes: { analyst: true },
    args: { runId: t.arg.int({ description: 'Only this run.' }) },
    subscribe: (_root, args, ctx) => {
      // Refused when subscribing, not only on each event (the scope check runs per event).
      if (ctx.viewer.role === 'PUBLIC')
        throw new UnauthenticatedError('ingest progress needs an analyst API key');
      return liveEvents().iterate<RunProgressEvent>(
        ingestProgressChannel(),
        (e) => args.runId == null || e.runId === args.runId,
      );
    },
    resolve: (event) => event,
  }),
);
