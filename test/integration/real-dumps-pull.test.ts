// The same KLPD-year of dumps served by the simulator as INAPROC legacy and ISB feeds (bare JSON
// arrays at their own paths, the ISB key in the path) and pulled by the worker's pull service into
// a fresh database: the KPIs equal the from-scratch computation, every agency attributed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import type { FeedDataset } from '../../src/feed/contract.js';
import { transportFor } from '../../src/feed/transports/index.js';
import { closeDb, pool, prisma } from '../../src/lib/db.js';
import { pull } from '../../src/services/ingest/pull.js';
import { sourceKey } from '../../src/services/ingest/sources.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { type Api, createKeys, startApi } from '../factories/api.js';
import { createTestDatabase } from '../helpers/db.js';
import {
  buildDumps,
  EXTRACTED,
  expectAnswerMatchesDumps,
  expectedKpis,
  KLPD,
  KPI_QUERY,
  money,
  YEAR,
} from '../helpers/real-dumps.js';
import { flushTestPrefix } from '../helpers/redis.js';

const dumps = buildDumps();
const ISB_KEY = 'kunci-isb-rahasia';
/** Legacy for the deployment; ISB for these datasets. */
const ISB: FeedDataset[] = [
  'rup/master-satker',
  'tender/pencatatan-non-tender',
  'legacy/bela/toko-daring-realisasi',
];
let sim: RunningFeedSimulator;
let api: Api;

const transport = () => ({
  transport: 'legacy' as const,
  overrides: Object.fromEntries(ISB.map((d) => [d, 'isb' as const])),
  isbKey: ISB_KEY,
});

beforeAll(async () => {
  await createTestDatabase();
  sim = await startFeedSimulator({ klpd: KLPD, dumps, isbKey: ISB_KEY });
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
  await sim?.close();
  await flushTestPrefix();
  await closeDb();
});

async function pullDataset(dataset: FeedDataset, options: { pageLimit?: number } = {}) {
  const key = sourceKey(dataset, KLPD, YEAR);
  await prisma.feedSource.upsert({
    where: { key },
    create: { key, dataset, klpdCode: KLPD, fiscalYear: YEAR },
    update: {},
  });
  const result = await pull(
    { sourceKey: key, trigger: 'SCHEDULE', jobKey: `${key}:${Date.now()}` },
    { feed: { baseUrl: sim.url, backoffBaseMs: 5, backoffMaxMs: 20 }, transport: transport(), ...options },
  );
  if (result.outcome !== 'finished') throw new Error(`pull of ${key}: ${result.outcome}`);
  return result.run;
}

describe('a pull from legacy- and ISB-shaped feeds', () => {
  it('asks each transport at its own path, with the ISB key in the path', async () => {
    const tc = {
      ...transport(),
      baseUrl: 'http://feed.example',
      token: 't',
      cursorPath: '/api/v1/{dataset}',
    };
    const full = { ...tc, legacyPath: '/api/legacy/{dataset}', isbServiceId: '7', isbNames: {} };
    const seen: string[] = [];
    const fetch = (async (url: URL) => {
      seen.push(url.toString());
      return new Response('[]', { headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof globalThis.fetch;
    for (const dataset of ['rup/paket-penyedia-terumumkan', 'legacy/bela/toko-daring-realisasi'] as const) {
      for await (const _ of transportFor(dataset, full, { fetch }).pages({
        dataset,
        klpd: KLPD,
        year: YEAR,
      }));
    }
    expect(seen).toEqual([
      `http://feed.example/api/legacy/rup/paket-penyedia-terumumkan?kode_klpd=${KLPD}&tahun=${YEAR}`,
      `http://feed.example/isb-2/api/${ISB_KEY}/json/7/Bela-TokoDaringRealisasi/tipe/4:12/parameter/${YEAR}:${KLPD}`,
    ]);
  }, 180_000);

  it('pulls items before their agencies, then master-satker, then the rest; every run succeeds', async () => {
    const order: FeedDataset[] = [
      'legacy/bela/toko-daring-realisasi',
      'ekatalog/paket-e-purchasing',
      'rup/master-satker',
      'rup/paket-penyedia-terumumkan',
      'tender/tender-ekontrak-kontrak',
      'tender/non-tender-ekontrak-kontrak',
      'tender/pencatatan-non-tender',
    ];
    for (const dataset of order) {
      // Pages of 2 records cut from one streamed array: counts are of records.
      const run = await pullDataset(dataset, { pageLimit: 2 });
      expect({ dataset, status: run.status, fetched: run.fetched }).toEqual({
        dataset,
        status: 'SUCCEEDED',
        // The feed answers the rows of the KLPD asked for.
        fetched: dumps[dataset].filter((r) => r.kd_klpd === KLPD).length,
      });
      if (dataset !== 'rup/master-satker') expect(run.asOf).toBe(EXTRACTED);
    }
    const { rows } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM procurement_item WHERE agency_id IS NULL',
    );
    expect(rows[0]!.n).toBe(0);
  }, 180_000);

  it('answers kpiSummary, agencyRanking and kpiBreakdown as the raw rows compute', async () => {
    await recomputeKpis({ reason: 'feeds pulled' });
    expectAnswerMatchesDumps(await api.gql(KPI_QUERY, { year: YEAR }), dumps);
  }, 180_000);

  it('lists the suspect rows of a pulled snapshot in its run, kept as reported', async () => {
    const keys = await createKeys();
    const run = await prisma.ingestRun.findFirstOrThrow({
      where: { dataset: 'tender/tender-ekontrak-kontrak', status: 'SUCCEEDED' },
    });
    const answer = await api.gql(
      'query ($id: Int!) { ingestRun(runId: $id) { suspect { count value rows { sourceKey reason } } } }',
      { id: run.id },
      keys.analyst,
    );
    expect(answer.errors).toBeUndefined();
    const expected = expectedKpis(dumps);
    expect(answer.data.ingestRun.suspect).toEqual({
      count: expected.suspect.count,
      value: money(expected.suspect.value),
      rows: [
        { sourceKey: '9500097/800/01/SP/DIK', reason: 'PDN value above the value' },
        {
          sourceKey: '9510097/801/02/SP/DIK',
          reason: 'PDN value of at most 100 on a value of a million or more (a percentage typed as rupiah?)',
        },
      ],
    });
  }, 180_000);

  it('pulling the same snapshots again changes nothing', async () => {
    for (const dataset of ['tender/tender-ekontrak-kontrak', 'legacy/bela/toko-daring-realisasi'] as const) {
      const run = await pullDataset(dataset);
      expect({ inserted: run.inserted, updated: run.updated, withdrawn: run.withdrawn }).toEqual({
        inserted: 0,
        updated: 0,
        withdrawn: 0,
      });
    }
  }, 180_000);
});
