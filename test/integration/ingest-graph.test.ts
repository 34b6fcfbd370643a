// Ingest in the graph over real HTTP: sources with their timing, the run history with rejected
// rows for analysts, and the admin mutations (run now, replay, change a schedule) with typed errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadDemoData } from '../../src/demo/seed.js';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { schedulerId } from '../../src/jobs/enqueue.js';
import { closeSharedProducer, sharedProducer } from '../../src/jobs/producer.js';
import { closeDb, prisma } from '../../src/lib/db.js';
import { pull } from '../../src/services/ingest/pull.js';
import type { Run } from '../../src/services/ingest/runs.js';
import { ensureSources, sourceKey } from '../../src/services/ingest/sources.js';
import { type Api, createKeys, type Keys, startApi } from '../factories/api.js';
import { openSocket } from '../factories/ws.js';
import { createTestDatabase } from '../helpers/db.js';
import { KLPD } from '../helpers/ingest.js';
import { flushTestPrefix } from '../helpers/redis.js';

const KEY = sourceKey('tender/pencatatan-non-tender', KLPD, 2023);
let api: Api;
let keys: Keys;
let sim: RunningFeedSimulator;
let run: Run;

beforeAll(async () => {
  await createTestDatabase();
  await loadDemoData();
  await ensureSources();
  sim = await startFeedSimulator({ klpd: KLPD });
  const outcome = await pull(
    { sourceKey: KEY, trigger: 'STARTUP', jobKey: 'graph.1' },
    { feed: { baseUrl: sim.url } },
  );
  if (outcome.outcome !== 'finished') throw new Error(outcome.outcome);
  run = outcome.run;
  api = await startApi();
  keys = await createKeys();
});
afterAll(async () => {
  await api?.close();
  await sim?.close();
  await closeSharedProducer();
  await flushTestPrefix();
  await closeDb();
});

const RUNS = `query ($filter: IngestRunFilter, $first: Int) {
  ingestRuns(filter: $filter, first: $first) {
    totalCount
    edges { node {
      runId status trigger dataset asOf fetched inserted updated unchanged rejected duplicates withdrawn
      source { key }
      rejectedRows(first: 100) { totalCount edges { node { rowNumber sourceKey reason raw } } }
    } }
  }
}`;

const SOURCES = `{ feedSources { key cron timezone catchUp enabled nextRunAt lastRunAt lastSuccessAt missedRuns lagSeconds
  lastSnapshotAsOf lastSnapshotRun { runId } } }`;

const TRIGGER = `mutation ($input: TriggerIngestRunInput!) {
  triggerIngestRun(input: $input) {
    __typename
    ... on MutationTriggerIngestRunSuccess { data { runId status trigger requestedAsOf source { key } } }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}`;

const SCHEDULE = `mutation ($input: UpdateFeedScheduleInput!) {
  updateFeedSchedule(input: $input) {
    __typename
    ... on MutationUpdateFeedScheduleSuccess { data { key cron timezone catchUp customSchedule nextRunAt } }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}`;

