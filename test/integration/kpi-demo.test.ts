// The demo end to end: the feed simulator serves the demo data, the worker's demo history
// replays every reported date through the real ingest and recompute, then the main job's first
// pull of each source follows; every row of FEED.md's figures table is checked over HTTP.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { replayDemoHistory } from '../../src/demo/history.js';
import { loadDemoData } from '../../src/demo/seed.js';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { closeDb, pool } from '../../src/lib/db.js';
import { pull } from '../../src/services/ingest/pull.js';
import { requestReplay } from '../../src/services/ingest/runs.js';
import { backfillPlan } from '../../src/services/ingest/schedule.js';
import { ensureSources, listSources } from '../../src/services/ingest/sources.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { type Api, startApi } from '../factories/api.js';
import { createTestDatabase } from '../helpers/db.js';
import { KLPD } from '../helpers/ingest.js';
import { flushTestPrefix } from '../helpers/redis.js';

let sim: RunningFeedSimulator;
let api: Api;
let replayed: { asOf: string; version: number }[] = [];
let firstPull: Awaited<ReturnType<typeof recomputeKpis>>;

beforeAll(async () => {
  await createTestDatabase();
  await loadDemoData();
  await ensureSources();
  sim = await startFeedSimulator({ klpd: KLPD });
  const feed = { baseUrl: sim.url, backoffBaseMs: 5, backoffMaxMs: 20 };
  const history = await replayDemoHistory({ feed });
  if (history.outcome !== 'finished') throw new Error(`demo history ${history.outcome}`);
  replayed = history.versions;
  // The main job's first scheduled pull of every source, then the recompute it chains.
  const runIds: number[] = [];
  for (const source of await listSources({ enabled: true })) {
    const outcome = await pull(
      { sourceKey: source.key, trigger: 'STARTUP', jobKey: `first.${source.key}` },
      { feed },
    );
    if (outcome.outcome !== 'finished' || outcome.run.status !== 'SUCCEEDED')
      throw new Error(`pull of ${source.key} failed`);
    runIds.push(outcome.run.id);
  }
  firstPull = await recomputeKpis({ reason: 'first pull', runIds });
  api = await startApi();
}, 180_000);
afterAll(async () => {
  await api?.close();
  await sim?.close();
  await closeDb();
  await flushTestPrefix();
});

/** Σ of counted, current items of a year: realisation PDN and commitment, from scratch. */
async function itemFigures(year: number): Promise<{ realisation: string; commitment: string }> {
  const { rows } = await pool.query<{ realisation: string; commitment: string }>(
    `SELECT COALESCE(sum(pdn_value) FILTER (WHERE kind = 'REALISATION'), 0)::numeric(20,2)::text AS realisation,
            COALESCE(sum(pdn_value) FILTER (WHERE kind = 'PLAN'), 0)::numeric(20,2)::text AS commitment
     FROM procurement_item WHERE fiscal_year = $1 AND counted AND NOT superseded AND withdrawn_at IS NULL`,
    [year],
  );
  return rows[0]!;
}

const SUMMARY = `query ($year: Int!, $asOf: Date) {
  kpiSummary(year: $year, asOf: $asOf) {
    asOf dataVersion realisation commitment commitmentUsed commitmentBasis attainment
    formatted(locale: ID) { realisation commitmentUsed attainment }
    en: formatted(locale: EN) { realisation attainment }
    provenance { snapshotIds coverage { reportingAgencies expectedAgencies } }
  }
}`;

