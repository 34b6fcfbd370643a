// Proof of the KPI version model under operations: random, seeded sequences of live pulls (with
// changes, withdrawals or none), file imports, replays of every source (or of one) as of an
// earlier date, catch-ups after missed slots (BACKFILL: replays then a pull of the current data;
// RUN_ONCE: one pull), official-commitment changes, approvals, rejections, rollbacks, and full or
// incremental recomputes from the worker's processor, the CLI command and the service. After
// every step: (a) the answer without a date equals a from-scratch computation over the accepted
// items, dated by the snapshots; (b) every answer published for (year, D) still reads the same;
// (c) nothing was published that equals what it replaces. After every recompute the items hold
// every source's latest snapshot again: no replay stays in them, and no year waits.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Job } from 'bullmq';
import fc from 'fast-check';
import { recompute as recomputeCommand } from '../../src/cli/kpi.js';
import { Producer } from '../../src/jobs/producer.js';
import { closeDb, pool } from '../../src/lib/db.js';
import { ConflictError } from '../../src/lib/errors.js';
import { createRedis } from '../../src/lib/redis.js';
import { backfillPlan } from '../../src/services/ingest/schedule.js';
import { pickVersion } from '../../src/services/kpi/read.js';
import { type RecomputeResult, recomputeKpis } from '../../src/services/kpi/recompute.js';
import { approveRevision, rejectRevision, rollbackRevision } from '../../src/services/kpi/revisions.js';
import { createProcessors } from '../../src/worker/processors.js';
import {
  createAgency,
  createRun,
  type ItemSpec,
  setTarget,
  upsertItems,
  withdrawItems,
} from '../factories/kpi-items.js';
import {
  pendingAggregates,
  pendingCommitments,
  scratchAggregates,
  scratchCommitments,
} from '../factories/kpi-scratch.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

const YEAR = 2023;
const SEED = 1907;
const RUNS = Number(process.env.KPI_PROPERTY_RUNS ?? 200);

const SOURCES = [
  { dataset: 'tender/tender-ekontrak-kontrak', kind: 'REALISATION' as const, prefix: 'r', keys: 5 },
  { dataset: 'rup/paket-penyedia-terumumkan', kind: 'PLAN' as const, prefix: 'p', keys: 2 },
];

let agencies: number[] = [];
let connection: ReturnType<typeof createRedis>;
let processors: ReturnType<typeof createProcessors>;

beforeAll(async () => {
  await createTestDatabase();
  agencies = [(await createAgency()).id, (await createAgency()).id];
  connection = createRedis('worker');
  processors = createProcessors({
    producer: new Producer(connection),
    shutdown: new AbortController().signal,
  });
});
afterAll(async () => {
  connection?.disconnect();
  await flushTestPrefix();
  await closeDb();
});

// ------------------------------------------------------------------------------ operations

interface Row {
  agency: number;
  value: string;
  day: number;
}
type Change = { key: number; row: Row | null };
type Op =
  /** A live pull (or a file import of the same snapshot). */
  | { type: 'pull'; source: number; changes: Change[]; days: number; file: boolean }
  /** Missed daily slots caught up by the source's policy; the latest slot is today. */
  | { type: 'catchUp'; source: number; policy: 'BACKFILL' | 'RUN_ONCE'; slots: number; changes: Change[] }
  /**
   * A snapshot that lost most realisation rows: the drift rules hold what follows from it. One
   * that cannot be taken back (applied before the item journal existed) stays quarantined when
   * rejected, and holds every later recompute until an approval.
   */
  | { type: 'shrink'; keep: number; days: number; undoable: boolean }
  | { type: 'replay'; all: boolean; source: number; back: number }
  | { type: 'official'; value: string | null }
  | { type: 'recompute'; path: 'worker' | 'cli' | 'service'; full: boolean; withRuns: boolean }
  | { type: 'approve' }
  | { type: 'reject' }
  | { type: 'rollback' };