describe('the run history', () => {
  it('shows analysts every run with its counts and its rejected rows', async () => {
    const res = await api.gql(RUNS, { filter: { sourceKey: KEY } }, keys.analyst);
    expect(res.errors).toBeUndefined();
    expect(res.data.ingestRuns.totalCount).toBe(1);
    const node = res.data.ingestRuns.edges[0].node;
    expect(node).toMatchObject({
      runId: run.id,
      status: 'SUCCEEDED',
      trigger: 'STARTUP',
      dataset: 'tender/pencatatan-non-tender',
      asOf: run.asOf,
      fetched: run.fetched,
      inserted: run.inserted,
      rejected: run.rejected,
      duplicates: run.duplicates,
      source: { key: KEY },
    });
    expect(node.rejectedRows.totalCount).toBe(run.rejected);
    expect(node.rejectedRows.edges.map((e: { node: { rowNumber: number } }) => e.node.rowNumber)).toEqual(
      (await prisma.rejectedRow.findMany({ where: { runId: run.id }, orderBy: { rowNumber: 'asc' } })).map(
        (r) => r.rowNumber,
      ),
    );
  });

  it('is not shown without a key', async () => {
    const res = await api.gql(RUNS, {});
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('feed sources', () => {
  it('show each schedule with its next run, last runs, missed runs, lag and last snapshot', async () => {
    const res = await api.gql(SOURCES, {}, keys.analyst);
    expect(res.errors).toBeUndefined();
    expect(res.data.feedSources).toHaveLength(18);
    const pulled = res.data.feedSources.find((s: { key: string }) => s.key === KEY);
    expect(pulled).toMatchObject({
      cron: '0 * * * *',
      timezone: 'Asia/Jakarta',
      catchUp: 'RUN_ONCE',
      enabled: true,
      missedRuns: 0,
      lastSnapshotAsOf: run.asOf,
      lastSnapshotRun: { runId: run.id },
    });
    expect(Date.parse(pulled.nextRunAt)).toBeGreaterThan(Date.now());
    expect(new Date(pulled.nextRunAt).getUTCMinutes()).toBe(0);
    expect(pulled.lastSuccessAt).not.toBeNull();
  });
});

describe('mutation answers tell the truth about the write', () => {
  const runsOf = () => prisma.ingestRun.count({ where: { source: { key: KEY }, trigger: 'MANUAL' } });

  it('answers triggerIngestRun and updateFeedSchedule with success when the selection holds no data', async () => {
    const before = await runsOf();
    const run = await api.gql(
      `mutation { triggerIngestRun(input: { sourceKey: "${KEY}" }) { __typename } }`,
      {},
      keys.admin,
    );
    expect(run.errors).toBeUndefined();
    expect(run.data.triggerIngestRun).toEqual({ __typename: 'MutationTriggerIngestRunSuccess' });
    expect(await runsOf()).toBe(before + 1);
    const schedule = await api.gql(
      `mutation { updateFeedSchedule(input: { sourceKey: "${KEY}", enabled: true }) { __typename } }`,
      {},
      keys.admin,
    );
    expect(schedule.errors).toBeUndefined();
    expect(schedule.data.updateFeedSchedule).toEqual({ __typename: 'MutationUpdateFeedScheduleSuccess' });
  });

  it.each([
    ['a forged cursor', 'runs(after: "Zm9yZ2Vk") { totalCount }', 'after'],
    [
      'an Event cursor',
      `runs(after: "${Buffer.from('Event:id:1').toString('base64')}") { totalCount }`,
      'after',
    ],
    ['a negative page size', 'runs(first: -1) { totalCount }', 'first'],
  ])(
    'refuses a mutation whose result selection carries %s, before anything is written, over HTTP and a socket',
    async (_what, selection, argument) => {
      const before = await runsOf();
      const mutation = `mutation { triggerIngestRun(input: { sourceKey: "${KEY}" }) {
          ... on MutationTriggerIngestRunSuccess { data { source { ${selection} } } } } }`;
      const res = await api.gql(mutation, {}, keys.admin);
      expect(res.status).toBe(400);
      expect(res.data).toBeUndefined();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
      const socket = openSocket(api, { authorization: `Bearer ${keys.admin}` });
      try {
        const ws = await socket.run(mutation);
        expect(ws.data).toBeUndefined();
        expect(ws.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
      } finally {
        await socket.close();
      }
      expect(await runsOf()).toBe(before);
    },
  );
});

describe('triggerIngestRun', () => {
  it('queues a run now and returns its number', async () => {
    const res = await api.gql(TRIGGER, { input: { sourceKey: KEY } }, keys.admin);
    expect(res.data.triggerIngestRun).toMatchObject({
      __typename: 'MutationTriggerIngestRunSuccess',
      data: { status: 'QUEUED', trigger: 'MANUAL', requestedAsOf: null, source: { key: KEY } },
    });
    const runId = res.data.triggerIngestRun.data.runId;
    const job = await sharedProducer().queue('ingest').getJob(`run.${runId}`);
    // Beside the payload, the id of the request that queued it (its logs and the job's join on it).
    expect(job?.data).toEqual({ runId, requestId: res.headers.get('x-request-id') });
  });

  it('queues a replay as of a date', async () => {
    const res = await api.gql(TRIGGER, { input: { sourceKey: KEY, asOf: '2023-09-09' } }, keys.admin);
    expect(res.data.triggerIngestRun.data).toMatchObject({ trigger: 'REPLAY', requestedAsOf: '2023-09-09' });
  });

  it('answers typed errors for an unknown source or a future date, and queues nothing', async () => {
    const before = await prisma.ingestRun.count();
    const unknown = await api.gql(TRIGGER, { input: { sourceKey: 'nope.D999.2023' } }, keys.admin);
    expect(unknown.data.triggerIngestRun).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const future = await api.gql(TRIGGER, { input: { sourceKey: KEY, asOf: '2999-01-01' } }, keys.admin);
    expect(future.data.triggerIngestRun).toMatchObject({ __typename: 'ValidationError', field: 'asOf' });
    expect(await prisma.ingestRun.count()).toBe(before);
  });

  it('is refused to analysts', async () => {
    const res = await api.gql(TRIGGER, { input: { sourceKey: KEY } }, keys.analyst);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

const REPLAY_YEAR = `mutation ($input: ReplayFiscalYearInput!) {
  replayFiscalYear(input: $input) {
    __typename
    ... on MutationReplayFiscalYearSuccess { data { runId status trigger requestedAsOf source { key fiscalYear } } }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}`;

describe('replayFiscalYear', () => {
  it('queues a replay of every source of the year as of one date, a run each', async () => {
    const sources = await prisma.feedSource.findMany({ where: { fiscalYear: 2023, enabled: true } });
    const res = await api.gql(REPLAY_YEAR, { input: { fiscalYear: 2023, asOf: '2023-10-15' } }, keys.admin);
    expect(res.data.replayFiscalYear.__typename).toBe('MutationReplayFiscalYearSuccess');
    const runs = res.data.replayFiscalYear.data as Array<{ runId: number; source: { key: string } }>;
    expect(runs.map((r) => r.source.key).sort()).toEqual(sources.map((s) => s.key).sort());
    for (const run of runs) {
      expect(run).toMatchObject({ status: 'QUEUED', trigger: 'REPLAY', requestedAsOf: '2023-10-15' });
      expect((await sharedProducer().queue('ingest').getJob(`run.${run.runId}`))?.data).toMatchObject({
        runId: run.runId,
      });
    }
  });

  it('answers typed errors for a year no source holds or a future date, and queues nothing', async () => {
    const before = await prisma.ingestRun.count();
    const none = await api.gql(REPLAY_YEAR, { input: { fiscalYear: 1999, asOf: '2023-10-15' } }, keys.admin);
    expect(none.data.replayFiscalYear).toMatchObject({ __typename: 'ValidationError', field: 'year' });
    const future = await api.gql(
      REPLAY_YEAR,
      { input: { fiscalYear: 2023, asOf: '2999-01-01' } },
      keys.admin,
    );
    expect(future.data.replayFiscalYear).toMatchObject({ __typename: 'ValidationError', field: 'asOf' });
    expect(await prisma.ingestRun.count()).toBe(before);
  });

  it('is refused to analysts', async () => {
    const res = await api.gql(REPLAY_YEAR, { input: { fiscalYear: 2023, asOf: '2023-10-15' } }, keys.analyst);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('updateFeedSchedule', () => {
  it('changes the schedule and its job scheduler at once', async () => {
    const input = { sourceKey: KEY, cron: '15 7 * * *', timezone: 'Asia/Makassar', catchUp: 'BACKFILL' };
    const res = await api.gql(SCHEDULE, { input }, keys.admin);
    expect(res.data.updateFeedSchedule).toMatchObject({
      __typename: 'MutationUpdateFeedScheduleSuccess',
      data: {
        key: KEY,
        cron: '15 7 * * *',
        timezone: 'Asia/Makassar',
        catchUp: 'BACKFILL',
        customSchedule: true,
      },
    });
    // 07:15 in Makassar (UTC+8) is 23:15 UTC.
    const next = new Date(res.data.updateFeedSchedule.data.nextRunAt);
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([23, 15]);
    expect(await sharedProducer().queue('ingest').getJobScheduler(schedulerId(KEY))).toMatchObject({
      pattern: '15 7 * * *',
      tz: 'Asia/Makassar',
    });
  });

  it('refuses a bad pattern with the field at fault and changes nothing', async () => {
    const res = await api.gql(SCHEDULE, { input: { sourceKey: KEY, cron: 'every hour' } }, keys.admin);
    expect(res.data.updateFeedSchedule).toMatchObject({ __typename: 'ValidationError', field: 'input.cron' });
    expect((await prisma.feedSource.findUniqueOrThrow({ where: { key: KEY } })).cron).toBe('15 7 * * *');
  });
});

const DECIDE = `mutation ($input: DecideHeldIngestRunInput!) {
  decideHeldIngestRun(input: $input) {
    __typename
    ... on MutationDecideHeldIngestRunSuccess { data { runId status withdrawn decidedAt decisionNote appliedAt } }
    ... on Error { code message }
  }
}`;

const HELD = `query ($runId: Int!) {
  ingestRun(runId: $runId) {
    status heldReason expectedRows keylessRows appliedAt
    attemptHistory { attempt outcome error finishedAt }
  }
}`;

describe('a held snapshot', () => {
  async function heldPull(): Promise<Run> {
    const outcome = await pull(
      { sourceKey: KEY, trigger: 'STARTUP', jobKey: `graph.held.${Date.now()}` },
      { feed: { baseUrl: sim.url }, params: { fault_emptySnapshot: '1' } },
    );
    if (outcome.outcome !== 'finished') throw new Error(outcome.outcome);
    expect(outcome.run.status).toBe('HELD');
    return outcome.run;
  }

  it('shows analysts why it is held and every attempt; only an admin decides, and a discard changes no item', async () => {
    const held = await heldPull();
    const seen = await api.gql(HELD, { runId: held.id }, keys.analyst);
    expect(seen.errors).toBeUndefined();
    expect(seen.data.ingestRun).toMatchObject({
      status: 'HELD',
      heldReason: expect.stringMatching(/empty/),
      keylessRows: 0,
      appliedAt: null,
      attemptHistory: [{ attempt: 1, outcome: 'HELD' }],
    });

    const refused = await api.gql(DECIDE, { input: { runId: held.id, decision: 'DISCARD' } }, keys.analyst);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const live = await prisma.procurementItem.count({ where: { withdrawnAt: null } });
    const res = await api.gql(
      DECIDE,
      { input: { runId: held.id, decision: 'DISCARD', note: 'the feed was down' } },
      keys.admin,
    );
    expect(res.data.decideHeldIngestRun).toMatchObject({
      __typename: 'MutationDecideHeldIngestRunSuccess',
      data: { status: 'CANCELLED', decisionNote: 'the feed was down', appliedAt: null },
    });
    expect(await prisma.procurementItem.count({ where: { withdrawnAt: null } })).toBe(live);
    const again = await api.gql(DECIDE, { input: { runId: held.id, decision: 'APPROVE' } }, keys.admin);
    expect(again.data.decideHeldIngestRun).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
  });

  it('applies it when an admin approves', async () => {
    const held = await heldPull();
    const res = await api.gql(DECIDE, { input: { runId: held.id, decision: 'APPROVE' } }, keys.admin);
    expect(res.data.decideHeldIngestRun).toMatchObject({
      data: { status: 'SUCCEEDED', withdrawn: run.inserted, appliedAt: expect.any(String) },
    });
    const live = await prisma.procurementItem.count({
      where: { dataset: 'tender/pencatatan-non-tender', fiscalYear: 2023, withdrawnAt: null },
    });
    expect(live).toBe(0);
  });
});
