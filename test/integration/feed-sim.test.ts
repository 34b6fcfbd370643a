// The feed simulator over real HTTP with the real client: paging, as_of, determinism, every fault,
// and the reported figures reproduced exactly from the default data set.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import DecimalModule from 'decimal.js';
import { DEFAULT_ROWS, REPORTED_FIGURES, SimData, snapshotRows } from '../../src/demo/sim-data.js';
import {
  type FeedSimulatorOptions,
  type RunningFeedSimulator,
  startFeedSimulator,
} from '../../src/demo/simulator.js';
import {
  FeedBadResponseError,
  FeedClient,
  type FeedClientOptions,
  type FeedPage,
  FeedRejectedError,
  FeedUnavailableError,
  type PagesOptions,
} from '../../src/feed/client.js';
import {
  type FeedDataset,
  PROCUREMENT_DATASETS,
  type ProcurementDataset,
  parseRow,
} from '../../src/feed/contract.js';
import { type FeedItem, mapRow } from '../../src/feed/mapping.js';

// decimal.js's types describe its CommonJS build; under ESM its default export is the class itself.
const Decimal = ((DecimalModule as unknown as { default?: unknown }).default ??
  DecimalModule) as typeof DecimalModule.Decimal;

const TOKEN = 'sim-test-token';
const KLPD = 'D999';
const running: RunningFeedSimulator[] = [];

async function simulator(options: FeedSimulatorOptions = {}): Promise<RunningFeedSimulator> {
  const sim = await startFeedSimulator({ token: TOKEN, klpd: KLPD, ...options });
  running.push(sim);
  return sim;
}

function clientFor(sim: RunningFeedSimulator, options: Partial<FeedClientOptions> = {}): FeedClient {
  return new FeedClient({
    baseUrl: sim.url,
    token: TOKEN,
    timeoutMs: 5_000,
    retries: 3,
    backoffBaseMs: 5,
    backoffMaxMs: 20,
    ...options,
  });
}

async function collect(client: FeedClient, dataset: FeedDataset, options: Omit<PagesOptions, 'klpd'> = {}) {
  const pages: FeedPage[] = [];
  for await (const page of client.pages(dataset, { klpd: KLPD, ...options })) pages.push(page);
  return { pages, rows: pages.flatMap((p) => p.rows) };
}

async function raw(sim: RunningFeedSimulator, path: string, token = TOKEN) {
  const response = await fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A snapshot as the ingest will see it: valid rows, deduplicated by natural key, mapped. */
function mapSnapshot(dataset: ProcurementDataset, rows: unknown[]): { items: FeedItem[]; rejected: number } {
  const byKey = new Map<string, FeedItem>();
  let rejected = 0;
  for (const row of rows) {
    const result = parseRow(dataset, row);
    if (!result.ok) rejected += 1;
    else byKey.set(result.key, mapRow(dataset, result.row));
  }
  return { items: [...byKey.values()], rejected };
}

let sim: RunningFeedSimulator;
let client: FeedClient;

beforeAll(async () => {
  sim = await simulator();
  client = clientFor(sim);
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.close()));
});

