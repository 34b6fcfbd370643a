// Ingest in the graph: feed sources with their schedules and timing, the run history with the
// rejected rows (analysts), and admin mutations to run a source now, replay it as of a date and
// change its schedule.
import type { FeedSource as FeedSourceRow, IngestRun as IngestRunRow } from '../generated/prisma/client.js';
import { sharedProducer } from '../jobs/producer.js';
import { toDbDate } from '../lib/dates.js';
import { NotFoundError } from '../lib/errors.js';
import { logger } from '../lib/logger.js';
import { decideHeldRun } from '../services/ingest/held.js';
import * as queries from '../services/ingest/queries.js';
import {
  changeSchedule,
  queueRecomputeAfter,
  triggerReplay,
  triggerRun,
} from '../services/ingest/requests.js';
import type { Run } from '../services/ingest/runs.js';
import { sourceTiming } from '../services/ingest/sources.js';
import { type SuspectList, suspectItems } from '../services/ingest/suspects.js';
import { builder, typedErrors } from './builder.js';
import { countedPage, encodeId, nonEmptyQuery, valueId } from './common.js';

const CatchUpPolicy = builder.enumType('CatchUpPolicy', {
  description: 'What a worker does at start about scheduled runs missed while no worker ran.',
  values: {
    SKIP: { description: 'Nothing: they are counted as missed, the schedule goes on.' },
    RUN_ONCE: { description: 'One pull of the current data stands for all of them.' },
    BACKFILL: { description: 'A replay as of each missed slot, oldest first (at most INGEST_BACKFILL_MAX).' },
  },
});

const RunStatus = builder.enumType('RunStatus', {
  description: 'Where an ingest run stands.',
  values: {
    QUEUED: { description: 'Waiting for a worker, or paused with its cursor kept (it resumes from there).' },
    RUNNING: { description: 'A worker is reading pages.' },
    SUCCEEDED: { description: 'Every page was read and the complete snapshot applied to the items.' },
    FAILED: { description: 'Stopped for good; see `error`. It changed no item.' },
    CANCELLED: {
      description:
        'Cancelled before it was applied (a held snapshot discarded or superseded). It changed no item.',
    },
    HELD: {
      description:
        'Complete, but it looks wrong (see `heldReason`): staged, not applied, until an admin approves or ' +
        'discards it (`decideHeldIngestRun`).',
    },
    MISSED: { description: 'A schedule slot no worker ran; nothing was pulled for it.' },
  },
});

builder.prismaObject('IngestRunAttempt', {
  description: 'One attempt of a run (a worker starting or resuming it) and how it ended.',
  fields: (t) => ({
    id: t.id({
      description: 'Its global id.',
      select: { id: true },
      resolve: (a) => encodeId('IngestRunAttempt', a.id),
    }),
    attempt: t.exposeInt('attempt', { description: 'Its number within the run, from 1.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When it started.' }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it ended (null while it runs).',
    }),
    outcome: t.exposeString('outcome', {
      nullable: true,
      description:
        'SUCCEEDED, HELD, FAILED, RETRYING (failed, retried later), DELAYED (the feed asked to wait), PAUSED ' +
        '(worker shutdown), INTERRUPTED (the worker died); null while it runs.',
    }),
    error: t.exposeString('error', { nullable: true, description: 'Why it ended, when not with success.' }),
  }),
});

const RunTrigger = builder.enumType('RunTrigger', {
  description: 'Why a run happened.',
  values: {
    SCHEDULE: { description: "The source's schedule." },
    STARTUP: { description: 'The pull every source gets when a worker starts.' },
    CATCH_UP: { description: 'A scheduled run missed while no worker ran.' },
    MANUAL: { description: 'An admin asked for it.' },
    REPLAY: { description: 'A replay of the source as of a date (admin, or the demo history).' },
    FILE: { description: 'A file import (`npm run ingest:file`).' },
  },
});

