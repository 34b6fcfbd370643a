// Saved views: a pinned view keeps its numbers across a later ingest and recompute, a following
// view moves with the published figures; both are addressed by a short id.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb } from '../../src/lib/db.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { type Api, createKeys, type Keys, startApi } from '../factories/api.js';
import { createAgency, createRun, upsertItems } from '../factories/kpi-items.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

let api: Api;
let keys: Keys;
let a1: number;

const SAVE = `mutation ($input: SaveKpiViewInput!) { saveKpiView(input: $input) {
  __typename ... on ValidationError { field }
  ... on MutationSaveKpiViewSuccess { data { id shortId pinnedVersion } } } }`;
const VIEW = `query ($id: String!) { kpiView(id: $id) { name kind pinnedVersion
  table { dataVersion asOf columns { key } rows { cells } } } }`;

beforeAll(async () => {
  await createTestDatabase();
  keys = await createKeys();
  a1 = (await createAgency({ code: 'V1' })).id;
  const run = await createRun({ fiscalYear: 2024, asOf: '2024-03-31' });
  await upsertItems(
    [
      {
        sourceKey: 'v1',
        fiscalYear: 2024,
        agencyId: a1,
        value: '100.00',
        pdnValue: '90.00',
        itemDate: '2024-02-01',
      },
    ],
    run,
  );
  await recomputeKpis({ reason: 'ingest', runIds: [run] });
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

describe('saved views', () => {
  it('keeps a pinned view’s numbers across a later ingest while a following view moves', async () => {
    const question = { year: 2024, cumulative: true };
    const pinned = await api.gql(
      SAVE,
      { input: { name: 'Q1 series', kind: 'SERIES', question } },
      keys.analyst,
    );
    const following = await api.gql(
      SAVE,
      { input: { name: 'Latest series', kind: 'SERIES', question, pinned: false } },
      keys.analyst,
    );
    const pinnedId = pinned.data.saveKpiView.data.shortId;
    const followingId = following.data.saveKpiView.data.id;
    expect(pinnedId).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(pinned.data.saveKpiView.data.pinnedVersion).toBe(1);
    expect(following.data.saveKpiView.data.pinnedVersion).toBeNull();

    const before = (await api.gql(VIEW, { id: pinnedId })).data.kpiView.table;
    const series = await api.gql(
      'query { kpiSeries(year: 2024, cumulative: true) { points { month realisation } } }',
    );
    expect(before.rows.map((r: { cells: string[] }) => [Number(r.cells[0]), r.cells[1]])).toEqual(
      series.data.kpiSeries.points.map((p: { month: number; realisation: string }) => [
        p.month,
        p.realisation,
      ]),
    );

    const run = await createRun({ fiscalYear: 2024, asOf: '2024-05-31' });
    await upsertItems(
      [
        {
          sourceKey: 'v2',
          fiscalYear: 2024,
          agencyId: a1,
          value: '50.00',
          pdnValue: '50.00',
          itemDate: '2024-04-01',
        },
      ],
      run,
    );
    const { version } = await recomputeKpis({ reason: 'ingest', runIds: [run] });
    expect(version).toBe(2);

    expect((await api.gql(VIEW, { id: pinnedId })).data.kpiView.table).toEqual(before);
    const moved = (await api.gql(VIEW, { id: followingId })).data.kpiView.table;
    expect(moved).toMatchObject({ dataVersion: 2, asOf: '2024-05-31' });
    expect(moved.rows.at(-1).cells[1]).toBe('140.00');
  });

  it('rejects a view with an empty name or bad arguments and saves nothing', async () => {
    const empty = await api.gql(
      SAVE,
      { input: { name: ' ', kind: 'RANKING', question: { year: 2024 } } },
      keys.analyst,
    );
    expect(empty.data.saveKpiView).toEqual({ __typename: 'ValidationError', field: 'name' });
    const bad = await api.gql(
      SAVE,
      { input: { name: 'x', kind: 'RANKING', question: { year: 1999 } } },
      keys.analyst,
    );
    expect(bad.data.saveKpiView).toEqual({ __typename: 'ValidationError', field: 'args.year' });
    expect((await api.gql(VIEW, { id: 'nothere1' })).data.kpiView).toBeNull();
  });
});