describe('feed simulator: contract', () => {
  it('answers /healthz without a token', async () => {
    const response = await fetch(`${sim.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('refuses a missing or wrong token with 401 and the error envelope, and the client does not retry it', async () => {
    const missing = await fetch(`${sim.url}/api/v1/rup/master-satker?kode_klpd=${KLPD}`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      success: false,
      error: { code: 'UNAUTHORIZED', message: 'a valid bearer token is required', details: null },
    });
    const before = sim.requestCount();
    const error = await clientFor(sim, { token: 'wrong' })
      .page('rup/master-satker', { klpd: KLPD })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedRejectedError);
    expect((error as FeedRejectedError).details).toMatchObject({ status: 401, attempts: 1 });
    expect(sim.requestCount()).toBe(before);
  });

  it('answers 404 for an unknown dataset and 400 for a missing year', async () => {
    expect((await raw(sim, '/api/v1/rup/nope?kode_klpd=D999&tahun=2023')).status).toBe(404);
    const noYear = await raw(sim, '/api/v1/tender/tender-ekontrak-kontrak?kode_klpd=D999');
    expect(noYear.status).toBe(400);
    expect(JSON.parse(noYear.text).error.details).toEqual({ field: 'tahun' });
  });

  it('pages the agencies to the end with opaque cursors', async () => {
    const { pages, rows } = await collect(client, 'rup/master-satker', { limit: 7 });
    expect(pages.map((p) => p.rows.length)).toEqual([7, 7, 7, 7, 4]);
    expect(pages.map((p) => p.pageNumber)).toEqual([1, 2, 3, 4, 5]);
    expect(pages.at(-1)).toMatchObject({ hasMore: false, cursor: null });
    for (const p of pages.slice(0, -1)) expect(p.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(rows.map((r) => (r as { kd_satker_str: string }).kd_satker_str)).toContain(
      '1.01.0.00.0.00.01.0000',
    );
    expect(rows).toHaveLength(32);
  });

  it('serves exactly the generator rows, page after page, for a procurement snapshot', async () => {
    const { rows } = await collect(client, 'tender/non-tender-ekontrak-kontrak', { year: 2023, limit: 33 });
    const expected = [
      ...snapshotRows(new SimData({ seed: 2023, klpd: KLPD }), 'tender/non-tender-ekontrak-kontrak', 2023),
    ];
    expect(rows).toEqual(expected);
    expect(rows).toHaveLength(DEFAULT_ROWS['tender/non-tender-ekontrak-kontrak']);
  });

  it('resumes from a cursor a page returned', async () => {
    const first = await client.page('ekatalog/paket-e-purchasing', { klpd: KLPD, year: 2024, limit: 100 });
    const rest = await collect(client, 'ekatalog/paket-e-purchasing', {
      year: 2024,
      limit: 100,
      startCursor: first.cursor,
      firstPageNumber: 2,
    });
    const all = await collect(client, 'ekatalog/paket-e-purchasing', { year: 2024, limit: 100 });
    expect([...first.rows, ...rest.rows]).toEqual(all.rows);
    expect(rest.pages[0]!.pageNumber).toBe(2);
  });

  it('clamps limit to 1000', async () => {
    const big = await simulator({ size: 2_500 });
    const page = await clientFor(big).page('tender/tender-ekontrak-kontrak', {
      klpd: KLPD,
      year: 2023,
      limit: 5_000,
    });
    expect(page.rows).toHaveLength(1000);
    expect(page.hasMore).toBe(true);
  });

  it('refuses a cursor replayed with another query', async () => {
    const first = await client.page('tender/tender-ekontrak-kontrak', { klpd: KLPD, year: 2023, limit: 10 });
    const error = await client
      .page('tender/tender-ekontrak-kontrak', { klpd: KLPD, year: 2024, limit: 10, cursor: first.cursor })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedRejectedError);
    expect((error as FeedRejectedError).details).toMatchObject({
      status: 400,
      upstream: { code: 'INVALID_CURSOR' },
    });
  });

  it('answers an empty snapshot for another KLPD', async () => {
    const page = await client.page('tender/tender-ekontrak-kontrak', { klpd: 'D001', year: 2023 });
    expect(page).toEqual({ rows: [], cursor: null, hasMore: false, asOf: null, expectedRows: null });
  });

  it('scales a dataset with ?size= and pages all of it', async () => {
    const { rows, pages } = await collect(client, 'legacy/bela/toko-daring-realisasi', {
      year: 2023,
      limit: 1000,
      params: { size: '4321' },
    });
    expect(rows).toHaveLength(4321);
    expect(pages).toHaveLength(5);
    const keys = new Set(rows.map((r) => (r as { order_id: string }).order_id));
    // Every key is unique except the planted duplicates.
    expect(keys.size).toBeLessThan(4321);
    expect(keys.size).toBeGreaterThan(4000);
  });
});

describe('feed simulator: as_of and determinism', () => {
  it('answers only the rows that existed on the as_of date', async () => {
    const early = await collect(client, 'tender/tender-ekontrak-kontrak', { year: 2023, asOf: '2023-03-31' });
    const full = await collect(client, 'tender/tender-ekontrak-kontrak', { year: 2023 });
    const { items } = mapSnapshot('tender/tender-ekontrak-kontrak', early.rows);
    expect(early.rows.length).toBeGreaterThan(0);
    expect(early.rows.length).toBeLessThan(full.rows.length);
    for (const it of items) if (it.itemDate !== null) expect(it.itemDate <= '2023-03-31').toBe(true);
  });

  it('shows RUP plans as revised on each snapshot date', async () => {
    const june = await collect(client, 'rup/paket-penyedia-terumumkan', { year: 2024, asOf: '2024-06-09' });
    const september = await collect(client, 'rup/paket-penyedia-terumumkan', {
      year: 2024,
      asOf: '2024-09-06',
    });
    const before = new Map(
      mapSnapshot('rup/paket-penyedia-terumumkan', june.rows).items.map((i) => [i.sourceKey, i]),
    );
    const after = mapSnapshot('rup/paket-penyedia-terumumkan', september.rows).items;
    expect(after.some((i) => !before.has(i.sourceKey))).toBe(true);
    expect(after.some((i) => before.has(i.sourceKey) && before.get(i.sourceKey)!.value !== i.value)).toBe(
      true,
    );
  });

  it('serves the same bytes from two servers with the same seed, and other bytes with another seed', async () => {
    const a = await simulator({ seed: 42 });
    const b = await simulator({ seed: 42 });
    const c = await simulator({ seed: 43 });
    const path = '/api/v1/tender/pencatatan-non-tender?kode_klpd=D999&tahun=2024&limit=50&as_of=2024-09-06';
    const [ta, tb, tc] = await Promise.all([raw(a, path), raw(b, path), raw(c, path)]);
    expect(ta.status).toBe(200);
    expect(ta.text).toBe(tb.text);
    expect(ta.text).not.toBe(tc.text);
    const cursor = JSON.parse(ta.text).meta.cursor as string;
    const [na, nb] = await Promise.all([
      raw(a, `${path}&cursor=${cursor}`),
      raw(b, `${path}&cursor=${cursor}`),
    ]);
    expect(na.text).toBe(nb.text);
  });
});

describe('feed simulator: faults', () => {
  it('fails every nth request with 503, and the client retries through it', async () => {
    const faulty = await simulator({ faults: { failEveryNth5xx: 2 } });
    const { rows } = await collect(clientFor(faulty), 'rup/master-satker', { limit: 10 });
    expect(rows).toHaveLength(32);
    // Four pages, each second request failed once: 4 answered + 3 failed (requests 2, 4, 6).
    expect(faulty.requestCount()).toBe(7);
  });

  it('surfaces FEED_UNAVAILABLE after the retries when every request fails', async () => {
    const down = await simulator({ faults: { failEveryNth5xx: 1 } });
    const error = await clientFor(down, { retries: 2 })
      .page('rup/master-satker', { klpd: KLPD })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedUnavailableError);
    expect((error as FeedUnavailableError).details).toMatchObject({
      attempts: 3,
      status: 503,
      upstream: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(down.requestCount()).toBe(3);
  });

  it('rate-limits with 429 and Retry-After in seconds, which the client waits out', async () => {
    const limited = await simulator({ faults: { rateLimitEveryNth: 2, retryAfterSeconds: 1 } });
    const response = await raw(limited, '/api/v1/rup/master-satker?kode_klpd=D999');
    expect(response.status).toBe(200);
    const second = await raw(limited, '/api/v1/rup/master-satker?kode_klpd=D999');
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    const started = Date.now();
    await clientFor(limited, { backoffBaseMs: 1 }).page('rup/master-satker', { klpd: KLPD });
    // Request 3 passes; request 4 is limited and waited for.
    await clientFor(limited, { backoffBaseMs: 1 }).page('rup/master-satker', { klpd: KLPD });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('sends Retry-After as an HTTP date on request, which the client honours too', async () => {
    const limited = await simulator({
      faults: { rateLimitEveryNth: 1, retryAfterAsDate: true, retryAfterSeconds: 2 },
    });
    const response = await raw(limited, '/api/v1/rup/master-satker?kode_klpd=D999');
    expect(response.status).toBe(429);
    expect(Number.isNaN(Date.parse(response.headers.get('retry-after')!))).toBe(false);
    const error = await clientFor(limited, { maxRetryAfterMs: 500 })
      .page('rup/master-satker', { klpd: KLPD })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedUnavailableError);
    expect((error as FeedUnavailableError).details?.retryAfterMs).toBeGreaterThan(500);
  });

  it('truncates the JSON of one page once; the client retries and gets the whole page', async () => {
    const truncating = await simulator({ faults: { truncateJsonOnPage: 2 } });
    const pulled = await collect(clientFor(truncating), 'rup/master-satker', { limit: 10 });
    expect(pulled.rows).toHaveLength(32);
    expect(truncating.requestCount()).toBe(5);
  });

  it('surfaces FEED_BAD_RESPONSE when a page stays truncated', async () => {
    const truncating = await simulator({ faults: { truncateJsonOnPage: 1, faultTimes: 0 } });
    const error = await clientFor(truncating, { retries: 1 })
      .page('rup/master-satker', { klpd: KLPD })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedBadResponseError);
    expect((error as Error).message).toContain('truncated or invalid JSON');
  });

  it('answers an HTML challenge with status 200, which is never taken for data', async () => {
    const challenged = await simulator({ faults: { htmlChallengeOnPage: 1, faultTimes: 0 } });
    const response = await raw(challenged, '/api/v1/rup/master-satker?kode_klpd=D999');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const error = await clientFor(challenged, { retries: 1 })
      .page('rup/master-satker', { klpd: KLPD })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedBadResponseError);
    expect((error as Error).message).toContain('not JSON');
  });

  it('retries past a one-off HTML challenge', async () => {
    const challenged = await simulator({ faults: { htmlChallengeOnPage: 1 } });
    expect((await clientFor(challenged).page('rup/master-satker', { klpd: KLPD })).rows).toHaveLength(32);
  });

  it('times out a slow page and retries it; a page that stays slow surfaces FEED_UNAVAILABLE', async () => {
    const slowOnce = await simulator({ faults: { slowPageMs: 1_000, slowOnPage: 1 } });
    const page = await clientFor(slowOnce, { timeoutMs: 200 }).page('rup/master-satker', { klpd: KLPD });
    expect(page.rows).toHaveLength(32);
    expect(slowOnce.requestCount()).toBe(2);

    const slow = await simulator({ faults: { slowPageMs: 1_000 } });
    const error = await clientFor(slow, { timeoutMs: 150, retries: 1 })
      .page('rup/master-satker', { klpd: KLPD })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedUnavailableError);
    expect((error as Error).message).toContain('did not answer within 150 ms');
  });

  it('plants invalid rows every nth row on request, rejected by the row schema', async () => {
    const { rows } = await collect(client, 'tender/tender-ekontrak-kontrak', {
      year: 2023,
      params: { fault_invalidRowsEvery: '10' },
    });
    const clean = await collect(client, 'tender/tender-ekontrak-kontrak', { year: 2023 });
    const rejectedWith = mapSnapshot('tender/tender-ekontrak-kontrak', rows).rejected;
    const rejectedWithout = mapSnapshot('tender/tender-ekontrak-kontrak', clean.rows).rejected;
    expect(rejectedWith).toBeGreaterThanOrEqual(rejectedWithout + 8);
  });

  it('changes some rows between two snapshots, keeping their keys', async () => {
    const dataset = 'tender/pencatatan-non-tender';
    const before = mapSnapshot(dataset, (await collect(client, dataset, { year: 2023 })).rows).items;
    const after = mapSnapshot(
      dataset,
      (
        await collect(clientFor(sim, { headers: { 'x-feed-faults': 'changedRowsSeed=7' } }), dataset, {
          year: 2023,
        })
      ).rows,
    ).items;
    const old = new Map(before.map((i) => [i.sourceKey, i]));
    expect(after.map((i) => i.sourceKey).sort()).toEqual([...old.keys()].sort());
    const changed = after.filter((i) => JSON.stringify(i) !== JSON.stringify(old.get(i.sourceKey)));
    expect(changed.length).toBeGreaterThan(3);
    expect(changed.length).toBeLessThan(after.length / 4);
    for (const i of changed) expect(i.title).toContain('(perubahan)');
  });

  it('drops some rows from a snapshot, always the same ones, keeping paging consistent', async () => {
    const dataset = 'ekatalog/paket-e-purchasing';
    const full = mapSnapshot(dataset, (await collect(client, dataset, { year: 2024 })).rows).items;
    const pull = () =>
      collect(client, dataset, { year: 2024, limit: 17, params: { fault_disappearingRows: '5' } });
    const first = await pull();
    const second = await pull();
    expect(second.rows).toEqual(first.rows);
    const partial = mapSnapshot(dataset, first.rows).items;
    const keys = new Set(full.map((i) => i.sourceKey));
    expect(partial.every((i) => keys.has(i.sourceKey))).toBe(true);
    expect(partial.length).toBeLessThan(full.length * 0.9);
    expect(partial.length).toBeGreaterThan(full.length * 0.6);
  });

  it('refuses an unknown fault name', async () => {
    const response = await raw(sim, '/api/v1/rup/master-satker?kode_klpd=D999&fault_explode=1');
    expect(response.status).toBe(400);
  });
});

describe('feed simulator: the reported figures', () => {
  async function snapshotTotals(year: number, asOf: string, ask: 'asOf' | 'latest' = 'asOf') {
    const parts = await Promise.all(
      PROCUREMENT_DATASETS.map(async (dataset) => {
        const { rows, pages } = await collect(client, dataset, ask === 'asOf' ? { year, asOf } : { year });
        expect(pages.every((p) => p.asOf === asOf)).toBe(true);
        return mapSnapshot(dataset, rows).items;
      }),
    );
    let commitment = new Decimal(0);
    let realisation = new Decimal(0);
    for (const it of parts.flat()) {
      if (!it.counted || it.pdnValue === null) continue;
      if (it.kind === 'PLAN') commitment = commitment.plus(it.pdnValue);
      else if (it.itemDate !== null && it.itemDate <= asOf) realisation = realisation.plus(it.pdnValue);
    }
    return { commitment: commitment.toFixed(2), realisation: realisation.toFixed(2) };
  }

  it.each(REPORTED_FIGURES.map((f) => [f.fiscalYear, f.asOf, f.realisationPdn, f.commitment] as const))(
    'reproduces %i as of %s: realisation Rp%s of commitment Rp%s, to the cent',
    async (year, asOf, realisationPdn, commitment) => {
      expect(await snapshotTotals(year, asOf)).toEqual({ realisation: realisationPdn, commitment });
    },
  );

  it.each([
    [2023, '2023-11-05', '13100000000000.00', '15800000000000.00'],
    [2024, '2024-09-06', '16050000000000.00', '30680000000000.00'],
  ] as const)(
    'answers %i without as_of as it stood on its latest report (%s), and says so',
    async (year, asOf, r, c) => {
      expect(await snapshotTotals(year, asOf, 'latest')).toEqual({ realisation: r, commitment: c });
    },
  );

  it('gives the same 2022 full-year figures without as_of', async () => {
    const parts = await Promise.all(
      PROCUREMENT_DATASETS.map(
        async (dataset) => mapSnapshot(dataset, (await collect(client, dataset, { year: 2022 })).rows).items,
      ),
    );
    const sum = (kind: FeedItem['kind']) =>
      parts
        .flat()
        .filter((i) => i.counted && i.kind === kind && i.pdnValue !== null)
        .reduce((a, i) => a.plus(i.pdnValue!), new Decimal(0))
        .toFixed(2);
    expect(sum('REALISATION')).toBe('20454000000000.00');
    expect(sum('PLAN')).toBe('11334000000000.00');
  });
});
