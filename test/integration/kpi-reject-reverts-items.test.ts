// Rejecting or rolling back a KPI version takes its ingest runs' item changes back (issues 19 and
// 24 together), over real pulls from the feed simulator: the items return exactly to their state
// before the runs, the runs leave quarantine, and the next recomputes, incremental or full, publish
// nothing new: readers keep the version they had, equal to a from-scratch computation. A run a
// later one changed items over cannot be taken back: it stays quarantined and holds every
// recompute of its year.
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadDemoData } from '../../src/demo/seed.js';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { closeDb, pool } from '../../src/lib/db.js';
import { importFile } from '../../src/services/ingest/file.js';
import { type PullOutcome, pull } from '../../src/services/ingest/pull.js';
import { revertRunItems } from '../../src/services/ingest/revert.js';
import type { Run } from '../../src/services/ingest/runs.js';
import { ensureSources, sourceKey } from '../../src/services/ingest/sources.js';
import { publishedVersionId, recomputeKpis } from '../../src/services/kpi/recompute.js';
import { approveRevision, rollbackRevision } from '../../src/services/kpi/revisions.js';
import { removeRunEffects } from '../../src/services/kpi/run-effects.js';
import { type Api, createKeys, type Keys, startApi } from '../factories/api.js';
import { scratchAggregates, versionAggregates } from '../factories/kpi-scratch.js';
import { createTestDatabase } from '../helpers/db.js';
import { feedRows, fullItemDump, KLPD } from '../helpers/ingest.js';
import { flushTestPrefix } from '../helpers/redis.js';

const DATASET = 'tender/pencatatan-non-tender' as const;
const YEAR = 2023;
const KEY = sourceKey(DATASET, KLPD, YEAR);
/** About one row in ten changes its amounts, and one in five is rejected: the REJECTED_ROWS rule. */
const GLITCH = (seed: number) => ({ fault_changedRowsSeed: String(seed), fault_invalidRowsEvery: '5' });

let sim: RunningFeedSimulator;
let api: Api;
let keys: Keys;
let job = 0;

async function finished(params: Record<string, string> = {}): Promise<Run> {
  job += 1;
  const outcome: PullOutcome = await pull(
    { sourceKey: KEY, trigger: 'STARTUP', jobKey: `rri.${job}` },
    { feed: { baseUrl: sim.url, backoffBaseMs: 5, backoffMaxMs: 20 }, pageLimit: 100, params },
  );
  if (outcome.outcome !== 'finished') throw new Error(`pull ${outcome.outcome}`);
  expect(outcome.run.status).toBe('SUCCEEDED');
  return outcome.run;
}

