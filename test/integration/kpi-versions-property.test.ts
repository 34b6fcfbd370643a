// Proof of the KPI version model under operations: random, seeded sequences of live pulls (with
// changes, withdrawals or none), replays of every source (or of one) as of an earlier date,
// official-commitment changes, approvals, rejections, rollbacks, and full or incremental
// recomputes from the worker's processor, the CLI command and the service. After every step:
// (a) the answer without a date equals a from-scratch computation over the accepted items, dated
// by the snapshots; (b) every answer published for (year, D) still reads the same; (c) nothing was
// published that equals what it replaces.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Job } from 'bullmq';
import fc from 'fast-check';
import { recompute as recomputeCommand } from '../../src/cli/kpi.js';
import { Producer } from '../../src/jobs/producer.js';
import { closeDb, pool } from '../../src/lib/db.js';
import { ConflictError } from '../../src/lib/errors.js';
import { createRedis } from '../../src/lib/redis.js';
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
  | { type: 'pull'; source: number; changes: Change[]; days: number }
  /** A snapshot that lost most realisation rows: the drift rules hold what follows from it. */
  | { type: 'shrink'; keep: number; days: number }
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
      }),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('shrink' as const),
      keep: fc.integer({ min: 0, max: 4 }),
      days: fc.integer({ min: 0, max: 20 }),
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

// ----------------------------------------------------------------------------------- model

/** What each source's feed said, by date: a replay as of D reads the state it had on D. */
interface Feed {
  history: Array<{ asOf: string; state: Map<number, Row> }>;
  /** The as-of date of the snapshot the stored items hold. */
  itemsAsOf: string | null;
  /**
   * The date each snapshot written stands for: a replay its date, a live pull the day it ran (the
   * feed's current data, newer than any replay), so the last one is the latest or an older one.
   */
  stands: string[];
}

const LIVE_PULL = '9999-12-31';

const dayToDate = (day: number) => new Date(Date.UTC(YEAR, 0, 1 + day)).toISOString().slice(0, 10);

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

class World {
  feeds: Feed[] = SOURCES.map(() => ({ history: [], itemsAsOf: null, stands: [] }));
  /** The rows the stored items hold, per source (what the last snapshot written said). */
  stored: Array<Map<number, Row>> = SOURCES.map(() => new Map());
  today = 40;
  pendingRuns: number[] = [];
  rolledBack = false;

  async write(index: number, state: Map<number, Row>, asOf: string, requestedAsOf: string | null) {
    const source = SOURCES[index]!;
    const run = await createRun({ dataset: source.dataset, fiscalYear: YEAR, asOf, requestedAsOf });
    const stored = this.stored[index]!;
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
    this.stored[index] = new Map(state);
    const feed = this.feeds[index]!;
    feed.itemsAsOf = asOf;
    feed.stands.push(requestedAsOf ?? LIVE_PULL);
    this.pendingRuns.push(run);
  }

  /** Every source's items hold its latest snapshot. */
  live(): boolean {
    return this.feeds.every((f) => f.stands.length === 0 || f.stands.at(-1)! >= [...f.stands].sort().at(-1)!);
  }

  /** The date the current figures stand for: the newest snapshot the items hold, capped at the year's end. */
  currentAsOf(): string | null {
    const dates = this.feeds.map((f) => f.itemsAsOf).filter((d): d is string => d !== null);
    if (dates.length === 0) return null;
    const newest = dates.sort().at(-1)!;
    return newest > `${YEAR}-12-31` ? `${YEAR}-12-31` : newest;
  }
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
  if (!last || last.status === 'HELD' || last.waitingYears?.length || world.rolledBack || !world.live())
    return false;
  const held = await pool.query(`SELECT 1 FROM kpi_version WHERE status = 'HELD'`);
  if (held.rows.length) return false;
  const blocked = await pool.query(
    `SELECT 1 FROM kpi_run_quarantine q WHERE q.released_at IS NULL AND q.run_id IN (
       SELECT DISTINCT ON (source_id) id FROM ingest_run WHERE status = 'SUCCEEDED'
       ORDER BY source_id, finished_at DESC, id DESC)`,
  );
  return blocked.rows.length === 0;
}

/** Empties what a sequence wrote (DELETE: on these few rows far cheaper than TRUNCATE). */
async function reset(): Promise<void> {
  await pool.query(`DELETE FROM kpi_run_quarantine; DELETE FROM kpi_run_consumed; DELETE FROM kpi_version_year;
    DELETE FROM kpi_aggregate; DELETE FROM kpi_commitment; DELETE FROM kpi_version; DELETE FROM kpi_dirty_bucket;
    DELETE FROM procurement_item; DELETE FROM fiscal_target; DELETE FROM ingest_run; DELETE FROM feed_source`);
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
      await world.write(op.source, state, asOf, null);
      return null;
    }
    case 'shrink': {
      world.today += op.days;
      const feed = world.feeds[0]!;
      const previous = feed.history.at(-1)?.state ?? new Map<number, Row>();
      const state = new Map([...previous].filter(([key]) => key === op.keep));
      const asOf = dayToDate(world.today);
      feed.history.push({ asOf, state });
      await world.write(0, state, asOf, null);
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
  restatements: 0,
  confirmations: 0,
  held: 0,
  waiting: 0,
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
          if (op.type === 'recompute') {
            last = result;
            if (result?.status === 'HELD') seen.held += 1;
            if (result?.heldReasons?.some((r) => r.rule === 'QUARANTINED_RUN')) seen.quarantineHeld += 1;
            if (result?.waitingYears?.length) seen.waiting += 1;
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
              expect(now.asOf).toBe(world.currentAsOf());
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
      { numRuns: RUNS, seed: SEED },
    );
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(0);
  }, 600_000);
});
