// All-or-nothing ingest as a property: random sequences of clean, failing, early-ending, empty and
// changing pulls of one source over real HTTP (the simulator's faults), with held snapshots
// approved or discarded at random. After every step the live items are exactly the last accepted
// snapshot, a failed or held pull changed no item, and the recomputed KPIs equal a from-scratch
// computation over the items.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { loadDemoData } from '../../src/demo/seed.js';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { createFeedClient } from '../../src/feed/client.js';
import { closeDb } from '../../src/lib/db.js';
import { decideHeldRun } from '../../src/services/ingest/held.js';
import { pull } from '../../src/services/ingest/pull.js';
import { ensureSources, sourceKey } from '../../src/services/ingest/sources.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { approveRevision } from '../../src/services/kpi/revisions.js';
import {
  pendingAggregates,
  pendingCommitments,
  scratchAggregates,
  scratchCommitments,
  versionAggregates,
} from '../factories/kpi-scratch.js';
import { createTestDatabase } from '../helpers/db.js';
import { type Expected, expectedSnapshot, fullItemDump, KLPD, storedItems } from '../helpers/ingest.js';

const DATASET = 'tender/pencatatan-non-tender' as const;
const YEAR = 2023;
const KEY = sourceKey(DATASET, KLPD, YEAR);
const PAGE = 50;
/** Pages of the source's snapshot at that size (140 rows): faults aim at one of them. */
const PAGES = 3;
/** INGEST_MAX_WITHDRAW_SHARE's default. */
const MAX_SHARE = 0.05;

type Step =
  | { kind: 'clean' }
  | { kind: 'changing'; seed: number; disappearing: number | null; approve: boolean }
  | { kind: 'failing'; page: number }
  | { kind: 'early'; page: number; approve: boolean }
  | { kind: 'empty'; approve: boolean };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'clean' }),
  fc.record({
    kind: fc.constant('changing' as const),
    seed: fc.integer({ min: 1, max: 50 }),
    disappearing: fc.constantFrom(null, 9, 40),
    approve: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('failing' as const), page: fc.integer({ min: 1, max: PAGES }) }),
  fc.record({
    kind: fc.constant('early' as const),
    page: fc.integer({ min: 1, max: PAGES }),
    approve: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('empty' as const), approve: fc.boolean() }),
);

function params(step: Step): Record<string, string> {
  switch (step.kind) {
    case 'clean':
      return {};
    case 'changing':
      return {
        fault_changedRowsSeed: String(step.seed),
        ...(step.disappearing ? { fault_disappearingRows: String(step.disappearing) } : {}),
      };
    case 'failing':
      return { fault_failOnPage: String(step.page), fault_faultTimes: '0' };
    case 'early':
      return { fault_endEarlyOnPage: String(step.page) };
    case 'empty':
      return { fault_emptySnapshot: '1' };
  }
}

/** A snapshot as the feed serves it, validated as ingest validates it; with its rejected keys. */
type Snapshot = Expected & { rejectedKeys: Set<string> };

let sim: RunningFeedSimulator;
/** The last accepted snapshot: what the live items must be. */
let accepted: Snapshot;
let job = 0;

async function expectKpisFromScratch(): Promise<void> {
  // What the pull wrote (merge, withdraw, restore) left its deltas beside the current aggregates:
  // together they equal the items before any recompute.
  expect(await pendingAggregates()).toEqual(await scratchAggregates());
  expect(await pendingCommitments()).toEqual(await scratchCommitments());
  const result = await recomputeKpis({ reason: 'property' });
  // The publish gate runs on every path: a recompute that trips a drift rule is held, and an
  // operator approving it is what makes the applied snapshot the published figures.
  const version =
    result.status === 'HELD'
      ? (await approveRevision(result.version, { by: 'property test' })).version
      : result.version;
  expect(await versionAggregates(version)).toEqual(await scratchAggregates());
}

/** Whether applying `next` over `current` must be held (the rules of apply.ts). */
function mustHold(current: Snapshot, next: Snapshot): boolean {
  const live = current.items.size;
  if (next.items.size === 0 && live > 0) return true;
  const rejectedKeys = next.rejectedKeys;
  let withdraws = 0;
  for (const key of current.items.keys()) if (!next.items.has(key) && !rejectedKeys.has(key)) withdraws++;
  return live > 0 && withdraws > MAX_SHARE * live;
}

async function run(step: Step): Promise<void> {
  const p = params(step);
  const before = await fullItemDump();
  const served = step.kind === 'failing' ? null : await snapshotOf(p);
  job += 1;
  const attempt = pull(
    { sourceKey: KEY, trigger: 'STARTUP', jobKey: `property.${job}` },
    { feed: { baseUrl: sim.url, backoffBaseMs: 2, backoffMaxMs: 5, retries: 1 }, pageLimit: PAGE, params: p },
  );
  if (served === null) {
    await expect(attempt).rejects.toThrow(/503/);
    expect(await fullItemDump()).toEqual(before);
  } else {
    const outcome = await attempt;
    if (outcome.outcome !== 'finished') throw new Error(outcome.outcome);
    const held = mustHold(accepted, served);
    expect(outcome.run.status).toBe(held ? 'HELD' : 'SUCCEEDED');
    if (held) {
      expect(await fullItemDump()).toEqual(before);
      const approve = 'approve' in step && step.approve;
      await decideHeldRun(outcome.run.id, approve ? 'APPROVE' : 'DISCARD', null);
      if (approve) accepted = served;
      else expect(await fullItemDump()).toEqual(before);
    } else {
      accepted = served;
    }
  }
  expect(await storedItems(DATASET)).toEqual(accepted.items);
  await expectKpisFromScratch();
}

/** What a pull with these faults reads (in pages of the same size), validated as ingest does. */
async function snapshotOf(p: Record<string, string>): Promise<Snapshot> {
  const client = createFeedClient({ baseUrl: sim.url, token: 'demo-token' });
  const rows: unknown[] = [];
  for await (const page of client.pages(DATASET, { klpd: KLPD, year: YEAR, limit: PAGE, params: p }))
    rows.push(...page.rows);
  return withRejectedKeys(expectedSnapshot(DATASET, rows, YEAR), rows);
}

function withRejectedKeys(expected: Expected, rows: unknown[]): Snapshot {
  const keys = new Set<string>();
  for (const row of rows) {
    const key = (row as { kd_nontender_pct?: unknown }).kd_nontender_pct;
    if (key !== undefined && key !== null && !expected.items.has(String(key))) keys.add(String(key));
  }
  return { ...expected, rejectedKeys: keys };
}

beforeAll(async () => {
  await createTestDatabase();
  await loadDemoData();
  await ensureSources();
  sim = await startFeedSimulator({ klpd: KLPD });
  accepted = await snapshotOf({});
  const first = await pull(
    { sourceKey: KEY, trigger: 'STARTUP', jobKey: 'property.0' },
    { feed: { baseUrl: sim.url }, pageLimit: PAGE },
  );
  if (first.outcome !== 'finished') throw new Error(first.outcome);
  expect(first.run).toMatchObject({ status: 'SUCCEEDED', pages: PAGES });
});
afterAll(async () => {
  await sim?.close();
  await closeDb();
});

describe('random sequences of pulls', () => {
  it('leave the live items equal to the last accepted snapshot and the KPIs equal to a from-scratch computation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 2, maxLength: 6 }), async (steps) => {
        for (const step of steps) await run(step);
      }),
      { numRuns: 10, seed: 24, endOnFailure: true },
    );
  }, 120_000);
});