const rowArb: fc.Arbitrary<Row> = fc.record({
  agency: fc.integer({ min: 0, max: 1 }),
  value: fc.integer({ min: 1, max: 9_000 }).map((n) => `${n}.00`),
  day: fc.integer({ min: 0, max: 300 }),
});
const changeArb = (keys: number): fc.Arbitrary<Change> =>
  fc.record({ key: fc.integer({ min: 0, max: keys - 1 }), row: fc.option(rowArb, { freq: 4 }) });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.integer({ min: 0, max: SOURCES.length - 1 }).chain((source) =>
      fc.record({
        type: fc.constant('pull' as const),
        source: fc.constant(source),
        // An empty list is a pull that changes nothing.
        changes: fc.array(changeArb(SOURCES[source]!.keys), { maxLength: 3 }),
        days: fc.integer({ min: 0, max: 40 }),
        // A file import of the same snapshot: dated by its rows, never by the day of the import.
        file: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      }),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 0, max: SOURCES.length - 1 }).chain((source) =>
      fc.record({
        type: fc.constant('catchUp' as const),
        source: fc.constant(source),
        policy: fc.constantFrom('BACKFILL' as const, 'RUN_ONCE' as const),
        slots: fc.integer({ min: 1, max: 4 }),
        changes: fc.array(changeArb(SOURCES[source]!.keys), { maxLength: 2 }),
      }),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('shrink' as const),
      keep: fc.integer({ min: 0, max: 4 }),
      days: fc.integer({ min: 0, max: 20 }),
      undoable: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('replay' as const),
      all: fc.boolean(),
      source: fc.integer({ min: 0, max: SOURCES.length - 1 }),
      back: fc.integer({ min: 0, max: 6 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('official' as const),
      value: fc.constantFrom('15800.00', '20000.00', null),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant('recompute' as const),
      path: fc.constantFrom('worker' as const, 'cli' as const, 'service' as const),
      full: fc.boolean(),
      withRuns: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'approve' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'reject' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'rollback' as const }) },
);

/**
 * Sequences every run checks besides the random ones, so each decision path is taken whatever
 * the seed: a snapshot that lost most rows is held, rejected and cannot be taken back (it was
 * applied before the journal), so the next recompute is held for it until an admin approves;
 * then a published version is rolled back and its runs taken back.
 */
const row = (agency: number, value: string, day: number): Row => ({ agency, value, day });
const EXAMPLES: Op[][] = [
  [
    {
      type: 'pull',
      source: 0,
      changes: [0, 1, 2, 3].map((key) => ({ key, row: row(key % 2, `${1000 + key}.00`, 20 + key) })),
      days: 0,
      file: false,
    },
    { type: 'pull', source: 1, changes: [{ key: 0, row: row(0, '9000.00', 5) }], days: 0, file: false },
    { type: 'recompute', path: 'service', full: false, withRuns: true },
    { type: 'shrink', keep: 0, days: 1, undoable: false },
    { type: 'recompute', path: 'worker', full: false, withRuns: true },
    { type: 'reject' },
    { type: 'pull', source: 1, changes: [{ key: 1, row: row(1, '500.00', 6) }], days: 1, file: false },
    { type: 'recompute', path: 'service', full: false, withRuns: false },
    { type: 'recompute', path: 'cli', full: true, withRuns: false },
    { type: 'approve' },
    { type: 'pull', source: 0, changes: [{ key: 4, row: row(0, '70.00', 30) }], days: 1, file: false },
    { type: 'recompute', path: 'service', full: true, withRuns: false },
    { type: 'rollback' },
    { type: 'recompute', path: 'worker', full: false, withRuns: false },
  ],
];

// ----------------------------------------------------------------------------------- model

/** What each source's feed said, by date: a replay as of D reads the state it had on D. */
interface Feed {
  history: Array<{ asOf: string; state: Map<number, Row> }>;
}

const dayToDate = (day: number) => new Date(Date.UTC(YEAR, 0, 1 + day)).toISOString().slice(0, 10);
const dateToDay = (date: string) =>
  Math.round((Date.parse(`${date}T00:00:00Z`) - Date.UTC(YEAR, 0, 1)) / 86_400_000);

function spec(source: (typeof SOURCES)[number], key: number, row: Row): ItemSpec {
  return {
    dataset: source.dataset,
    sourceKey: `${source.prefix}${key}`,
    kind: source.kind,
    fiscalYear: YEAR,
    agencyId: agencies[row.agency]!,
    value: row.value,
    pdnValue: row.value,
    itemDate: dayToDate(row.day),
  };
}

/** The rows a source's stored items hold now (what the snapshot they stand for said). */
async function storedRows(index: number): Promise<Map<number, Row>> {
  const source = SOURCES[index]!;
  const { rows } = await pool.query<{
    source_key: string;
    agency_id: number;
    value: string;
    item_date: string;
  }>(
    `SELECT source_key, agency_id, value::text, to_char(item_date, 'YYYY-MM-DD') AS item_date
     FROM procurement_item WHERE dataset = $1 AND withdrawn_at IS NULL`,
    [source.dataset],
  );
  return new Map(
    rows.map((r) => [
      Number(r.source_key.slice(source.prefix.length)),
      { agency: agencies.indexOf(r.agency_id), value: r.value, day: dateToDay(r.item_date) },
    ]),
  );
}