builder.prismaNode('RejectedRow', {
  description:
    'A feed row that failed validation, kept with the reason: never silently dropped (analysts only).',
  authScopes: { analyst: true },
  id: { field: 'id' },
  fields: (t) => ({
    rowNumber: t.exposeInt('rowNumber', { description: 'Its position in the snapshot, from 1.' }),
    sourceKey: t.exposeString('sourceKey', {
      nullable: true,
      description: 'Its natural key, when it could still be read.',
    }),
    reason: t.exposeString('reason', { description: 'Every field at fault and why.' }),
    raw: t.exposeString('raw', { description: 'The row as the feed sent it (JSON, or the line of a file).' }),
  }),
});

const SuspectRow = builder.objectRef<SuspectList['rows'][number]>('IngestSuspectRow').implement({
  description: 'A suspect item of a run’s snapshot and why it is suspect.',
  fields: (t) => ({
    id: t.id(valueId('IngestSuspectRow')),
    sourceKey: t.exposeString('sourceKey', { description: 'Its natural key in the dataset.' }),
    reason: t.exposeString('reason', { description: 'Why its figures look wrong.' }),
  }),
});

const SuspectRows = builder.objectRef<SuspectList>('IngestSuspectRows').implement({
  description:
    'The realisation items of a run’s snapshot whose figures look wrong at the source (PDN above the value; ' +
    'PDN of at most 100 on a value of Rp1.000.000 or more): kept and counted as reported (docs/kpi.md).',
  fields: (t) => ({
    id: t.id(valueId('IngestSuspectRows')),
    count: t.exposeInt('count', { description: 'How many.' }),
    value: t.field({ type: 'Money', description: 'Their Σ value.', resolve: (s) => s.value }),
    rows: t.field({ type: [SuspectRow], description: 'The first of them, by key.', resolve: (s) => s.rows }),
  }),
});

