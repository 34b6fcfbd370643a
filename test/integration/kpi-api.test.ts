// The KPI graph over real HTTP: kpiSummary, kpiSeries, agencyRanking, kpiBreakdown and
// programmeKpis against data built with factories and published by the real recompute.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb, pool } from '../../src/lib/db.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { type Api, createKeys, type Keys, startApi } from '../factories/api.js';
import { makeDeal, makeEvent, makeExhibitor, register } from '../factories/data.js';
import { createAgency, createRun, setTarget, upsertItems, withdrawItems } from '../factories/kpi-items.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

let api: Api;
let keys: Keys;
const ids: Record<'P' | 'A1' | 'A2' | 'A3', { id: number; code: string }> = {} as never;
let runs: { r2022: number; r1: number; r2: number };
let versions: { v2022: number; v1: number; v2: number };

beforeAll(async () => {
  await createTestDatabase();
  ids.P = await createAgency({ code: 'P', name: 'Provinsi Uji', kind: 'PROVINCE' });
  ids.A1 = await createAgency({ code: 'A1', name: 'Dinas Satu', parentId: ids.P.id });
  ids.A2 = await createAgency({ code: 'A2', name: 'Dinas Dua', parentId: ids.P.id });
  ids.A3 = await createAgency({ code: 'A3', name: 'RSUD Tiga', kind: 'RSUD', parentId: ids.A1.id });
  await setTarget({ fiscalYear: 2022, agencyId: ids.P.id, officialCommitment: '500.00' });
  await setTarget({ fiscalYear: 2023, agencyId: ids.P.id, officialCommitment: '1000.00' });

  const r2022 = await createRun({ fiscalYear: 2022, asOf: '2022-12-31' });
  await upsertItems(
    [{ sourceKey: 'y22', fiscalYear: 2022, agencyId: ids.A1.id, value: '600.00', itemDate: '2022-05-01' }],
    r2022,
  );
  const v2022 = (await recomputeKpis({ reason: 'ingest', runIds: [r2022] })).version;

  const r1 = await createRun({ fiscalYear: 2023, asOf: '2023-06-30' });
  await upsertItems(
    [
      {
        sourceKey: 't1',
        agencyId: ids.A1.id,
        value: '100.00',
        pdnValue: '80.00',
        umkValue: '40.00',
        itemDate: '2023-01-15',
        vendorScale: 'SMALL',
      },
      {
        sourceKey: 'k1',
        agencyId: ids.A1.id,
        channel: 'E_KATALOG',
        value: '50.00',
        umkValue: null,
        itemDate: '2023-03-10',
        vendorScale: 'MICRO',
      },
      {
        sourceKey: 't2',
        agencyId: ids.A2.id,
        value: '200.00',
        pdnValue: '100.00',
        itemDate: '2023-03-20',
        vendorScale: 'LARGE',
      },
      {
        sourceKey: 'd1',
        agencyId: ids.A3.id,
        channel: 'TOKO_DARING',
        value: '10.00',
        umkValue: '10.00',
        itemDate: '2023-06-01',
        vendorScale: 'MICRO',
      },
      { sourceKey: 'u1', agencyId: null, value: '5.00', umkValue: '5.00', itemDate: '2023-02-01' },
      { sourceKey: 'p1', kind: 'PLAN', agencyId: ids.A1.id, value: '300.00' },
      { sourceKey: 'p2', kind: 'PLAN', agencyId: ids.A2.id, value: '400.00' },
      { sourceKey: 'p3', kind: 'PLAN', agencyId: ids.A3.id, value: null, pdnValue: null },
    ],
    r1,
  );
  const v1 = (await recomputeKpis({ reason: 'ingest', runIds: [r1] })).version;

  const r2 = await createRun({ fiscalYear: 2023, asOf: '2023-09-30' });
  await upsertItems(
    [{ sourceKey: 't3', agencyId: ids.A2.id, value: '300.00', itemDate: '2023-09-05', vendorScale: 'LARGE' }],
    r2,
  );
  await withdrawItems([{ sourceKey: 'k1' }], r2);
  const v2 = (await recomputeKpis({ reason: 'ingest', runIds: [r2] })).version;
  runs = { r2022, r1, r2 };
  versions = { v2022, v1, v2 };
  api = await startApi();
  keys = await createKeys();
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

const SUMMARY = `query ($year: Int!, $agency: String, $asOf: Date, $sub: Boolean, $locale: KpiLocale) {
  kpiSummary(year: $year, agency: $agency, asOf: $asOf, includeSubunits: $sub) {
    year asOf dataVersion figuresDate includesSubunits agency { code name }
    realisation totalValue umkValue itemCount planCount
    unknown { pdnValue value umkValue commitment }
    commitment officialCommitment commitmentUsed commitmentBasis attainment
    pdnShare umkShare pdnShareTarget pdnShareGap pdnShareStatus umkShareTarget umkShareGap umkShareStatus
    targetToDate targetToDatePercent gapToDate commitmentGap status
    coverage { reportingAgencies expectedAgencies ratio unattributedItems }
    provenance { dataVersion asOf fetchedAt recomputedAt snapshotIds snapshots { runId dataset asOf fetchedAt } }
    formatted(locale: $locale) { realisation attainment pdnShare commitment gapToDate pdnShareGap }
  }
}`;

describe('kpiSummary', () => {
  it('answers the newest snapshot of a year with exact sums, shares and provenance', async () => {
    const res = await api.gql(SUMMARY, { year: 2023 });
    expect(res.errors).toBeUndefined();
    const s = res.data.kpiSummary;
    expect(s).toMatchObject({
      year: 2023,
      asOf: '2023-09-30',
      dataVersion: versions.v2,
      figuresDate: '2023-09-30',
      agency: null,
      // 80 + 100 + 300 + 10 + 5 (the e-Katalog order was withdrawn)
      realisation: '495.00',
      totalValue: '615.00',
      umkValue: '55.00',
      itemCount: 5,
      planCount: 3,
      unknown: { pdnValue: 0, value: 0, umkValue: 0, commitment: 1 },
      commitment: '700.00',
      officialCommitment: '1000.00',
      commitmentUsed: '700.00',
      commitmentBasis: 'COMPUTED',
      attainment: 70.7143,
      pdnShare: 80.4878,
      umkShare: 8.9431,
      pdnShareTarget: 95,
      pdnShareGap: 14.5122,
      pdnShareStatus: 'BEHIND',
      umkShareTarget: 40,
      umkShareStatus: 'BEHIND',
      // 700 × 273/365 = 523.56…
      targetToDate: '523.56',
      targetToDatePercent: 74.7945,
      gapToDate: '28.56',
      commitmentGap: '205.00',
      status: 'BEHIND',
      coverage: { reportingAgencies: 3, expectedAgencies: 3, ratio: 100, unattributedItems: 1 },
      formatted: {
        realisation: 'Rp495',
        attainment: '70,7 %',
        pdnShare: '80,5 %',
        commitment: 'Rp700',
        gapToDate: 'Rp28,56',
        pdnShareGap: '14,5 poin',
      },
    });
    expect(s.provenance).toMatchObject({ dataVersion: versions.v2, asOf: '2023-09-30' });
    expect(s.provenance.snapshotIds).toEqual([runs.r2]);
    expect(s.provenance.snapshots).toEqual([
      expect.objectContaining({
        runId: runs.r2,
        dataset: 'tender/tender-ekontrak-kontrak',
        asOf: '2023-09-30',
      }),
    ]);
    expect(new Date(s.provenance.recomputedAt).getTime()).toBeGreaterThan(0);
  });

  it('reads the figures as they stood on an earlier date from the version of that snapshot', async () => {
    const res = await api.gql(SUMMARY, { year: 2023, asOf: '2023-07-15' });
    expect(res.data.kpiSummary).toMatchObject({
      asOf: '2023-06-30',
      dataVersion: versions.v1,
      realisation: '245.00',
      attainment: 35,
      itemCount: 5,
    });
    const before = await api.gql(SUMMARY, { year: 2023, asOf: '2023-01-01' });
    expect(before.data.kpiSummary).toMatchObject({
      asOf: null,
      dataVersion: 0,
      realisation: '0.00',
      attainment: null,
    });
  });

  it('falls back to the official commitment when no plan counts, and shows attainment above 100 %', async () => {
    const res = await api.gql(SUMMARY, { year: 2022, locale: 'EN' });
    expect(res.data.kpiSummary).toMatchObject({
      realisation: '600.00',
      commitment: null,
      officialCommitment: '500.00',
      commitmentBasis: 'OFFICIAL',
      attainment: 120,
      status: 'ACHIEVED',
      formatted: { attainment: '120.0%', realisation: 'IDR 600' },
    });
  });

  it('covers an agency with its sub-units, or alone', async () => {
    const withSub = await api.gql(SUMMARY, { year: 2023, agency: 'A1' });
    expect(withSub.data.kpiSummary).toMatchObject({
      agency: { code: 'A1', name: 'Dinas Satu' },
      includesSubunits: true,
      realisation: '90.00',
      commitment: '300.00',
      planCount: 2,
      attainment: 30,
      coverage: { reportingAgencies: 2, expectedAgencies: 2, unattributedItems: 0 },
      // A1 has no targets of its own: the province's stand for it.
      pdnShareTarget: 95,
    });
    const alone = await api.gql(SUMMARY, { year: 2023, agency: 'A1', sub: false });
    expect(alone.data.kpiSummary).toMatchObject({
      includesSubunits: false,
      realisation: '80.00',
      planCount: 1,
    });
  });

  it('answers NOT_FOUND for an unknown agency and BAD_USER_INPUT for an impossible year', async () => {
    const missing = await api.gql(SUMMARY, { year: 2023, agency: 'NOPE' });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const year = await api.gql(SUMMARY, { year: 1200 });
    expect(year.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('pro-rates the target by the time-phased table an admin sets, and back by days when cleared', async () => {
    const SET = `mutation ($input: SetKpiTargetPhasesInput!) { setKpiTargetPhases(input: $input) {
      __typename ... on MutationSetKpiTargetPhasesSuccess { data { fiscalYear agencyCode cumulativePercents } }
      ... on ValidationError { field message } } }`;
    const months = [5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 85, 100];
    const set = await api.gql(SET, { input: { fiscalYear: 2023, cumulativePercents: months } }, keys.admin);
    expect(set.data.setKpiTargetPhases.data).toEqual({
      fiscalYear: 2023,
      agencyCode: null,
      cumulativePercents: months,
    });
    const read = await api.gql('{ kpiTargetPhases(year: 2023) { cumulativePercents } }');
    expect(read.data.kpiTargetPhases.cumulativePercents).toEqual(months);
    // 30 September: the end of month 9, 60 % of 700.
    const phased = await api.gql(SUMMARY, { year: 2023 });
    expect(phased.data.kpiSummary).toMatchObject({
      targetToDatePercent: 60,
      targetToDate: '420.00',
      status: 'ON_TRACK',
    });
    await api.gql(SET, { input: { fiscalYear: 2023, cumulativePercents: [] } }, keys.admin);
    const linear = await api.gql(SUMMARY, { year: 2023 });
    expect(linear.data.kpiSummary).toMatchObject({ targetToDate: '523.56', status: 'BEHIND' });
  });

  it('refuses phases that decrease or do not reach 100 %, and refuses non-admins', async () => {
    const SET = `mutation ($input: SetKpiTargetPhasesInput!) { setKpiTargetPhases(input: $input) {
      __typename ... on ValidationError { field } } }`;
    const down = [10, 5, 15, 20, 25, 30, 40, 50, 60, 70, 85, 100];
    const res = await api.gql(SET, { input: { fiscalYear: 2023, cumulativePercents: down } }, keys.admin);
    expect(res.data.setKpiTargetPhases).toEqual({
      __typename: 'ValidationError',
      field: 'input.cumulativePercents',
    });
    const short = await api.gql(SET, { input: { fiscalYear: 2023, cumulativePercents: [100] } }, keys.admin);
    expect(short.data.setKpiTargetPhases.__typename).toBe('ValidationError');
    const analyst = await api.gql(SET, { input: { fiscalYear: 2023, cumulativePercents: [] } }, keys.analyst);
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await pool.query('SELECT count(*)::int AS n FROM kpi_target_phase')).rows[0].n).toBe(0);
  });

  it('compares with the previous year through the same month and projects the year end', async () => {
    const res = await api.gql(`{ kpiSummary(year: 2023) {
      yearOverYear { previousYear throughMonth previousDataVersion previousAsOf previousRealisationToDate
        previousRealisationFullYear change changePercent previousAttainmentFullYear }
      projection { method elapsedDays daysInYear runRatePerDay yearEndRealisation yearEndAttainment }
    } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.kpiSummary.yearOverYear).toEqual({
      previousYear: 2022,
      throughMonth: 9,
      previousDataVersion: versions.v2022,
      previousAsOf: '2022-12-31',
      previousRealisationToDate: '600.00',
      previousRealisationFullYear: '600.00',
      change: '-105.00',
      changePercent: -17.5,
      previousAttainmentFullYear: 120,
    });
    expect(res.data.kpiSummary.projection).toEqual({
      method: expect.stringMatching(/run rate/i),
      elapsedDays: 273,
      daysInYear: 365,
      runRatePerDay: '1.81',
      // 495 × 365 / 273 = 661.813…
      yearEndRealisation: '661.81',
      yearEndAttainment: 94.5443,
    });
  });

  it('is reachable from an agency in the graph', async () => {
    const res = await api.gql(
      `{ agencies(filter: { search: "Dinas Dua" }) { edges { node { code kpiSummary(year: 2023) { realisation attainment } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.agencies.edges).toEqual([
      { node: { code: 'A2', kpiSummary: { realisation: '400.00', attainment: 100 } } },
    ]);
  });
});

describe('kpiSeries', () => {
  const SERIES = `query ($year: Int!, $cumulative: Boolean, $asOf: Date) {
    kpiSeries(year: $year, cumulative: $cumulative, asOf: $asOf) {
      year cumulative asOf dataVersion undatedItemCount undatedRealisation
      points { month period realisation itemCount attainment targetToDate }
      provenance { dataVersion }
    }
  }`;

  it('gives one point per Asia/Jakarta month through the as-of month', async () => {
    const res = await api.gql(SERIES, { year: 2023 });
    const s = res.data.kpiSeries;
    expect(s).toMatchObject({
      year: 2023,
      cumulative: false,
      asOf: '2023-09-30',
      dataVersion: versions.v2,
      undatedItemCount: 0,
    });
    expect(s.points.map((p: { period: string }) => p.period)).toEqual([
      '2023-01',
      '2023-02',
      '2023-03',
      '2023-04',
      '2023-05',
      '2023-06',
      '2023-07',
      '2023-08',
      '2023-09',
    ]);
    expect(s.points.map((p: { realisation: string }) => p.realisation)).toEqual([
      '80.00',
      '5.00',
      '100.00',
      '0.00',
      '0.00',
      '10.00',
      '0.00',
      '0.00',
      '300.00',
    ]);
  });

  it('adds up the months when cumulative, ending at the year-to-date total', async () => {
    const res = await api.gql(SERIES, { year: 2023, cumulative: true });
    const points = res.data.kpiSeries.points;
    expect(points.map((p: { realisation: string }) => p.realisation)).toEqual([
      '80.00',
      '85.00',
      '185.00',
      '185.00',
      '185.00',
      '195.00',
      '195.00',
      '195.00',
      '495.00',
    ]);
    expect(points.at(-1)).toMatchObject({ attainment: 70.7143, targetToDate: '523.56' });
    // 700 × 31/365 at the end of January.
    expect(points[0].targetToDate).toBe('59.45');
  });

  it('stops at the month of an earlier snapshot', async () => {
    const res = await api.gql(SERIES, { year: 2023, asOf: '2023-07-01', cumulative: true });
    expect(res.data.kpiSeries.points).toHaveLength(6);
    expect(res.data.kpiSeries.points.at(-1).realisation).toBe('245.00');
  });
});

describe('agencyRanking', () => {
  const RANKING = `query ($year: Int!, $metric: KpiMetric, $order: OrderDirection, $first: Int, $after: String) {
    agencyRanking(year: $year, metric: $metric, order: $order, first: $first, after: $after) {
      totalCount
      provenance { dataVersion asOf }
      pageInfo { hasNextPage endCursor }
      edges { node { rank agency { code } realisation attainment commitmentUsed planCount } }
    }
  }`;
  const codes = (res: { data: { agencyRanking: { edges: { node: { agency: { code: string } } }[] } } }) =>
    res.data.agencyRanking.edges.map((e) => e.node.agency.code);

  it('ranks agencies by realisation, largest first, with the version read', async () => {
    const res = await api.gql(RANKING, { year: 2023 });
    expect(res.errors).toBeUndefined();
    expect(res.data.agencyRanking.totalCount).toBe(3);
    expect(res.data.agencyRanking.provenance).toEqual({ dataVersion: versions.v2, asOf: '2023-09-30' });
    expect(res.data.agencyRanking.edges.map((e: { node: unknown }) => e.node)).toEqual([
      {
        rank: 1,
        agency: { code: 'A2' },
        realisation: '400.00',
        attainment: 100,
        commitmentUsed: '400.00',
        planCount: 1,
      },
      {
        rank: 2,
        agency: { code: 'A1' },
        realisation: '80.00',
        attainment: 26.6667,
        commitmentUsed: '300.00',
        planCount: 1,
      },
      // Its only plan has an unknown pagu: a zero commitment, so no attainment.
      {
        rank: 3,
        agency: { code: 'A3' },
        realisation: '10.00',
        attainment: null,
        commitmentUsed: '0.00',
        planCount: 1,
      },
    ]);
  });

  it('puts agencies without a value last in either order and pages with cursors', async () => {
    const asc = await api.gql(RANKING, { year: 2023, metric: 'ATTAINMENT', order: 'ASC' });
    expect(codes(asc)).toEqual(['A1', 'A2', 'A3']);
    const first = await api.gql(RANKING, { year: 2023, metric: 'ATTAINMENT', order: 'DESC', first: 2 });
    expect(codes(first)).toEqual(['A2', 'A1']);
    expect(first.data.agencyRanking.pageInfo.hasNextPage).toBe(true);
    const next = await api.gql(RANKING, {
      year: 2023,
      metric: 'ATTAINMENT',
      order: 'DESC',
      first: 2,
      after: first.data.agencyRanking.pageInfo.endCursor,
    });
    expect(codes(next)).toEqual(['A3']);
    expect(next.data.agencyRanking.edges[0].node.rank).toBe(3);
  });
});

describe('kpiBreakdown', () => {
  const BREAKDOWN = `query ($by: KpiBreakdownBy!, $locale: KpiLocale) {
    kpiBreakdown(year: 2023, by: $by) {
      by dataVersion provenance { dataVersion }
      rows { key label(locale: $locale) agency { code } realisation totalValue itemCount shareOfRealisation attainment }
    }
  }`;
  const rows = (res: { data: { kpiBreakdown: { rows: Record<string, unknown>[] } } }) =>
    res.data.kpiBreakdown.rows.map((r) => [r.key, r.realisation, r.shareOfRealisation]);

  it('splits realisation by channel', async () => {
    const res = await api.gql(BREAKDOWN, { by: 'CHANNEL', locale: 'EN' });
    expect(res.errors).toBeUndefined();
    expect(rows(res)).toEqual([
      ['TENDER', '485.00', 97.9798],
      ['TOKO_DARING', '10.00', 2.0202],
    ]);
    expect(res.data.kpiBreakdown.rows[1].label).toBe('Online shops (Toko Daring)');
    expect(res.data.kpiBreakdown.rows[0].attainment).toBeNull();
  });

  it('splits realisation by agency, with items of unknown agencies apart', async () => {
    const res = await api.gql(BREAKDOWN, { by: 'AGENCY' });
    expect(rows(res)).toEqual([
      ['A2', '400.00', 80.8081],
      ['A1', '80.00', 16.1616],
      ['A3', '10.00', 2.0202],
      ['UNATTRIBUTED', '5.00', 1.0101],
    ]);
    expect(res.data.kpiBreakdown.rows[0]).toMatchObject({ label: 'Dinas Dua', agency: { code: 'A2' } });
    expect(res.data.kpiBreakdown.rows[3]).toMatchObject({ label: 'Satker tidak dikenal', agency: null });
  });

  it('splits realisation by vendor scale', async () => {
    const res = await api.gql(BREAKDOWN, { by: 'VENDOR_SCALE' });
    expect(rows(res)).toEqual([
      ['LARGE', '400.00', 80.8081],
      ['SMALL', '80.00', 16.1616],
      ['MICRO', '10.00', 2.0202],
      ['UNKNOWN', '5.00', 1.0101],
    ]);
  });
});

describe('programmeKpis', () => {
  it('counts held batches, unique and new exhibitors, deals and conversion into vendors', async () => {
    const b1 = await makeEvent({
      year: 2023,
      batchNumber: 1,
      status: 'DONE',
      startDate: new Date('2023-02-13'),
      endDate: new Date('2023-02-16'),
    });
    const b2 = await makeEvent({
      year: 2023,
      batchNumber: 2,
      status: 'DONE',
      startDate: new Date('2023-03-13'),
      endDate: new Date('2023-03-16'),
    });
    await makeEvent({
      year: 2023,
      batchNumber: 3,
      status: 'DRAFT',
      startDate: new Date('2023-05-08'),
      endDate: new Date('2023-05-11'),
    });
    const x1 = await makeExhibitor({ vendorCode: 'V1' });
    const x2 = await makeExhibitor({ npwp: '01.234.567.8-901.000' });
    const x3 = await makeExhibitor({});
    await register(b1.id, x1.id);
    await register(b1.id, x2.id);
    await register(b2.id, x1.id);
    await register(b2.id, x3.id);
    await makeDeal({ eventId: b1.id, agencyId: ids.A1.id, exhibitorId: x1.id }, { value: '1000000.00' });
    // Fiscal year 2021 keeps these out of the KPI figures checked above.
    await upsertItems([
      {
        sourceKey: 'v1-after',
        fiscalYear: 2021,
        agencyId: ids.A1.id,
        vendorCode: 'V1',
        value: '70.00',
        itemDate: '2023-03-01',
      },
      {
        sourceKey: 'v1-before',
        fiscalYear: 2021,
        agencyId: ids.A1.id,
        vendorCode: 'V1',
        value: '9.00',
        itemDate: '2023-01-01',
      },
      {
        sourceKey: 'n-after',
        fiscalYear: 2021,
        agencyId: ids.A1.id,
        vendorNpwp: '0012345678901000',
        value: '30.00',
        itemDate: '2023-04-01',
      },
      {
        sourceKey: 'n-uncounted',
        fiscalYear: 2021,
        agencyId: ids.A1.id,
        vendorNpwp: '0012345678901000',
        value: '99.00',
        itemDate: '2023-04-01',
        counted: false,
      },
    ]);
    const res = await api.gql(`{ programmeKpis(year: 2023) {
      year eventsHeld uniqueExhibitors dealCount dealValue
      batches { batchNumber event { title } exhibitors newExhibitors returningExhibitors dealCount dealValue convertedExhibitors convertedValue }
      conversion { exhibitors matchable converted rate items value pdnValue formatted(locale: EN) { value rate } }
    } }`);
    expect(res.errors).toBeUndefined();
    const p = res.data.programmeKpis;
    expect(p).toMatchObject({
      year: 2023,
      eventsHeld: 2,
      uniqueExhibitors: 3,
      dealCount: 1,
      dealValue: '1000000.00',
    });
    expect(p.batches).toEqual([
      expect.objectContaining({
        batchNumber: 1,
        exhibitors: 2,
        newExhibitors: 2,
        returningExhibitors: 0,
        dealCount: 1,
        convertedExhibitors: 2,
        convertedValue: '100.00',
      }),
      expect.objectContaining({
        batchNumber: 2,
        exhibitors: 2,
        newExhibitors: 1,
        returningExhibitors: 1,
        dealCount: 0,
        convertedExhibitors: 0,
        convertedValue: '0.00',
      }),
    ]);
    expect(p.conversion).toEqual({
      exhibitors: 3,
      matchable: 2,
      converted: 2,
      rate: 66.6667,
      items: 2,
      value: '100.00',
      pdnValue: '100.00',
      formatted: { value: 'IDR 100', rate: '66.7%' },
    });
  });
});

describe('atomic publication', () => {
  it('a reader sees each data version whole while a large recompute runs', async () => {
    const QUERY = '{ kpiSummary(year: 2023) { dataVersion realisation itemCount } }';
    const before = (await api.gql(QUERY)).data.kpiSummary;
    const run = await createRun({ fiscalYear: 2023, asOf: '2023-10-15' });
    await pool.query(
      `INSERT INTO procurement_item (dataset, source_key, kind, channel, fiscal_year, agency_code, agency_id, value,
         pdn_value, umk_value, item_date, counted, content_hash, raw, last_run_id)
       SELECT 'tender/tender-ekontrak-kontrak', 'bulk' || g, 'REALISATION', 'TENDER', 2023, 'A1', $1, 1, 1, 0,
         make_date(2023, 1 + g % 10, 1 + g % 28), true, 'h', '{}', $2
       FROM generate_series(1, 20000) g`,
      [ids.A1.id, run],
    );
    await pool.query(
      `INSERT INTO kpi_dirty_bucket (fiscal_year, agency_id, month, run_id)
       SELECT 2023, $1, m, $2 FROM generate_series(1, 10) m`,
      [ids.A1.id, run],
    );
    const seen: { dataVersion: number; realisation: string; itemCount: number }[] = [];
    let done = false;
    const recompute = recomputeKpis({ reason: 'bulk', runIds: [run] }).finally(() => {
      done = true;
    });
    while (!done) seen.push((await api.gql(QUERY)).data.kpiSummary);
    const { version } = await recompute;
    const after = { dataVersion: version, realisation: '20495.00', itemCount: 20005 };
    expect((await api.gql(QUERY)).data.kpiSummary).toEqual(after);
    for (const s of seen) expect(s).toEqual(s.dataVersion === version ? after : before);
  });
});

describe('recomputeKpis mutation', () => {
  const RECOMPUTE = `mutation ($input: RecomputeKpisInput) { recomputeKpis(input: $input) {
    __typename ... on MutationRecomputeKpisSuccess { data { dataVersion touchedBuckets status } } } }`;

  it('lets an admin run a full recompute that changes no figure: nothing is published, the figures are confirmed', async () => {
    const before = (await api.gql('{ kpiSummary(year: 2023) { dataVersion realisation } }')).data.kpiSummary;
    const versions = (await pool.query('SELECT count(*)::int AS n FROM kpi_version')).rows[0].n;
    const res = await api.gql(RECOMPUTE, { input: { full: true, reason: 'test' } }, keys.admin);
    expect(res.errors).toBeUndefined();
    const { dataVersion, touchedBuckets, status } = res.data.recomputeKpis.data;
    expect(status).toBe('UNCHANGED');
    expect(touchedBuckets).toBeGreaterThan(0);
    const after = (await api.gql('{ kpiSummary(year: 2023) { dataVersion realisation } }')).data.kpiSummary;
    expect(after).toEqual({ dataVersion, realisation: before.realisation });
    expect(after.dataVersion).toBe(before.dataVersion);
    expect((await pool.query('SELECT count(*)::int AS n FROM kpi_version')).rows[0].n).toBe(versions);
  });

  it('refuses the public and analysts', async () => {
    const pub = await api.gql(RECOMPUTE, {});
    expect(pub.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const analyst = await api.gql(RECOMPUTE, {}, keys.analyst);
    expect(analyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