class World {
  feeds: Feed[] = SOURCES.map(() => ({ history: [] }));
  today = 40;
  pendingRuns: number[] = [];
  rolledBack = false;

  async write(
    index: number,
    state: Map<number, Row>,
    asOf: string,
    requestedAsOf: string | null,
    trigger: 'SCHEDULE' | 'REPLAY' | 'CATCH_UP' | 'FILE' = requestedAsOf ? 'REPLAY' : 'SCHEDULE',
    undoable = true,
  ) {
    const source = SOURCES[index]!;
    const run = await createRun({
      dataset: source.dataset,
      fiscalYear: YEAR,
      asOf,
      requestedAsOf,
      trigger,
      applied: undoable,
    });
    const stored = await storedRows(index);
    const upserts: ItemSpec[] = [];
    for (const [key, row] of state) {
      const old = stored.get(key);
      if (!old || old.agency !== row.agency || old.value !== row.value || old.day !== row.day)
        upserts.push(spec(source, key, row));
    }
    const gone = [...stored.keys()].filter((k) => !state.has(k));
    if (upserts.length) await upsertItems(upserts, run);
    if (gone.length)
      await withdrawItems(
        gone.map((k) => ({ dataset: source.dataset, sourceKey: `${source.prefix}${k}` })),
        run,
      );
    this.pendingRuns.push(run);
  }
}

/**
 * Per source, the snapshot its items hold (the last run applied and not taken back) and whether
 * that is its latest one: a replay stands for the date it asked for, any other snapshot for the
 * feed's current data, newer than every replay.
 */
async function holdings(): Promise<Array<{ as_of: string | null; latest: boolean }>> {
  const { rows } = await pool.query<{ as_of: string | null; latest: boolean }>(
    `WITH runs AS (
       SELECT id, source_id, as_of, finished_at, coalesce(requested_as_of, DATE '9999-12-31') AS stands
       FROM ingest_run WHERE status = 'SUCCEEDED' AND reverted_at IS NULL
     ), last AS (
       SELECT DISTINCT ON (source_id) * FROM runs ORDER BY source_id, finished_at DESC, id DESC
     )
     SELECT to_char(l.as_of, 'YYYY-MM-DD') AS as_of,
       l.stands >= (SELECT max(stands) FROM runs r WHERE r.source_id = l.source_id) AS latest
     FROM last l`,
  );
  return rows;
}

/** The date the current figures stand for: the newest snapshot the items hold, capped at the year's end. */
async function currentAsOf(): Promise<string | null> {
  const dates = (await holdings()).map((h) => h.as_of).filter((d): d is string => d !== null);
  if (dates.length === 0) return null;
  const newest = dates.sort().at(-1)!;
  return newest > `${YEAR}-12-31` ? `${YEAR}-12-31` : newest;
}

// ---------------------------------------------------------------------------------- checks

async function yearRows(version: number): Promise<string> {
  const [agg, com] = await Promise.all([
    pool.query(
      `SELECT month, agency_id, channel::text, vendor_scale::text, total_value::text, pdn_value::text, item_count
       FROM kpi_aggregate WHERE fiscal_year = $1 AND version_from <= $2 AND (version_to IS NULL OR version_to > $2)
       ORDER BY 1, 2, 3, 4`,
      [YEAR, version],
    ),
    pool.query(
      `SELECT agency_id, value::text, package_count, official_value::text FROM kpi_commitment
       WHERE fiscal_year = $1 AND version_from <= $2 AND (version_to IS NULL OR version_to > $2) ORDER BY 1`,
      [YEAR, version],
    ),
  ]);
  return JSON.stringify([agg.rows, com.rows]);
}