export const IngestRun = builder.prismaNode('IngestRun', {
  description: 'One pull (snapshot) of a feed source, or one file import, with its counts (analysts only).',
  authScopes: { analyst: true },
  id: { field: 'id' },
  fields: (t) => ({
    runId: t.exposeInt('id', { description: 'The run number (as in logs and the CLI).' }),
    source: t.relation('source', { nullable: true, description: 'The source pulled (none for a file).' }),
    dataset: t.exposeString('dataset', {
      description: 'The feed dataset, e.g. tender/tender-ekontrak-kontrak.',
    }),
    klpdCode: t.exposeString('klpdCode', { nullable: true, description: 'The KLPD of the snapshot.' }),
    trigger: t.expose('trigger', { type: RunTrigger, description: 'Why it ran.' }),
    status: t.expose('status', { type: RunStatus, description: 'Where it stands.' }),
    asOf: t.expose('asOf', {
      type: 'Date',
      nullable: true,
      description:
        'The date the snapshot stands for: the replayed date, else the date the feed states, else the pull date ' +
        '(Asia/Jakarta). A file: the date its rows state, or its --as-of; null when neither says one.',
    }),
    requestedAsOf: t.expose('requestedAsOf', {
      type: 'Date',
      nullable: true,
      description: 'The as-of date asked of the feed (replays, backfills); null for its current data.',
    }),
    scheduledFor: t.expose('scheduledFor', {
      type: 'DateTime',
      nullable: true,
      description: 'The schedule slot it stands for (scheduled and catch-up runs).',
    }),
    fileName: t.exposeString('fileName', { nullable: true, description: 'The imported file.' }),
    partial: t.exposeBoolean('partial', {
      description:
        'Only part of a snapshot: a file imported with --partial (it withdraws nothing), or a pull that failed ' +
        'after some of its pages (it applied nothing).',
    }),
    cursor: t.exposeString('cursor', {
      nullable: true,
      description:
        "The last committed page's cursor (opaque): a resumed run starts after it. Kept when the run finishes " +
        '(the last page has none): null only for a snapshot of one page, or a file.',
    }),
    pages: t.exposeInt('pages', { description: 'Pages committed.' }),
    fetched: t.exposeInt('fetched', {
      description: 'Rows received: inserted + updated + unchanged + rejected + duplicates.',
    }),
    inserted: t.exposeInt('inserted', { description: 'Rows with a new natural key.' }),
    updated: t.exposeInt('updated', {
      description: 'Rows whose content changed (or that came back after a withdrawal).',
    }),
    unchanged: t.exposeInt('unchanged', { description: 'Rows identical to the stored item.' }),
    rejected: t.exposeInt('rejected', { description: 'Rows that failed validation (see rejectedRows).' }),
    duplicates: t.exposeInt('duplicates', {
      description: 'Repeats of a key within the snapshot (the first is kept).',
    }),
    withdrawn: t.exposeInt('withdrawn', {
      description: 'Stored items the complete snapshot no longer lists.',
    }),
    unknownAgencies: t.exposeInt('unknownAgencies', {
      description: 'Valid rows whose kd_satker_str matched no agency (stored without agency).',
    }),
    suspect: t.field({
      type: SuspectRows,
      description: 'Suspect items of the snapshot (its dataset, KLPD and year), as they stand now.',
      args: { first: t.arg.int({ defaultValue: 20, description: 'How many rows to list (at most 100).' }) },
      resolve: (run, args) => suspectItems(run.id, Math.min(Math.max(args.first ?? 20, 0), 100)),
    }),
    attempts: t.exposeInt('attempts', { description: 'How many times a worker started or resumed it.' }),
    contentHash: t.exposeString('contentHash', {
      nullable: true,
      description:
        'A hash of the snapshot (keys and content): two runs with the same data have the same one.',
    }),
    error: t.exposeString('error', { nullable: true, description: 'The last error, if any.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was queued.' }),
    startedAt: t.expose('startedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it first started.',
    }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it finished.',
    }),
    heldReason: t.exposeString('heldReason', {
      nullable: true,
      description: 'Why the complete snapshot was held for an operator instead of applied.',
    }),
    expectedRows: t.exposeInt('expectedRows', {
      nullable: true,
      description: 'The row count the feed announced for the snapshot, when it states one.',
    }),
    keylessRows: t.exposeInt('keylessRows', {
      description: 'Rejected rows without a natural key: a snapshot with any withdraws nothing.',
    }),
    decidedAt: t.expose('decidedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When an admin approved or discarded the held snapshot (or a newer one superseded it).',
    }),
    decisionNote: t.exposeString('decisionNote', { nullable: true, description: 'What the decision said.' }),
    appliedAt: t.expose('appliedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the snapshot was applied to the items; null if it never was.',
    }),
    revertedAt: t.expose('revertedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the items it changed were restored to their state before it.',
    }),
    attemptHistory: t.relation('attemptLog', {
      description: 'Every attempt, oldest first, failed ones included.',
      query: { orderBy: { attempt: 'asc' } },
    }),
    fetchMs: t.exposeInt('fetchMs', { description: 'Milliseconds spent waiting for the feed.' }),
    writeMs: t.exposeInt('writeMs', { description: 'Milliseconds spent staging batches in the database.' }),
    rejectedRows: t.relatedConnection(
      'rejectedRows',
      {
        description: 'The rows that failed validation, in snapshot order.',
        cursor: 'id',
        totalCount: true,
        query: { orderBy: { rowNumber: 'asc' } },
      },
      ...countedPage('rejected rows', 'A rejected row'),
    ),
  }),
});

const timing = (source: FeedSourceRow) => sourceTiming(source);

