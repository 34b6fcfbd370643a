// Completeness per agency and month: expected vs received, agencies that reported nothing, late
// arrivals, months outside an agency's usual range, and the open month (series points too).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb } from '../../src/lib/db.js';
import { outlierMonths } from '../../src/services/kpi/completeness.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { type Api, startApi } from '../factories/api.js';
import { createAgency, createRun, upsertItems } from '../factories/kpi-items.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

let api: Api;

const item = (sourceKey: string, agencyId: number, itemDate: string, pdn = '100.00', fiscalYear = 2024) => ({
  sourceKey,
  fiscalYear,
  agencyId,
  value: pdn,
  pdnValue: pdn,
  itemDate,
});

beforeAll(async () => {
  await createTestDatabase();
  const p = await createAgency({ code: 'CP', kind: 'PROVINCE' });
  const c1 = (await createAgency({ code: 'C1', parentId: p.id })).id;
  const c2 = (await createAgency({ code: 'C2', parentId: p.id })).id;
  await createAgency({ code: 'C3', parentId: p.id });

  const march = await createRun({ fiscalYear: 2024, asOf: '2024-03-31' });
  await upsertItems(
    [
      item('a1', c1, '2024-01-10'),
      item('a2', c1, '2024-02-10'),
      item('a3', c1, '2024-03-10'),
      item('b1', c2, '2024-01-12'),
    ],
    march,
  );
  await recomputeKpis({ reason: 'ingest', runIds: [march] });
  const may = await createRun({ fiscalYear: 2024, asOf: '2024-05-20' });
  await upsertItems(
    [item('a4', c1, '2024-02-15', '30.00'), item('a5', c1, '2024-05-02'), item('b2', c2, '2024-05-03')],
    may,
  );
  await recomputeKpis({ reason: 'ingest', runIds: [may] });

  const closed = await createRun({ fiscalYear: 2023, asOf: '2023-12-31' });
  const monthly = ['100.00', '110.00', '90.00', '105.00', '95.00', '100.00', '5000.00', '102.00'];
  await upsertItems(
    monthly.map((pdn, i) => item(`y${i}`, c2, `2023-${String(i + 1).padStart(2, '0')}-05`, pdn, 2023)),
    closed,
  );
  await recomputeKpis({ reason: 'ingest', runIds: [closed] });
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

const COMPLETENESS = `query ($year: Int!) { kpiCompleteness(year: $year) {
  dataVersion asOf
  months { month open expected received missing { code } }
  agencies { agency { code } monthsReported lateItems lateRealisation outlierMonths }
  silentAgencies { code } } }`;

describe('kpiCompleteness', () => {
  it('counts expected vs received per month, names the missing and the silent agencies', async () => {
    const res = await api.gql(COMPLETENESS, { year: 2024 });
    const c = res.data.kpiCompleteness;
    expect(c.asOf).toBe('2024-05-20');
    expect(
      c.months.map((m: { month: number; received: number; expected: number }) => [
        m.month,
        m.received,
        m.expected,
      ]),
    ).toEqual([
      [1, 2, 3],
      [2, 1, 3],
      [3, 1, 3],
      [4, 0, 3],
      [5, 2, 3],
    ]);
    expect(c.months[1].missing.map((a: { code: string }) => a.code)).toEqual(['C2', 'C3']);
    expect(c.silentAgencies).toEqual([{ code: 'C3' }]);
  });

  it('flags the month that is still open, in completeness and in the series', async () => {
    const c = (await api.gql(COMPLETENESS, { year: 2024 })).data.kpiCompleteness;
    expect(c.months.map((m: { open: boolean }) => m.open)).toEqual([false, false, false, false, true]);
    const series = await api.gql('query { kpiSeries(year: 2024) { points { month open } } }');
    expect(series.data.kpiSeries.points.at(-1)).toEqual({ month: 5, open: true });
    expect(series.data.kpiSeries.points.filter((p: { open: boolean }) => p.open)).toHaveLength(1);
  });

  it('counts items published long after their month ended as late', async () => {
    const c = (await api.gql(COMPLETENESS, { year: 2024 })).data.kpiCompleteness;
    const byCode = Object.fromEntries(
      c.agencies.map((a: { agency: { code: string } }) => [a.agency.code, a]),
    );
    expect(byCode.C1).toMatchObject({ monthsReported: [1, 2, 3, 5], lateItems: 1, lateRealisation: '30.00' });
    expect(byCode.C2).toMatchObject({ monthsReported: [1, 5], lateItems: 0, lateRealisation: '0.00' });
  });

  it('flags a month far outside the agency’s usual range', async () => {
    const c = (await api.gql(COMPLETENESS, { year: 2023 })).data.kpiCompleteness;
    const c2 = c.agencies.find((a: { agency: { code: string } }) => a.agency.code === 'C2');
    expect(c2.outlierMonths).toEqual([7]);
    expect(c.months.every((m: { open: boolean }) => !m.open)).toBe(true);
  });

  it('judges no outlier from too few months or a flat series', () => {
    expect(
      outlierMonths(
        new Map([
          [1, 1],
          [2, 1000],
        ]),
      ),
    ).toEqual([]);
    expect(outlierMonths(new Map([1, 2, 3, 4, 5, 6, 7].map((m) => [m, 50])))).toEqual([]);
  });
});