/** The year computed from scratch over the stored items and today's official commitments. */
async function scratchRows(): Promise<string> {
  const [agg, com] = await Promise.all([
    pool.query(
      `SELECT extract(month FROM item_date)::int AS month, agency_id, channel::text, vendor_scale::text,
         sum(value)::numeric(20,2)::text AS total_value, sum(pdn_value)::numeric(20,2)::text AS pdn_value,
         count(*)::int AS item_count
       FROM procurement_item WHERE fiscal_year = $1 AND kind = 'REALISATION' AND counted AND withdrawn_at IS NULL
       GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      [YEAR],
    ),
    pool.query(
      `SELECT coalesce(p.agency_id, t.agency_id) AS agency_id, coalesce(p.value, 0)::numeric(20,2)::text AS value,
         coalesce(p.package_count, 0) AS package_count, t.official_commitment::text AS official_value
       FROM (SELECT agency_id, sum(pdn_value) AS value, count(*)::int AS package_count FROM procurement_item
             WHERE fiscal_year = $1 AND kind = 'PLAN' AND counted AND withdrawn_at IS NULL GROUP BY 1) p
       FULL JOIN (SELECT agency_id, official_commitment FROM fiscal_target
                  WHERE fiscal_year = $1 AND official_commitment IS NOT NULL) t ON t.agency_id = p.agency_id
       ORDER BY 1`,
      [YEAR],
    ),
  ]);
  return JSON.stringify([agg.rows, com.rows]);
}

async function statusOf(version: number): Promise<string> {
  const { rows } = await pool.query<{ status: string }>(
    'SELECT status::text FROM kpi_version WHERE id = $1',
    [version],
  );
  return rows[0]!.status;
}

async function publishedIds(): Promise<Set<number>> {
  const { rows } = await pool.query<{ id: number }>(`SELECT id FROM kpi_version WHERE status = 'PUBLISHED'`);
  return new Set(rows.map((r) => r.id));
}

/** Whether the year can be read as accepted: nothing held, waiting, quarantined or rolled back. */
async function accepted(world: World, last: RecomputeResult | null): Promise<boolean> {
  if (!last || last.status === 'HELD' || last.waitingYears?.length || world.rolledBack) return false;
  const held = await pool.query(`SELECT 1 FROM kpi_version WHERE status = 'HELD'`);
  if (held.rows.length) return false;
  const blocked = await pool.query(
    `SELECT 1 FROM kpi_run_quarantine q WHERE q.released_at IS NULL AND q.run_id IN (
       SELECT DISTINCT ON (source_id) id FROM ingest_run WHERE status = 'SUCCEEDED' AND reverted_at IS NULL
       ORDER BY source_id, finished_at DESC, id DESC)`,
  );
  return blocked.rows.length === 0;
}

/** Empties what a sequence wrote (DELETE: on these few rows far cheaper than TRUNCATE). */
async function reset(): Promise<void> {
  await pool.query(`DELETE FROM ingest_item_journal; DELETE FROM kpi_run_quarantine; DELETE FROM kpi_run_consumed;
    DELETE FROM kpi_version_year;
    DELETE FROM kpi_aggregate; DELETE FROM kpi_commitment; DELETE FROM kpi_version; DELETE FROM kpi_dirty_bucket;
    DELETE FROM procurement_item; DELETE FROM kpi_item_delta; DELETE FROM kpi_commitment_delta; DELETE FROM fiscal_target;
    DELETE FROM ingest_run; DELETE FROM feed_source`);
}

// ------------------------------------------------------------------------------------ steps

async function recompute(world: World, op: Extract<Op, { type: 'recompute' }>): Promise<RecomputeResult> {
  const runIds = op.withRuns && world.pendingRuns.length ? [...world.pendingRuns] : undefined;
  world.pendingRuns = [];
  if (op.path === 'service')
    return recomputeKpis({ reason: 'property', full: op.full, ...(runIds ? { runIds } : {}) });
  if (op.path === 'worker') {
    const job = {
      name: 'recompute',
      data: { reason: 'property', full: op.full, ...(runIds ? { runIds } : {}) },
    };
    return (await processors.kpi(job as unknown as Job)) as RecomputeResult;
  }
  // The CLI prints what readers see; the printed published version must be the published one.
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await recomputeCommand.run({ full: op.full, ...(runIds ? { runs: runIds.join(',') } : {}) }, []);
  } finally {
    process.stdout.write = write;
  }
  const text = lines.join('');
  const shown =
    /readers still see data version (\d+)|^data version (\d+) published|^no change: data version (\d+)/.exec(
      text,
    );
  expect(shown).not.toBeNull();
  const version = Number(shown![1] ?? shown![2] ?? shown![3]);
  if (version > 0) expect(await statusOf(version)).toBe('PUBLISHED');
  const held = /^data version (\d+) held/.exec(text);
  return held
    ? { version: Number(held[1]), touchedBuckets: 0, status: 'HELD' }
    : {
        version,
        touchedBuckets: 0,
        status: 'PUBLISHED',
        ...(/waiting:/.test(text) ? { waitingYears: [YEAR] } : {}),
        ...(/^live state restored: replayed run\(s\) [\d, ]+ taken back$/m.test(text)
          ? { restoredRuns: [0] }
          : {}),
      };
}

async function apply(world: World, op: Op): Promise<RecomputeResult | null> {
  switch (op.type) {
    case 'pull': {
      world.today += op.days;
      const feed = world.feeds[op.source]!;
      const state = new Map(feed.history.at(-1)?.state ?? []);
      for (const c of op.changes) {
        if (c.row) state.set(c.key, c.row);
        else state.delete(c.key);
      }
      const asOf = dayToDate(world.today);
      feed.history.push({ asOf, state });
      // A file (never empty: an empty one fails) is dated by its rows, the latest item date,
      // never by the day it was imported.
      if (!op.file || state.size === 0) await world.write(op.source, state, asOf, null);
      else {
        // Its date is the latest item date, never after the day it is read (as DataAsOf reads it).
        const latest = Math.min(world.today, Math.max(...[...state.values()].map((r) => r.day)));
        await world.write(op.source, state, dayToDate(latest), null, 'FILE');
        seen.files += 1;
      }
      return null;
    }
    case 'catchUp': {
      // Missed daily slots up to today, each at 10:00 in Jakarta; the source's policy runs them.
      const feed = world.feeds[op.source]!;
      const slots = Array.from({ length: op.slots }, (_, i) =>
        new Date(Date.UTC(YEAR, 0, 1 + world.today - (op.slots - 1 - i), 3)).toISOString(),
      );
      const plan =
        op.policy === 'BACKFILL'
          ? backfillPlan(slots, 'Asia/Jakarta')
          : [{ at: new Date(slots.at(-1)!), requestedAsOf: null }];
      for (const step of plan) {
        if (step.requestedAsOf !== null) {
          const past = feed.history.filter((h) => h.asOf <= step.requestedAsOf!).at(-1)?.state ?? new Map();
          await world.write(op.source, past, step.requestedAsOf, step.requestedAsOf, 'CATCH_UP');
          continue;
        }
        const state = new Map(feed.history.at(-1)?.state ?? []);
        for (const c of op.changes) {
          if (c.row) state.set(c.key, c.row);
          else state.delete(c.key);
        }
        const asOf = dayToDate(world.today);
        feed.history.push({ asOf, state });
        await world.write(op.source, state, asOf, null, 'CATCH_UP');
      }
      seen.catchUps += 1;
      return null;
    }
    case 'shrink': {
      world.today += op.days;
      const feed = world.feeds[0]!;
      const previous = feed.history.at(-1)?.state ?? new Map<number, Row>();
      const state = new Map([...previous].filter(([key]) => key === op.keep));
      const asOf = dayToDate(world.today);
      feed.history.push({ asOf, state });
      await world.write(0, state, asOf, null, 'SCHEDULE', op.undoable);
      return null;
    }
    case 'replay': {
      const asOf = dayToDate(Math.max(0, world.today - op.back * 15));
      const sources = op.all ? SOURCES.map((_, i) => i) : [op.source];
      for (const i of sources) {
        const past = world.feeds[i]!.history.filter((h) => h.asOf <= asOf).at(-1)?.state ?? new Map();
        await world.write(i, past, asOf, asOf);
      }
      return null;
    }
    case 'official':
      await setTarget({ fiscalYear: YEAR, agencyId: agencies[0]!, officialCommitment: op.value });
      return null;
    case 'recompute':
      return recompute(world, op);
    case 'approve':
    case 'reject': {
      const { rows } = await pool.query<{ id: number }>(
        `SELECT id FROM kpi_version WHERE status = 'HELD' ORDER BY id DESC LIMIT 1`,
      );
      if (!rows[0]) return null;
      if (op.type === 'approve') await approveRevision(rows[0].id, { by: 'property' });
      else await rejectRevision(rows[0].id, { by: 'property' });
      seen[op.type === 'approve' ? 'approved' : 'rejected'] += 1;
      return null;
    }
    case 'rollback':
      try {
        await rollbackRevision({ by: 'property' });
        world.rolledBack = true;
        seen.rolledBack += 1;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
      return null;
  }
}

/** How often each situation occurred over all sequences: the property must not hold vacuously. */
const seen = {
  currentChecked: 0,
  catchUps: 0,
  files: 0,
  restored: 0,
  restatements: 0,
  confirmations: 0,
  held: 0,
  answersReread: 0,
  approved: 0,
  rejected: 0,
  rolledBack: 0,
  quarantineHeld: 0,
};

describe('KPI versions under operations (property)', () => {
  it('current is the accepted live state dated by its snapshots, published answers never change, and nothing unchanged is published', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 12, size: 'max' }), async (ops) => {
        await reset();
        const world = new World();
        /** (year, D) → the version and figures answered for it. */
        const answers = new Map<string, { version: number; rows: string }>();
        let last: RecomputeResult | null = null;
        for (const op of ops) {
          const before = await pickVersion(YEAR);
          const beforeRows = before ? await yearRows(before.version) : null;
          const publishedBefore = await publishedIds();
          const answersBefore = new Map(answers);

          const result = await apply(world, op);
          // The delta invariant, whatever the step wrote (pulls, replays, reverts, restores):
          // the current aggregates plus the pending item deltas equal the items.
          expect(await pendingAggregates()).toEqual(await scratchAggregates());
          expect(await pendingCommitments()).toEqual(await scratchCommitments());
          if (op.type === 'recompute') {
            last = result;
            // A replay never stays in the items: after every recompute each source holds its
            // latest snapshot again, and no year waits for live pulls.
            expect(result?.waitingYears ?? []).toEqual([]);
            expect((await holdings()).every((h) => h.latest)).toBe(true);
            if (result?.restoredRuns?.length) seen.restored += 1;
            if (result?.status === 'HELD') seen.held += 1;
            if (result?.heldReasons?.some((r) => r.rule === 'QUARANTINED_RUN')) seen.quarantineHeld += 1;
          } else if (op.type !== 'approve') last = null;

          // (c) Whatever became published in this step differs from what it replaces.
          for (const id of await publishedIds()) {
            if (publishedBefore.has(id)) continue;
            const { rows } = await pool.query<{ live: boolean; as_of: string | null }>(
              'SELECT live, as_of FROM kpi_version_year WHERE version_id = $1 AND fiscal_year = $2',
              [id, YEAR],
            );
            const year = rows[0];
            if (!year) continue;
            if (year.live && beforeRows !== null) expect(await yearRows(id)).not.toBe(beforeRows);
            const restated = year.as_of ? answersBefore.get(year.as_of) : undefined;
            if (!year.live) seen.restatements += 1;
            if (!year.live && restated && (await statusOf(restated.version)) === 'PUBLISHED')
              expect(await yearRows(id)).not.toBe(restated.rows);
          }
          const now = await pickVersion(YEAR);
          if (now && before && now.version > before.version) world.rolledBack = false;

          // (a) Without a date: the accepted live state, dated by the data.
          if (now?.confirmedAt && now.confirmedAt.getTime() !== before?.confirmedAt?.getTime())
            seen.confirmations += 1;
          if (op.type === 'recompute' && (await accepted(world, last))) {
            seen.currentChecked += 1;
            if (now === null) expect(await scratchRows()).toBe('[[],[]]');
            else {
              expect(await yearRows(now.version)).toBe(await scratchRows());
              expect(now.asOf).toBe(await currentAsOf());
              expect(now.live).toBe(true);
            }
          }

          // (b) Every answer published for a date reads the same, unless its version was rolled back.
          for (const [date, answer] of answers) {
            if ((await statusOf(answer.version)) !== 'PUBLISHED') {
              answers.delete(date);
              continue;
            }
            const pick = await pickVersion(YEAR, date);
            seen.answersReread += 1;
            expect(pick?.version).toBe(answer.version);
            expect(await yearRows(answer.version)).toBe(answer.rows);
          }
          const { rows: dates } = await pool.query<{ as_of: string }>(
            `SELECT DISTINCT y.as_of FROM kpi_version_year y JOIN kpi_version v ON v.id = y.version_id
             WHERE y.fiscal_year = $1 AND v.status = 'PUBLISHED' AND y.as_of IS NOT NULL`,
            [YEAR],
          );
          for (const { as_of: date } of dates) {
            if (answers.has(date)) continue;
            const pick = (await pickVersion(YEAR, date))!;
            answers.set(date, { version: pick.version, rows: await yearRows(pick.version) });
          }
        }
      }),
      { numRuns: RUNS, seed: SEED, examples: EXAMPLES.map((ops) => [ops]) },
    );
    for (const [situation, count] of Object.entries(seen))
      expect([situation, count]).not.toEqual([situation, 0]);
  }, 600_000);
});