export const FeedSource = builder.prismaNode('FeedSource', {
  description:
    'A pullable source: one feed dataset of one KLPD and fiscal year, with its schedule (analysts only).',
  authScopes: { analyst: true },
  id: { field: 'id' },
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The stable key, e.g. tender-ekontrak-kontrak.D999.2024.' }),
    dataset: t.exposeString('dataset', { description: 'The feed dataset.' }),
    klpdCode: t.exposeString('klpdCode', { description: 'The KLPD (kode_klpd) pulled.' }),
    fiscalYear: t.exposeInt('fiscalYear', { description: 'The fiscal year (tahun) pulled.' }),
    cron: t.exposeString('cron', { description: 'The schedule, a cron pattern read in `timezone`.' }),
    timezone: t.exposeString('timezone', { description: 'The IANA time zone of the schedule.' }),
    catchUp: t.expose('catchUp', {
      type: CatchUpPolicy,
      description: 'What happens to runs missed while no worker ran.',
    }),
    catchUpNote: t.exposeString('catchUpNote', {
      nullable: true,
      description:
        'Why the catch-up that applies differs from `catchUp`: BACKFILL against a feed that cannot answer as ' +
        'of a date runs as RUN_ONCE. Null when it applies as set.',
    }),
    enabled: t.exposeBoolean('enabled', { description: 'Whether the schedule runs.' }),
    customSchedule: t.exposeBoolean('customSchedule', {
      description: 'Whether an admin set the schedule (the configured default no longer applies).',
    }),
    nextRunAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The next scheduled run (null when disabled).',
      resolve: (source) => timing(source).nextRunAt,
    }),
    lastRunAt: t.expose('lastRunAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a run last started.',
    }),
    lastSuccessAt: t.expose('lastSuccessAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a run last succeeded.',
    }),
    missedRuns: t.int({
      description: 'Scheduled runs missed because no worker ran, in total (found at start, or overdue now).',
      resolve: (source) => timing(source).missedRuns,
    }),
    lagSeconds: t.int({
      description:
        'How far behind its schedule the source is: seconds since the oldest due slot not yet handled.',
      resolve: (source) => timing(source).lagSeconds,
    }),
    lastSnapshotAsOf: t.expose('lastSnapshotAsOf', {
      type: 'Date',
      nullable: true,
      description: 'The as-of date of the last complete snapshot.',
    }),
    lastSnapshotRun: t.prismaField({
      type: 'IngestRun',
      nullable: true,
      description: 'The run of the last complete snapshot.',
      resolve: (query, source) =>
        source.lastSnapshotRunId ? queries.findRun(query, source.lastSnapshotRunId) : null,
    }),
    runs: t.relatedConnection(
      'runs',
      {
        description: 'Its runs, newest first.',
        cursor: 'id',
        totalCount: true,
        query: { orderBy: { id: 'desc' } },
      },
      ...countedPage('runs', 'A run'),
    ),
  }),
});

builder.queryField('feedSources', (t) =>
  t.prismaField({
    type: ['FeedSource'],
    description: 'The feed sources, by fiscal year and dataset (analysts only).',
    authScopes: { analyst: true },
    args: { enabled: t.arg.boolean({ description: 'Only enabled (true) or disabled (false) sources.' }) },
    resolve: (query, _root, args) =>
      queries.listSourceRows(query, args.enabled == null ? {} : { enabled: args.enabled }),
  }),
);

builder.queryField('feedSource', (t) =>
  t.prismaField({
    type: 'FeedSource',
    nullable: true,
    description: 'One feed source by key (analysts only).',
    authScopes: { analyst: true },
    args: { key: t.arg.string({ required: true, description: 'The source key.' }) },
    resolve: (query, _root, args) => queries.findSource(query, args.key),
  }),
);

const IngestRunFilter = builder.inputType('IngestRunFilter', {
  description: 'Conditions a run must meet; all given conditions apply.',
  fields: (t) => ({
    sourceKey: t.string({ description: 'Only runs of this source.' }),
    dataset: t.string({ description: 'Only runs of this dataset (file imports included).' }),
    statuses: t.field({ type: [RunStatus], description: 'Only runs in one of these statuses.' }),
    triggers: t.field({ type: [RunTrigger], description: 'Only runs with one of these triggers.' }),
  }),
});

type RunFilterArg = typeof IngestRunFilter.$inferInput | null | undefined;
const toRunFilter = (f: RunFilterArg): queries.RunFilter => ({
  sourceKey: f?.sourceKey,
  dataset: f?.dataset,
  statuses: f?.statuses,
  triggers: f?.triggers,
});

