// Revision history: each recompute is a revision with its inputs and the per-agency/month deltas
// against the one before; any two revisions can be diffed ("why did this number move?").
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb } from '../../src/lib/db.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { type Api, createKeys, type Keys, startApi } from '../factories/api.js';
import { createAgency, createRun, upsertItems } from '../factories/kpi-items.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

let api: Api;
let keys: Keys;
let runs: number[] = [];

beforeAll(async () => {
  await createTestDatabase();
  keys = await createKeys();
  const a = (await createAgency({ code: 'R1' })).id;
  const b = (await createAgency({ code: 'R2' })).id;
  const r1 = await createRun({ fiscalYear: 2024, asOf: '2024-02-29' });
  await upsertItems(
    [
      {
        sourceKey: 'r1',
        fiscalYear: 2024,
        agencyId: a,
        value: '100.00',
        pdnValue: '100.00',
        itemDate: '2024-01-05',
      },
      {
        sourceKey: 'r2',
        fiscalYear: 2024,
        agencyId: b,
        value: '40.00',
        pdnValue: '40.00',
        itemDate: '2024-02-05',
      },
    ],
    r1,
  );
  await recomputeKpis({ reason: 'ingest run 1', runIds: [r1] });
  const r2 = await createRun({ fiscalYear: 2024, asOf: '2024-03-31' });
  await upsertItems(
    [
      {
        sourceKey: 'r1',
        fiscalYear: 2024,
        agencyId: a,
        value: '110.00',
        pdnValue: '110.00',
        itemDate: '2024-01-05',
      },
      {
        sourceKey: 'r3',
        fiscalYear: 2024,
        agencyId: b,
        value: '5.00',
        pdnValue: '5.00',
        itemDate: '2024-03-05',
      },
    ],
    r2,
  );
  await recomputeKpis({ reason: 'ingest run 2', runIds: [r2] });
  const r3 = await createRun({ fiscalYear: 2024, asOf: '2024-04-30' });
  await upsertItems(
    [
      {
        sourceKey: 'r4',
        fiscalYear: 2024,
        agencyId: a,
        value: '7.00',
        pdnValue: '7.00',
        itemDate: '2024-04-05',
      },
    ],
    r3,
  );
  await recomputeKpis({ reason: 'ingest run 3', runIds: [r3] });
  runs = [r1, r2, r3];
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

const delta = (d: { agency: { code: string } | null; month: number; realisationDelta: string }) =>
  `${d.agency?.code}/${d.month}: ${d.realisationDelta}`;

describe('KPI revisions', () => {
  it('lists revisions newest first with their inputs and per-agency/month deltas', async () => {
    const res = await api.gql(
      `query { kpiRevisions(year: 2024) { version status reason snapshotIds inputsHash asOf
        deltas { agency { code } month realisationBefore realisationAfter realisationDelta itemsBefore itemsAfter } } }`,
      {},
      keys.analyst,
    );
    const revisions = res.data.kpiRevisions;
    expect(revisions.map((r: { version: number }) => r.version)).toEqual([3, 2, 1]);
    expect(revisions[1]).toMatchObject({
      status: 'PUBLISHED',
      reason: 'ingest run 2',
      snapshotIds: [runs[1]],
      asOf: '2024-03-31',
    });
    expect(revisions[1].inputsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(revisions.map((r: { inputsHash: string }) => r.inputsHash)).size).toBe(3);
    expect(revisions[1].deltas.map(delta).sort()).toEqual(['R1/1: 10.00', 'R2/3: 5.00']);
    expect(revisions[1].deltas.find((d: { month: number }) => d.month === 3)).toMatchObject({
      realisationBefore: '0.00',
      realisationAfter: '5.00',
      itemsBefore: 0,
      itemsAfter: 1,
    });
  });

  it('diffs any two revisions, optionally for one agency', async () => {
    const DIFF = `query ($agency: String) { kpiRevisionDiff(from: 1, to: 3, year: 2024, agency: $agency) {
      realisationDelta rows { agency { code } month realisationDelta } } }`;
    const all = (await api.gql(DIFF, {}, keys.analyst)).data.kpiRevisionDiff;
    expect(all.realisationDelta).toBe('22.00');
    expect(all.rows.map(delta)).toEqual(['R1/1: 10.00', 'R1/4: 7.00', 'R2/3: 5.00']);
    const one = (await api.gql(DIFF, { agency: 'R2' }, keys.analyst)).data.kpiRevisionDiff;
    expect(one.rows.map(delta)).toEqual(['R2/3: 5.00']);
  });

  it('refuses public clients and an unknown revision', async () => {
    const pub = await api.gql('query { kpiRevisions { version } }');
    expect(pub.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const missing = await api.gql(
      'query { kpiRevisionDiff(from: 1, to: 99, year: 2024) { from } }',
      {},
      keys.analyst,
    );
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