// FEED.md, "Figures the demo data must reproduce".
const TABLE = [
  {
    year: 2022,
    asOf: '2022-12-31',
    realisation: '20454000000000.00',
    commitment: '11334000000000.00',
    attainment: 180.4659,
    text: ['Rp20,454 triliun', 'Rp11,334 triliun', '180,5 %'],
  },
  {
    year: 2023,
    asOf: '2023-09-09',
    realisation: '8700000000000.00',
    commitment: '15800000000000.00',
    attainment: 55.0633,
    text: ['Rp8,7 triliun', 'Rp15,8 triliun', '55,1 %'],
  },
  {
    year: 2023,
    asOf: '2023-10-15',
    realisation: '11350000000000.00',
    commitment: '15800000000000.00',
    attainment: 71.8354,
    text: ['Rp11,35 triliun', 'Rp15,8 triliun', '71,8 %'],
  },
  {
    year: 2023,
    asOf: '2023-11-05',
    realisation: '13100000000000.00',
    commitment: '15800000000000.00',
    attainment: 82.9114,
    text: ['Rp13,1 triliun', 'Rp15,8 triliun', '82,9 %'],
  },
  {
    year: 2024,
    asOf: '2024-06-09',
    realisation: '14020000000000.00',
    commitment: '30470000000000.00',
    attainment: 46.0125,
    text: ['Rp14,02 triliun', 'Rp30,47 triliun', '46,0 %'],
  },
  {
    year: 2024,
    asOf: '2024-09-06',
    realisation: '16050000000000.00',
    commitment: '30680000000000.00',
    attainment: 52.3142,
    text: ['Rp16,05 triliun', 'Rp30,68 triliun', '52,3 %'],
  },
];