builder.queryField('ingestRuns', (t) =>
  t.prismaConnection(
    {
      type: 'IngestRun',
      cursor: 'id',
      description: 'The run history, newest first (analysts only).',
      authScopes: { analyst: true },
      args: { filter: t.arg({ type: IngestRunFilter, description: 'Only runs meeting these conditions.' }) },
      totalCount: (_connection, args) => queries.countRuns(toRunFilter(args.filter)),
      resolve: (query, _root, args) => queries.listRuns(query, toRunFilter(args.filter)),
    },
    ...countedPage('runs', 'A run'),
  ),
);

builder.queryField('ingestRun', (t) =>
  t.prismaField({
    type: 'IngestRun',
    nullable: true,
    description: 'One run by its number (analysts only).',
    authScopes: { analyst: true },
    args: { runId: t.arg.int({ required: true, description: 'The run number.' }) },
    resolve: (query, _root, args) => queries.findRun(query, args.runId),
  }),
);

const TriggerIngestRunInput = builder.inputType('TriggerIngestRunInput', {
  description: 'Which source to pull, and optionally as of which date.',
  fields: (t) => ({
    sourceKey: t.string({
      required: true,
      description: 'The source key, e.g. tender-ekontrak-kontrak.D999.2024.',
    }),
    asOf: t.field({
      type: 'Date',
      description: 'Replay the source as it stood that day (the feed’s as_of); absent: its current data.',
    }),
  }),
});

builder.mutationField('triggerIngestRun', (t) =>
  t.prismaField({
    type: 'IngestRun',
    description:
      'Queues a run of a source now, or a replay as of a date, and returns it (admins only). It waits for any run ' +
      'of the source in progress; replays are idempotent like any run.',
    authScopes: { admin: true },
    errors: typedErrors('The queued run: poll it by `runId` or through `ingestRuns`.'),
    args: {
      input: t.arg({ type: TriggerIngestRunInput, required: true, description: 'The source and date.' }),
    },
    resolve: async (query, _root, { input }) => {
      const run = await triggerRun(sharedProducer(), {
        sourceKey: input.sourceKey,
        asOf: input.asOf ?? null,
      });
      // The run is recorded and queued: the answer reports it whatever the re-read does.
      return answerCommitted(prismaRunOf(run), () => queries.findRun(nonEmptyQuery(query), run.id));
    },
  }),
);

const ReplayFiscalYearInput = builder.inputType('ReplayFiscalYearInput', {
  description: 'The fiscal year to reconstruct, and as of which date.',
  fields: (t) => ({
    fiscalYear: t.int({
      required: true,
      description: 'The fiscal year whose every feed source is replayed.',
    }),
    asOf: t.field({
      type: 'Date',
      required: true,
      description: 'The date to reconstruct (not in the future).',
    }),
  }),
});

builder.mutationField('replayFiscalYear', (t) =>
  t.prismaField({
    type: ['IngestRun'],
    description:
      'Queues a replay of every feed source of a fiscal year as of a date, a run per source recorded together ' +
      '(admins only), so the year is reconstructed from all its sources, never a mix. Once all are done the ' +
      'reconstruction is published for that date when it differs from what was published for it, and the items ' +
      'return to the latest snapshot of every source: current never changes by a replay.',
    authScopes: { admin: true },
    errors: typedErrors('The queued runs, one per source: poll them through `ingestRuns`.'),
    args: {
      input: t.arg({ type: ReplayFiscalYearInput, required: true, description: 'The year and date.' }),
    },
    resolve: async (query, _root, { input }) => {
      const runs = await triggerReplay(sharedProducer(), {
        fiscalYear: input.fiscalYear,
        asOf: input.asOf,
      });
      return answerCommitted(runs.map(prismaRunOf), () =>
        queries.findRuns(
          nonEmptyQuery(query),
          runs.map((r) => r.id),
        ),
      );
    },
  }),
);

