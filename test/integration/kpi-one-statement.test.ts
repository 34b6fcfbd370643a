// Each KPI root field reads its answer in one SQL statement (scope, data version, snapshots,
// sums, commitments, targets): statements are counted at the pg driver while the real server
// answers over HTTP, and the answers are checked so the count measures real work.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb } from '../../src/lib/db.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { type Api, startApi } from '../factories/api.js';
import { createAgency, createRun, setTarget, upsertItems } from '../factories/kpi-items.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';
import { recordStatements } from '../helpers/sql-count.js';

let api: Api;
const statements: string[] = [];
let stopRecording = () => {};

beforeAll(async () => {
  await createTestDatabase();
  const province = await createAgency({ code: 'P', name: 'Provinsi Uji', kind: 'PROVINCE' });
  const a1 = await createAgency({ code: 'A1', name: 'Dinas Satu', parentId: province.id });
  const a2 = await createAgency({ code: 'A2', name: 'Dinas Dua', parentId: province.id });
  await setTarget({ fiscalYear: 2022, agencyId: province.id, officialCommitment: '500.00' });
  await setTarget({ fiscalYear: 2023, agencyId: province.id, officialCommitment: '1000.00' });
  const r2022 = await createRun({ fiscalYear: 2022, asOf: '2022-12-31' });
  await upsertItems(
    [{ sourceKey: 'y22', fiscalYear: 2022, agencyId: a1.id, value: '600.00', itemDate: '2022-05-01' }],
    r2022,
  );
  await recomputeKpis({ reason: 'ingest', runIds: [r2022] });
  const r2023 = await createRun({ fiscalYear: 2023, asOf: '2023-06-30' });
  await upsertItems(
    [
      { sourceKey: 't1', agencyId: a1.id, value: '100.00', pdnValue: '80.00', itemDate: '2023-01-15' },
      { sourceKey: 't2', agencyId: a2.id, value: '200.00', pdnValue: '100.00', itemDate: '2023-03-20' },
      { sourceKey: 'p1', kind: 'PLAN', agencyId: a1.id, value: '300.00' },
    ],
    r2023,
  );
  await recomputeKpis({ reason: 'ingest', runIds: [r2023] });
  api = await startApi();
  stopRecording = recordStatements(statements);
});
afterAll(async () => {
  stopRecording();
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

const PROVENANCE = 'provenance { dataVersion asOf snapshotIds snapshots { runId dataset asOf } }';

const ROOT_FIELDS: Array<{ field: string; query: string }> = [
  {
    field: 'kpiSummary',
    query: `{ kpiSummary(year: 2023, agency: "A1") {
      dataVersion realisation attainment planCount coverage { reportingAgencies expectedAgencies } ${PROVENANCE}
      projection { elapsedDays runRatePerDay }
    } }`,
  },
  {
    field: 'kpiSeries',
    query: `{ kpiSeries(year: 2023, cumulative: true) { dataVersion points { month realisation targetToDate } ${PROVENANCE} } }`,
  },
  {
    field: 'agencyRanking',
    query: `{ agencyRanking(year: 2023) { totalCount edges { node { rank realisation agency { code } } } ${PROVENANCE} } }`,
  },
  {
    field: 'kpiCrossBreakdown',
    query: `{ kpiCrossBreakdown(year: 2023, rows: AGENCY, columns: MONTH) {
      cells { row column realisation } ${PROVENANCE}
    } }`,
  },
  {
    field: 'kpiBreakdown',
    query: `{ kpiBreakdown(year: 2023, by: AGENCY) { rows { key realisation attainment } } }`,
  },
];

describe('a KPI root field', () => {
  it.each(ROOT_FIELDS)(
    '$field reads its answer, provenance included, in one SQL statement',
    async ({ field, query }) => {
      await api.gql(query); // the first answer of a process may warm caches; count the second
      statements.length = 0;
      const res = await api.gql(query);
      const sent = [...statements];

      expect(res.errors).toBeUndefined();
      const answer = res.data[field];
      expect(answer).not.toBeNull();
      expect(JSON.stringify(answer)).toMatch(/"realisation":"\d/);
      expect(sent).toHaveLength(1);
    },
  );

  it('reads the previous year in one more statement, only when yearOverYear is asked', async () => {
    statements.length = 0;
    const res = await api.gql(
      '{ kpiSummary(year: 2023) { realisation yearOverYear { previousYear previousRealisationFullYear } } }',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.kpiSummary.yearOverYear).toMatchObject({
      previousYear: 2022,
      previousRealisationFullYear: '600.00',
    });
    expect(statements).toHaveLength(2);
    statements.length = 0;
    await api.gql('{ kpiSummary(year: 2023) { realisation } }');
    expect(statements).toHaveLength(1);
  });
});