describe('the demo figures over HTTP', () => {
  it('2023 after the first pull: Rp13.100.000.000.000 against Rp15.800.000.000.000, 82,9 %', async () => {
    const res = await api.gql(SUMMARY, { year: 2023 });
    expect(res.errors).toBeUndefined();
    expect(res.data.kpiSummary).toMatchObject({
      realisation: '13100000000000.00',
      commitment: '15800000000000.00',
      commitmentBasis: 'COMPUTED',
      attainment: 82.9114,
      formatted: { realisation: 'Rp13,1 triliun', commitmentUsed: 'Rp15,8 triliun', attainment: '82,9 %' },
      en: { realisation: 'IDR 13.1 trillion', attainment: '82.9%' },
    });
    // The first pull finds the data the history replayed last: it confirms, and publishes nothing.
    expect(firstPull.status).toBe('UNCHANGED');
    expect(res.data.kpiSummary.dataVersion).toBe(replayed.find((r) => r.asOf === '2023-11-05')!.version);
    expect(res.data.kpiSummary.provenance.coverage.reportingAgencies).toBeGreaterThan(0);
  });

  it('after the first pull, answers as of the date the feed gives its snapshot (2023-11-05, 2024-09-06)', async () => {
    // The simulator's current data stand as of the last reported date and say so in meta.as_of;
    // the snapshot's as_of comes from ingest_run.as_of.
    const y2023 = await api.gql(SUMMARY, { year: 2023 });
    const y2024 = await api.gql(SUMMARY, { year: 2024 });
    expect([y2023.data.kpiSummary.asOf, y2024.data.kpiSummary.asOf]).toEqual(['2023-11-05', '2024-09-06']);
  });

  it('2022 after the first pull: Rp20.454.000.000.000 against Rp11.334.000.000.000, attainment above 100 %', async () => {
    const res = await api.gql(SUMMARY, { year: 2022 });
    expect(res.data.kpiSummary).toMatchObject({
      realisation: '20454000000000.00',
      commitmentUsed: '11334000000000.00',
      attainment: 180.4659,
      formatted: { attainment: '180,5 %' },
    });
  });

  it.each(TABLE)('reads back $year as of $asOf: $realisation of $commitment', async (row) => {
    const res = await api.gql(SUMMARY, { year: row.year, asOf: row.asOf });
    expect(res.errors).toBeUndefined();
    expect(res.data.kpiSummary).toMatchObject({
      asOf: row.asOf,
      realisation: row.realisation,
      commitmentUsed: row.commitment,
      attainment: row.attainment,
      formatted: { realisation: row.text[0], commitmentUsed: row.text[1], attainment: row.text[2] },
    });
    expect(replayed.some((r) => r.asOf === row.asOf && r.version <= res.data.kpiSummary.dataVersion)).toBe(
      true,
    );
  });

  it('keeps the 2024 commitment revision: Rp30,47 triliun in June, Rp30,68 triliun in September', async () => {
    const june = await api.gql(SUMMARY, { year: 2024, asOf: '2024-06-30' });
    const september = await api.gql(SUMMARY, { year: 2024, asOf: '2024-09-30' });
    const latest = await api.gql(SUMMARY, { year: 2024 });
    expect(june.data.kpiSummary).toMatchObject({ asOf: '2024-06-09', commitment: '30470000000000.00' });
    expect(september.data.kpiSummary).toMatchObject({ asOf: '2024-09-06', commitment: '30680000000000.00' });
    expect(latest.data.kpiSummary.commitment).toBe('30680000000000.00');
  });

  it('keeps current and every reported date after replays (one source, a whole year) and a backfill catch-up', async () => {
    const feed = { baseUrl: sim.url, backoffBaseMs: 5, backoffMaxMs: 20 };
    const sources2023 = (await listSources({ enabled: true })).filter((s) => s.fiscalYear === 2023);
    const replay = async (sourceKey: string, asOf: string, trigger: 'REPLAY' | 'CATCH_UP', tag: string) => {
      const outcome = await pull(
        { sourceKey, trigger, jobKey: `${tag}.${sourceKey}`, requestedAsOf: asOf },
        { feed },
      );
      if (outcome.outcome !== 'finished' || outcome.run.status !== 'SUCCEEDED')
        throw new Error(`${tag} failed`);
      return outcome.run.id;
    };
    const read = async (year: number, asOf?: string) =>
      (await api.gql(SUMMARY, { year, ...(asOf ? { asOf } : {}) })).data.kpiSummary;
    const current = await read(2023);

    // One source replayed as of 2023-10-15 would mix dates: nothing of it is published, and the
    // items return at once to the latest snapshot of every source.
    const one = await replay(sources2023[0]!.key, '2023-10-15', 'REPLAY', 'one');
    const mixed = await recomputeKpis({ reason: 'replay of one source', runIds: [one] });
    expect(mixed.waitingYears).toBeUndefined();
    expect(mixed.restoredRuns).toEqual([one]);
    expect(await read(2023)).toEqual(current);
    expect((await read(2023, '2023-10-15')).realisation).toBe('11350000000000.00');
    expect(await itemFigures(2023)).toEqual({
      realisation: '13100000000000.00',
      commitment: '15800000000000.00',
    });

    // A replay of the whole year as of 2023-10-15 (a run per source, recorded together): while
    // some are still queued the year waits; once all are done the reconstruction equals what was
    // published for that date, so nothing is published, and the items are the live state again.
    const requested = await requestReplay({ fiscalYear: 2023, asOf: '2023-10-15' });
    expect(requested.map((r) => r.sourceId).sort()).toEqual(sources2023.map((s) => s.id).sort());
    let reconstruction: Awaited<ReturnType<typeof recomputeKpis>> | null = null;
    for (const [i, run] of requested.entries()) {
      const outcome = await pull({ runId: run.id }, { feed });
      if (outcome.outcome !== 'finished' || outcome.run.status !== 'SUCCEEDED') throw new Error('replay');
      reconstruction = await recomputeKpis({ reason: 'replay of 2023', runIds: [run.id] });
      if (i < requested.length - 1) expect(reconstruction.waitingYears).toEqual([2023]);
      expect(await read(2023)).toEqual(current);
    }
    expect(reconstruction!.status).not.toBe('PUBLISHED');
    expect(reconstruction!.waitingYears).toBeUndefined();
    expect([...(reconstruction!.restoredRuns ?? [])].sort((a, b) => a - b)).toEqual(
      requested.map((r) => r.id).sort((a, b) => a - b),
    );
    expect(await read(2023)).toEqual(current);
    expect(await itemFigures(2023)).toEqual({
      realisation: '13100000000000.00',
      commitment: '15800000000000.00',
    });
    expect((await read(2023, '2023-10-15')).realisation).toBe('11350000000000.00');

    // A backfill of the 2022 sources after two missed daily slots: the earlier slot is a replay
    // as of its calendar day, the latest pulls the current data. The year's figures stand as of
    // its end whatever day the catch-up ran.
    const now = Date.now();
    const slots = [new Date(now - 86_400_000).toISOString(), new Date(now).toISOString()];
    const backfill = [];
    for (const s of (await listSources({ enabled: true })).filter((x) => x.fiscalYear === 2022)) {
      for (const [i, step] of backfillPlan(slots, s.timezone).entries()) {
        const outcome = await pull(
          {
            sourceKey: s.key,
            trigger: 'CATCH_UP',
            jobKey: `backfill.${s.key}#${i}`,
            requestedAsOf: step.requestedAsOf,
            scheduledFor: step.at,
          },
          { feed },
        );
        if (outcome.outcome !== 'finished' || outcome.run.status !== 'SUCCEEDED') throw new Error('backfill');
        expect(outcome.run.requestedAsOf).toBe(step.requestedAsOf);
        backfill.push(outcome.run.id);
      }
    }
    const caughtUp = await recomputeKpis({ reason: 'backfill', runIds: backfill });
    expect(caughtUp.waitingYears).toBeUndefined();
    expect(await read(2022)).toMatchObject({ asOf: '2022-12-31', realisation: '20454000000000.00' });

    // The next live pulls restore 2023's items; nothing changed, so nothing is published.
    const live = [];
    for (const s of sources2023) {
      const outcome = await pull(
        { sourceKey: s.key, trigger: 'SCHEDULE', jobKey: `live.${s.key}` },
        { feed },
      );
      if (outcome.outcome !== 'finished') throw new Error('live pull');
      live.push(outcome.run.id);
    }
    // A live pull of 2022 after its backfill is the newest snapshot again, whatever date it prints.
    for (const s of (await listSources({ enabled: true })).filter((x) => x.fiscalYear === 2022)) {
      const outcome = await pull(
        { sourceKey: s.key, trigger: 'SCHEDULE', jobKey: `live.${s.key}` },
        { feed },
      );
      if (outcome.outcome !== 'finished') throw new Error('live pull');
      live.push(outcome.run.id);
    }
    const restored = await recomputeKpis({ reason: 'live pulls', runIds: live });
    expect(restored.status).toBe('UNCHANGED');
    expect(restored.waitingYears).toBeUndefined();
    expect(await read(2022)).toMatchObject({ asOf: '2022-12-31', realisation: '20454000000000.00' });
    expect(await read(2023)).toMatchObject({
      asOf: '2023-11-05',
      dataVersion: current.dataVersion,
      realisation: '13100000000000.00',
    });
    for (const row of TABLE) {
      expect(await read(row.year, row.asOf)).toMatchObject({ asOf: row.asOf, realisation: row.realisation });
    }
  });

  it('answers the other KPI queries over the demo data', async () => {
    const res = await api.gql(`{
      kpiSeries(year: 2023, cumulative: true) { points { period realisation } }
      agencyRanking(year: 2023, first: 3) { totalCount edges { node { rank agency { code } realisation } } }
      kpiBreakdown(year: 2023, by: CHANNEL) { rows { key realisation } }
      programmeKpis(year: 2023) { eventsHeld uniqueExhibitors batches { batchNumber newExhibitors } conversion { converted value } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.kpiSeries.points.at(-1).realisation).toBe('13100000000000.00');
    expect(res.data.agencyRanking.edges[0].node.rank).toBe(1);
    const channels = res.data.kpiBreakdown.rows.map((r: { realisation: string }) =>
      BigInt(r.realisation.replace('.', '')),
    );
    expect(channels.reduce((a: bigint, b: bigint) => a + b, 0n)).toBe(1_310_000_000_000_000n);
    expect(res.data.programmeKpis.eventsHeld).toBe(9);
    expect(res.data.programmeKpis.uniqueExhibitors).toBe(200);
    expect(res.data.programmeKpis.batches.at(-1)).toEqual({ batchNumber: 9, newExhibitors: 18 });
    expect(res.data.programmeKpis.conversion.converted).toBeGreaterThan(0);
  });
});