const UpdateFeedScheduleInput = builder.inputType('UpdateFeedScheduleInput', {
  description: 'The schedule fields to change; absent fields stay as they are.',
  fields: (t) => ({
    sourceKey: t.string({ required: true, description: 'The source key.' }),
    cron: t.string({ description: 'A cron pattern (5 fields, or 6 with seconds), read in `timezone`.' }),
    timezone: t.string({ description: 'An IANA time zone, e.g. Asia/Jakarta.' }),
    catchUp: t.field({
      type: CatchUpPolicy,
      description: 'What to do about runs missed while no worker ran.',
    }),
    enabled: t.boolean({ description: 'Whether the schedule runs.' }),
  }),
});

builder.mutationField('updateFeedSchedule', (t) =>
  t.prismaField({
    type: 'FeedSource',
    description:
      "Changes a source's schedule (admins only), at once and without a restart (if Redis is unreachable, the " +
      "workers' watchdog applies it later); " +
      'from then on the configured default no longer overrides it.',
    authScopes: { admin: true },
    errors: typedErrors('The source with its new schedule.'),
    args: { input: t.arg({ type: UpdateFeedScheduleInput, required: true, description: 'The changes.' }) },
    resolve: async (query, _root, { input }) => {
      // Applied now when Redis answers; otherwise by the workers' watchdog.
      const source = await changeSchedule(sharedProducer(), input.sourceKey, input);
      return answerCommitted(source, () => queries.findSource(nonEmptyQuery(query), source.key));
    },
  }),
);

/**
 * A mutation's answer once its write is committed: the row as Pothos selected it, or, if that re-read
 * fails or finds nothing, the row the write returned. A retrying client must never be told that a
 * committed write failed (it would queue the run twice).
 */
/**
 * IngestRun is a Prisma node, so its fallback answer takes the Prisma model's shape: the service's
 * Run with its calendar dates as `@db.Date` values (the Date scalar prints either as the same day).
 */
function prismaRunOf(run: Run): IngestRunRow {
  return {
    ...run,
    asOf: run.asOf === null ? null : toDbDate(run.asOf),
    requestedAsOf: run.requestedAsOf === null ? null : toDbDate(run.requestedAsOf),
  };
}

async function answerCommitted<T>(written: T, reread: () => Promise<T | null>): Promise<T> {
  try {
    return (await reread()) ?? written;
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'a committed write answered from its own row');
    return written;
  }
}

const HeldRunDecision = builder.enumType('HeldRunDecision', {
  description: 'What to do with a held snapshot.',
  values: {
    APPROVE: { description: 'Apply it to the items as it was read (withdrawals included).' },
    DISCARD: { description: 'Drop it: the items stay as they are.' },
  },
});

const DecideHeldIngestRunInput = builder.inputType('DecideHeldIngestRunInput', {
  description: 'A decision on a held run.',
  fields: (t) => ({
    runId: t.int({ required: true, description: 'The held run’s number.' }),
    decision: t.field({ type: HeldRunDecision, required: true, description: 'Approve or discard.' }),
    note: t.string({ description: 'Why (kept on the run).' }),
  }),
});

builder.mutationField('decideHeldIngestRun', (t) =>
  t.prismaField({
    type: 'IngestRun',
    description:
      'Approves (applies) or discards a snapshot held for an operator (admins only). An approved one is applied ' +
      'in one transaction and the KPIs are recomputed.',
    authScopes: { admin: true },
    errors: typedErrors('The run, SUCCEEDED (approved) or CANCELLED (discarded).'),
    args: {
      input: t.arg({
        type: DecideHeldIngestRunInput,
        required: true,
        description: 'The run and the decision.',
      }),
    },
    resolve: async (query, _root, { input }) => {
      const run = await decideHeldRun(input.runId, input.decision, input.note ?? null);
      // Applied and committed: a Redis outage only delays the recompute (the buckets stay dirty).
      await queueRecomputeAfter(sharedProducer(), `approved ingest run ${run.id}`, [run]).catch(
        (err: Error) =>
          logger.warn(
            { err: err.message, runId: run.id },
            'approved run applied; the recompute waits for Redis',
          ),
      );
      const found = await queries.findRun(query, run.id);
      if (!found) throw new NotFoundError('IngestRun', run.id);
      return found;
    },
  }),
);