async function publishedCount(): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM kpi_version WHERE status = 'PUBLISHED'`,
  );
  return rows[0]!.n;
}

async function heldVersions(): Promise<number[]> {
  const { rows } = await pool.query<{ id: number }>(
    `SELECT id FROM kpi_version WHERE status = 'HELD' ORDER BY id`,
  );
  return rows.map((r) => r.id);
}

async function quarantine(runId: number) {
  const { rows } = await pool.query<{ released: boolean }>(
    'SELECT released_at IS NOT NULL AS released FROM kpi_run_quarantine WHERE run_id = $1',
    [runId],
  );
  return rows[0];
}

/** The version readers get, its figures, and a from-scratch computation over the items. */
async function defaultAnswer() {
  const version = await publishedVersionId();
  const figures = await versionAggregates(version);
  expect(figures).toEqual(await scratchAggregates());
  return { version, figures };
}

/**
 * The decision recomputed after the revert and confirmed the figures readers see (nothing dirty
 * left, nothing published or held), and the next recomputes through the CLI's service,
 * incremental and full, publish nothing new either.
 */
async function expectConfirmed(
  runId: number,
  expected: { version: number; figures: string[] },
): Promise<void> {
  const { rows } = await pool.query<{ status: string }>(
    'SELECT status::text FROM kpi_version WHERE reason = $1',
    [`ingest runs ${runId} reverted`],
  );
  expect(rows).toEqual([{ status: 'UNCHANGED' }]);
  expect((await pool.query('SELECT 1 FROM kpi_dirty_bucket')).rowCount).toBe(0);
  expect(await heldVersions()).toEqual([]);
  const published = await publishedCount();
  expect(await recomputeKpis({ reason: 'bisma recompute' })).toEqual({
    version: expected.version,
    touchedBuckets: 0,
  });
  const full = await recomputeKpis({ reason: 'bisma recompute', full: true });
  expect(full).toMatchObject({ version: expected.version, status: 'UNCHANGED' });
  expect(await publishedCount()).toBe(published);
  expect(await heldVersions()).toEqual([]);
  expect(await defaultAnswer()).toEqual(expected);
}

let cleanItems: unknown[];
let first: { version: number; figures: string[] };

beforeAll(async () => {
  await createTestDatabase();
  await loadDemoData();
  await ensureSources();
  keys = await createKeys();
  sim = await startFeedSimulator({ klpd: KLPD });
  api = await startApi();
  const clean = await finished();
  expect(clean.inserted).toBeGreaterThan(0);
  // Full: the demo data's other years are published too, so later full recomputes compare alike.
  const a = await recomputeKpis({ reason: 'ingest', runIds: [clean.id], full: true });
  expect(a.status).toBe('PUBLISHED');
  cleanItems = await fullItemDump();
  first = await defaultAnswer();
  expect(first.version).toBe(a.version);
});
afterAll(async () => {
  await api?.close();
  await sim?.close();
  await flushTestPrefix();
  await closeDb();
});

describe('a rejected version', () => {
  let bad: Run;

  it('takes its run’s item changes back exactly, releases the run, and the next recomputes publish nothing', async () => {
    bad = await finished(GLITCH(11));
    expect(bad.updated).toBeGreaterThan(0);
    expect(await fullItemDump()).not.toEqual(cleanItems);
    const held = await recomputeKpis({ reason: 'ingest', runIds: [bad.id] });
    expect(held.status).toBe('HELD');
    expect(held.heldReasons!.map((r) => r.rule)).toContain('REJECTED_ROWS');

    const res = await api.gql(
      `mutation ($v: Int!) { rejectKpiRevision(input: { version: $v, note: "feed glitch" }) {
        __typename ... on MutationRejectKpiRevisionSuccess { data { version status } } } }`,
      { v: held.version },
      keys.admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.rejectKpiRevision.data).toEqual({ version: held.version, status: 'REJECTED' });

    expect(await fullItemDump()).toEqual(cleanItems);
    expect(await quarantine(bad.id)).toEqual({ released: true });
    expect(await defaultAnswer()).toEqual(first);
    await expectConfirmed(bad.id, first);
  });

  it('changes nothing when its run is reverted again', async () => {
    expect(await revertRunItems(bad.id)).toMatchObject({ reverted: false });
    expect(await removeRunEffects([bad.id])).toEqual({ reverted: [bad.id] });
    expect(await fullItemDump()).toEqual(cleanItems);
    expect((await pool.query('SELECT 1 FROM kpi_dirty_bucket')).rowCount).toBe(0);
    const published = await publishedCount();
    expect(await recomputeKpis({ reason: 'bisma recompute' })).toMatchObject({ touchedBuckets: 0 });
    expect(await publishedCount()).toBe(published);
    expect(await defaultAnswer()).toEqual(first);
  });
});

describe('an approved version rolled back', () => {
  it('takes its run’s item changes back exactly, releases the run, and the next recomputes publish nothing', async () => {
    const bad = await finished(GLITCH(13));
    expect(bad.updated).toBeGreaterThan(0);
    const held = await recomputeKpis({ reason: 'ingest', runIds: [bad.id] });
    expect(held.status).toBe('HELD');
    await approveRevision(held.version, { by: 'test' });
    const approved = await defaultAnswer();
    expect(approved.version).toBe(held.version);
    expect(approved.figures).not.toEqual(first.figures);

    expect(await rollbackRevision({ by: 'test', note: 'wrong' })).toMatchObject({
      version: held.version,
      status: 'ROLLED_BACK',
    });
    expect(await fullItemDump()).toEqual(cleanItems);
    expect(await quarantine(bad.id)).toEqual({ released: true });
    expect(await defaultAnswer()).toEqual(first);
    await expectConfirmed(bad.id, first);

    expect(await revertRunItems(bad.id)).toMatchObject({ reverted: false });
    expect(await fullItemDump()).toEqual(cleanItems);
  });
});

describe('a version held while an earlier one is rolled back', () => {
  it('never publishes the rolled-back run’s effect when approved afterwards', async () => {
    const bad = await finished(GLITCH(23));
    const held = await recomputeKpis({ reason: 'ingest', runIds: [bad.id] });
    expect(held.status).toBe('HELD');
    await approveRevision(held.version, { by: 'test' });
    // Another source's glitchy pull is held meanwhile.
    job += 1;
    const other = await pull(
      { sourceKey: sourceKey(DATASET, KLPD, 2024), trigger: 'STARTUP', jobKey: `rri.${job}` },
      { feed: { baseUrl: sim.url }, pageLimit: 100, params: { fault_invalidRowsEvery: '5' } },
    );
    if (other.outcome !== 'finished') throw new Error(other.outcome);
    const pending = await recomputeKpis({ reason: 'ingest', runIds: [other.run.id] });
    expect(pending.status).toBe('HELD');

    await rollbackRevision({ by: 'test' });
    expect(await quarantine(bad.id)).toEqual({ released: true });
    // The held version was computed over the reverted items: a new one, over the items now, holds
    // its changes instead.
    const { rows } = await pool.query('SELECT status::text FROM kpi_version WHERE id = $1', [
      pending.version,
    ]);
    expect(rows).toEqual([{ status: 'SUPERSEDED' }]);
    const [latest] = await heldVersions();
    expect(latest).toBeGreaterThan(pending.version);
    const reasons = await pool.query('SELECT held_reasons FROM kpi_version WHERE id = $1', [latest]);
    expect(reasons.rows[0].held_reasons).toEqual([expect.objectContaining({ rule: 'REJECTED_ROWS' })]);
    await approveRevision(latest!, { by: 'test' });
    expect(await publishedVersionId()).toBe(latest);
    await defaultAnswer();
  });
});

describe('a rejected run a later run changed items over', () => {
  it('stays quarantined and the rejection is still answered; the later full snapshot, not the run, is what gets published', async () => {
    const before = await defaultAnswer();
    const bad = await finished(GLITCH(17));
    const held = await recomputeKpis({ reason: 'ingest', runIds: [bad.id] });
    expect(held.status).toBe('HELD');
    // A file import of another full snapshot of the same source changes some of the same items after
    // the run: the items no longer hold the run's snapshot, so its revert is refused.
    const dir = await mkdtemp(path.join(tmpdir(), 'bisma-rri-'));
    const file = path.join(dir, 'pencatatan-non-tender-2023.jsonl');
    const rows = await feedRows(sim.url, DATASET, YEAR, { params: { fault_changedRowsSeed: '19' } });
    writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const imported = await importFile({ path: file, dataset: DATASET, klpdCode: KLPD });
    expect(imported.updated).toBeGreaterThan(0);
    const items = await fullItemDump();

    const res = await api.gql(
      `mutation ($v: Int!) { rejectKpiRevision(input: { version: $v }) {
        __typename ... on MutationRejectKpiRevisionSuccess { data { version status } } } }`,
      { v: held.version },
      keys.admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.rejectKpiRevision.data).toEqual({ version: held.version, status: 'REJECTED' });
    expect(await fullItemDump()).toEqual(items);
    expect(await quarantine(bad.id)).toEqual({ released: false });
    expect(await publishedVersionId()).toBe(before.version);

    // The source's items now stand on the file's full snapshot: a recompute publishes it (no
    // QUARANTINED_RUN hold, since the quarantined run's rows were all replaced or withdrawn), and the
    // published figures equal a from-scratch computation over the items.
    for (const full of [false, true]) {
      const later = await recomputeKpis({ reason: 'bisma recompute', full, runIds: [imported.id] });
      expect(later.heldReasons ?? []).not.toEqual(
        expect.arrayContaining([expect.objectContaining({ rule: 'QUARANTINED_RUN' })]),
      );
      const version =
        later.status === 'HELD'
          ? (await approveRevision(later.version, { by: 'test' })).version
          : later.version;
      expect(await publishedVersionId()).toBe(version);
      expect(await versionAggregates(version)).toEqual(await scratchAggregates());
    }
  });
});
