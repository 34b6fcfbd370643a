// The version model by example: a restatement of a published date sits beside the first answer;
// a replay never moves current; a rejected or rolled-back run's effect is not published again by
// any later recompute (full or not) without an approval; a revision lists the buckets it changed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb, pool } from '../../src/lib/db.js';
import { pickVersion } from '../../src/services/kpi/read.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { approveRevision, rejectRevision, rollbackRevision } from '../../src/services/kpi/revisions.js';
import { type Api, createKeys, type Keys, startApi } from '../factories/api.js';
import { createAgency, createRun, upsertItems } from '../factories/kpi-items.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

let api: Api;
let keys: Keys;
let agency: number;
const by = { by: 'test' };

beforeAll(async () => {
  await createTestDatabase();
  keys = await createKeys();
  agency = (await createAgency({ code: 'VM1' })).id;
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

const item = (key: string, value: string, itemDate = '2021-03-10') => ({
  sourceKey: key,
  fiscalYear: 2021,
  agencyId: agency,
  value,
  pdnValue: value,
  itemDate,
});

async function realisation(version: number): Promise<string> {
  const { rows } = await pool.query<{ v: string }>(
    `SELECT coalesce(sum(pdn_value), 0)::text AS v FROM kpi_aggregate
     WHERE fiscal_year = 2021 AND version_from <= $1 AND (version_to IS NULL OR version_to > $1)`,
    [version],
  );
  return rows[0]!.v;
}

describe('restatements and replays', () => {
  it('publishes a different reconstruction of a published date as a restatement beside the first answer, and current stays', async () => {
    const r1 = await createRun({ fiscalYear: 2021, asOf: '2021-04-30' });
    await upsertItems([item('a', '100.00'), item('b', '50.00')], r1);
    const first = await recomputeKpis({ reason: 'pull', runIds: [r1] });
    expect(first.status).toBe('PUBLISHED');
    const r2 = await createRun({ fiscalYear: 2021, asOf: '2021-06-30' });
    await upsertItems([item('b', '80.00', '2021-06-01')], r2);
    const live = await recomputeKpis({ reason: 'pull', runIds: [r2] });
    expect(live.status).toBe('PUBLISHED');

    // The feed's history of 2021-04-30, read again later, differs (a late correction upstream).
    const replay = await createRun({ fiscalYear: 2021, asOf: '2021-04-30', requestedAsOf: '2021-04-30' });
    await upsertItems([item('b', '60.00')], replay);
    const restated = await recomputeKpis({ reason: 'replay', runIds: [replay] });
    expect(restated.status).toBe('PUBLISHED');
    expect(restated.version).toBeGreaterThan(live.version);

    // Current is still the live state; the answer for 2021-04-30 is still the first one.
    expect(await pickVersion(2021)).toMatchObject({ version: live.version, asOf: '2021-06-30', live: true });
    expect(await pickVersion(2021, '2021-04-30')).toMatchObject({ version: first.version });
    expect(await realisation(first.version)).toBe('150.00');
    expect(await realisation(restated.version)).toBe('160.00');

    const res = await api.gql(
      `query { kpiRevisions(year: 2021, asOf: "2021-04-30") { version status asOf
        deltas(year: 2021) { month realisationDelta }
        buckets(limit: 1) { total buckets { year month channel agency { code } } } } }`,
      {},
      keys.analyst,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.kpiRevisions.map((r: { version: number }) => r.version)).toEqual([
      restated.version,
      first.version,
    ]);
    expect(res.data.kpiRevisions[0].buckets).toEqual({
      total: expect.any(Number),
      buckets: [{ year: 2021, month: expect.any(Number), channel: 'TENDER', agency: { code: 'VM1' } }],
    });
    expect(res.data.kpiRevisions[0].buckets.total).toBeGreaterThanOrEqual(1);

    // The next live pull restores the items: equal to current, so nothing is published.
    const back = await createRun({ fiscalYear: 2021, asOf: '2021-07-31' });
    await upsertItems([item('b', '80.00', '2021-06-01')], back);
    const restored = await recomputeKpis({ reason: 'pull', runIds: [back] });
    expect(restored.status).toBe('UNCHANGED');
    expect(await pickVersion(2021)).toMatchObject({ version: live.version, asOf: '2021-07-31' });
    expect(
      (await pool.query(`SELECT status::text FROM kpi_version ORDER BY id DESC LIMIT 1`)).rows[0].status,
    ).toBe('UNCHANGED');
  });
});

describe('the date of the figures', () => {
  it('dates a file import by its rows, never by the day it was imported, and caps a year at its end', async () => {
    const { rows } = await pool.query<{ id: number }>(
      `INSERT INTO ingest_run (dataset, trigger, status, as_of, started_at, finished_at, file_name)
       VALUES ('tender/tender-ekontrak-kontrak', 'FILE', 'SUCCEEDED', CURRENT_DATE, now(), now(), 'dump.json')
       RETURNING id`,
    );
    const file = rows[0]!.id;
    await upsertItems(
      [
        { ...item('f1', '9.00', '2019-05-20'), fiscalYear: 2019 },
        { ...item('f2', '1.00', '2019-02-01'), fiscalYear: 2019 },
      ],
      file,
    );
    await recomputeKpis({ reason: 'file import', runIds: [file] });
    expect(await pickVersion(2019)).toMatchObject({ asOf: '2019-05-20', live: true });

    // A backfill of a past year's source as of today stands for the year's end.
    const late = await createRun({ fiscalYear: 2018, asOf: '2026-01-02', requestedAsOf: '2026-01-02' });
    await upsertItems([{ ...item('g1', '4.00', '2018-07-01'), fiscalYear: 2018 }], late);
    await recomputeKpis({ reason: 'backfill', runIds: [late] });
    expect(await pickVersion(2018)).toMatchObject({ asOf: '2018-12-31' });
  });
});

describe('reject and rollback', () => {
  it('holds every later recompute, full or not, while a rejected run is in the items, until an approval', async () => {
    const bad = await createRun({ fiscalYear: 2021, asOf: '2021-08-31' });
    await upsertItems([item('a', '1.00')], bad);
    const held = await recomputeKpis({ reason: 'pull', runIds: [bad] });
    expect(held.status).toBe('HELD');
    await rejectRevision(held.version, by);
    const current = (await pickVersion(2021))!.version;

    // Nothing new: an incremental recompute has nothing to do; a full one recomputes and is held.
    expect((await recomputeKpis({ reason: 'again' })).status).toBeUndefined();
    const again = await recomputeKpis({ reason: 'again', full: true });
    expect(again.status).toBe('HELD');
    expect(again.heldReasons?.map((r) => r.rule)).toContain('QUARANTINED_RUN');
    expect((await pickVersion(2021))!.version).toBe(current);
    // A pull of another source of the year does not carry the rejected run's effect through.
    const plans = await createRun({
      fiscalYear: 2021,
      asOf: '2021-09-01',
      dataset: 'rup/paket-penyedia-terumumkan',
    });
    await upsertItems([{ ...item('p', '500.00'), kind: 'PLAN' }], plans);
    const other = await recomputeKpis({ reason: 'plans', runIds: [plans] });
    expect(other.status).toBe('HELD');
    expect((await pickVersion(2021))!.version).toBe(current);
    const { rows } = await pool.query(`SELECT id FROM kpi_version WHERE status = 'HELD'`);
    const approved = await approveRevision(rows[0].id, by);
    expect(approved.status).toBe('PUBLISHED');
    expect((await pickVersion(2021))!.version).toBe(approved.version);
    const released = await pool.query('SELECT released_at FROM kpi_run_quarantine WHERE run_id = $1', [bad]);
    expect(released.rows[0].released_at).toBeInstanceOf(Date);
  });

  it('keeps a rolled-back run out: a full recompute holds it instead of publishing it again', async () => {
    const next = await createRun({ fiscalYear: 2021, asOf: '2021-09-30' });
    await upsertItems([item('c', '5.00', '2021-09-01')], next);
    const published = await recomputeKpis({ reason: 'pull', runIds: [next] });
    expect(published.status).toBe('PUBLISHED');
    const rolled = await rollbackRevision(by);
    expect(rolled.version).toBe(published.version);
    const before = (await pickVersion(2021))!.version;
    expect(before).toBeLessThan(published.version);
    const full = await recomputeKpis({ reason: 'bisma recompute --full', full: true });
    expect(full.status).toBe('HELD');
    expect((await pickVersion(2021))!.version).toBe(before);
  });

  it('holds, without being given run ids, a change from a run that rejected most of its rows', async () => {
    await approveRevision(
      (await pool.query(`SELECT id FROM kpi_version WHERE status = 'HELD' ORDER BY id DESC LIMIT 1`)).rows[0]
        .id,
      by,
    );
    const garbled = await createRun({ fiscalYear: 2021, asOf: '2021-10-31' });
    await pool.query('UPDATE ingest_run SET fetched = 10, rejected = 9 WHERE id = $1', [garbled]);
    await upsertItems([item('d', '3.00', '2021-10-01')], garbled);
    const result = await recomputeKpis({ reason: 'bisma recompute' });
    expect(result.status).toBe('HELD');
    expect(result.heldReasons?.map((r) => r.rule)).toContain('REJECTED_ROWS');
  });
});
