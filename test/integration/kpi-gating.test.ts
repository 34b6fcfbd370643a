// Publish gating over HTTP: a recompute that breaks a drift rule is held and changes no published
// number until an admin approves it; rejection keeps it out; rollback restores the previous
// numbers exactly; the rules are editable by admins only.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb, pool } from '../../src/lib/db.js';
import { createRedis } from '../../src/lib/redis.js';
import { publishedVersionKey } from '../../src/services/kpi/notify.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { type Api, createKeys, type Keys, startApi } from '../factories/api.js';
import { createAgency, createRun, upsertItems, withdrawItems } from '../factories/kpi-items.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

let api: Api;
let keys: Keys;
let a1: number;
let a2: number;
/** Every figure as the first published version shows it. */
let first: unknown;

const FIGURES = `query {
  kpiSummary(year: 2024) { dataVersion realisation totalValue attainment formatted(locale: ID) { realisation } }
  kpiSeries(year: 2024, cumulative: true) { points { month realisation } }
  agencyRanking(year: 2024) { edges { node { rank agency { code } realisation itemCount } } }
  kpiBreakdown(year: 2024, by: AGENCY) { rows { key realisation } }
}`;

const HELD = `query { kpiRevisions(status: HELD) { version status reason heldReasons { rule year agencyCode before after limit message } } }`;

async function published(): Promise<string | null> {
  const redis = createRedis('producer');
  try {
    return await redis.get(publishedVersionKey());
  } finally {
    redis.disconnect();
  }
}

async function figures() {
  const res = await api.gql(FIGURES);
  expect(res.errors).toBeUndefined();
  return res.data;
}

beforeAll(async () => {
  await createTestDatabase();
  keys = await createKeys();
  a1 = (await createAgency({ code: 'G1' })).id;
  a2 = (await createAgency({ code: 'G2' })).id;
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

describe('publish gating', () => {
  let approved: number;

  it('publishes the first version of a year without checking drift', async () => {
    const run = await createRun({ fiscalYear: 2024, asOf: '2024-03-31' });
    await upsertItems(
      [
        {
          sourceKey: 'g1a',
          fiscalYear: 2024,
          agencyId: a1,
          value: '1000.00',
          pdnValue: '1000.00',
          itemDate: '2024-02-01',
        },
        {
          sourceKey: 'g1b',
          fiscalYear: 2024,
          agencyId: a1,
          value: '500.00',
          pdnValue: '500.00',
          itemDate: '2024-03-01',
        },
        {
          sourceKey: 'g2a',
          fiscalYear: 2024,
          agencyId: a2,
          value: '500.00',
          pdnValue: '500.00',
          itemDate: '2024-03-05',
        },
      ],
      run,
    );
    const result = await recomputeKpis({ reason: 'ingest', runIds: [run] });
    expect(result).toMatchObject({ version: 1, status: 'PUBLISHED', heldReasons: [] });
    first = await figures();
    expect((first as { kpiSummary: { realisation: string } }).kpiSummary.realisation).toBe('2000.00');
    expect(await published()).toBe('1');
  });

  it('holds a recompute whose realisation falls and whose agency vanishes, changing no published number', async () => {
    const run = await createRun({ fiscalYear: 2024, asOf: '2024-04-30' });
    await withdrawItems([{ sourceKey: 'g1a' }, { sourceKey: 'g1b' }], run);
    const result = await recomputeKpis({ reason: 'ingest', runIds: [run] });
    expect(result.status).toBe('HELD');
    expect(result.heldReasons!.map((r) => r.rule).sort()).toEqual(['AGENCY_ZERO', 'REALISATION_FALL']);
    expect(await figures()).toEqual(first);
    expect(await published()).toBe('1');

    const held = await api.gql(HELD, {}, keys.analyst);
    expect(held.data.kpiRevisions).toHaveLength(1);
    expect(held.data.kpiRevisions[0].heldReasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'REALISATION_FALL',
          year: 2024,
          before: '2000.00',
          after: '500.00',
          limit: 20,
        }),
        expect.objectContaining({ rule: 'AGENCY_ZERO', agencyCode: 'G1', before: '2', after: '0' }),
      ]),
    );
  });

  it('lets a newer recompute supersede the held one and carry its changes, still held', async () => {
    const run = await createRun({ fiscalYear: 2024, asOf: '2024-05-31' });
    await upsertItems(
      [
        {
          sourceKey: 'g2b',
          fiscalYear: 2024,
          agencyId: a2,
          value: '10.00',
          pdnValue: '10.00',
          itemDate: '2024-05-02',
        },
      ],
      run,
    );
    const result = await recomputeKpis({ reason: 'ingest', runIds: [run] });
    expect(result).toMatchObject({ version: 3, status: 'HELD' });
    const { rows } = await pool.query('SELECT id, status::text FROM kpi_version ORDER BY id');
    expect(rows).toEqual([
      { id: 1, status: 'PUBLISHED' },
      { id: 2, status: 'SUPERSEDED' },
      { id: 3, status: 'HELD' },
    ]);
    expect(await figures()).toEqual(first);
    approved = result.version;
  });

  it('refuses decisions from analysts and on revisions that are not held', async () => {
    const APPROVE = `mutation ($v: Int!) { approveKpiRevision(input: { version: $v }) {
      __typename ... on Error { message } ... on ConflictError { code } } }`;
    const byAnalyst = await api.gql(APPROVE, { v: approved }, keys.analyst);
    expect(byAnalyst.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const notHeld = await api.gql(APPROVE, { v: 1 }, keys.admin);
    expect(notHeld.data.approveKpiRevision).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(await figures()).toEqual(first);
  });

  it('publishes a held revision once an admin approves it', async () => {
    const res = await api.gql(
      `mutation ($v: Int!) { approveKpiRevision(input: { version: $v, note: "withdrawals confirmed" }) {
        ... on MutationApproveKpiRevisionSuccess { data { version status decidedBy decisionNote publishedAt } } } }`,
      { v: approved },
      keys.admin,
    );
    expect(res.data.approveKpiRevision.data).toMatchObject({
      version: approved,
      status: 'PUBLISHED',
      decisionNote: 'withdrawals confirmed',
    });
    expect(res.data.approveKpiRevision.data.decidedBy).toMatch(/^api key \d+$/);
    const now = await figures();
    expect(now.kpiSummary).toMatchObject({ dataVersion: approved, realisation: '510.00' });
    expect(await published()).toBe(String(approved));
  });

  it('keeps a rejected revision out of every answer', async () => {
    const run = await createRun({ fiscalYear: 2024, asOf: '2024-06-30' });
    await withdrawItems([{ sourceKey: 'g2a' }], run);
    const { version, status } = await recomputeKpis({ reason: 'ingest', runIds: [run] });
    expect(status).toBe('HELD');
    const before = await figures();
    const res = await api.gql(
      `mutation ($v: Int!) { rejectKpiRevision(input: { version: $v, note: "feed glitch" }) {
        ... on MutationRejectKpiRevisionSuccess { data { status } } } }`,
      { v: version },
      keys.admin,
    );
    expect(res.data.rejectKpiRevision.data.status).toBe('REJECTED');
    expect(await figures()).toEqual(before);
    expect(before.kpiSummary.dataVersion).toBe(approved);
  });

  it('rolls the published revision back to the previous numbers exactly', async () => {
    const res = await api.gql(
      `mutation { rollbackKpiRevision(input: { note: "wrong" }) {
        ... on MutationRollbackKpiRevisionSuccess { data { version status } } } }`,
      {},
      keys.admin,
    );
    expect(res.data.rollbackKpiRevision.data).toEqual({ version: approved, status: 'ROLLED_BACK' });
    expect(await figures()).toEqual(first);
    expect(await published()).toBe('1');
  });

  it('refuses a rollback with no earlier published revision and changes nothing', async () => {
    const res = await api.gql(
      `mutation { rollbackKpiRevision { __typename ... on ConflictError { message } } }`,
      {},
      keys.admin,
    );
    expect(res.data.rollbackKpiRevision.__typename).toBe('ConflictError');
    expect(await figures()).toEqual(first);
  });
});

describe('drift rules', () => {
  const SET = `mutation ($input: SetKpiDriftRulesInput!) { setKpiDriftRules(input: $input) {
    __typename ... on ValidationError { field }
    ... on MutationSetKpiDriftRulesSuccess { data { maxFallPercent maxRejectedPercent agencyZero updatedBy } } } }`;

  it('reads the configured defaults until an admin sets them', async () => {
    const res = await api.gql(
      'query { kpiDriftRules { maxFallPercent maxRejectedPercent agencyZero updatedAt } }',
      {},
      keys.analyst,
    );
    expect(res.data.kpiDriftRules).toEqual({
      maxFallPercent: 20,
      maxRejectedPercent: 10,
      agencyZero: true,
      updatedAt: null,
    });
    const pub = await api.gql('query { kpiDriftRules { agencyZero } }');
    expect(pub.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('rejects a limit of zero or below with a typed error and stores nothing', async () => {
    const res = await api.gql(SET, { input: { maxFallPercent: -5, agencyZero: true } }, keys.admin);
    expect(res.data.setKpiDriftRules).toEqual({ __typename: 'ValidationError', field: 'maxFallPercent' });
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM kpi_drift_rule');
    expect(rows[0].n).toBe(0);
  });

  it('holds a recompute whose runs rejected too many rows, under the rules an admin set', async () => {
    const set = await api.gql(
      SET,
      { input: { maxFallPercent: null, maxRejectedPercent: 5, agencyZero: false } },
      keys.admin,
    );
    expect(set.data.setKpiDriftRules.data).toMatchObject({
      maxFallPercent: null,
      maxRejectedPercent: 5,
      agencyZero: false,
    });
    const run = await createRun({ fiscalYear: 2024, asOf: '2024-07-31' });
    await pool.query('UPDATE ingest_run SET fetched = 100, rejected = 6 WHERE id = $1', [run]);
    await upsertItems(
      [
        {
          sourceKey: 'g2c',
          fiscalYear: 2024,
          agencyId: a2,
          value: '1.00',
          pdnValue: '1.00',
          itemDate: '2024-07-02',
        },
      ],
      run,
    );
    const result = await recomputeKpis({ reason: 'ingest', runIds: [run] });
    expect(result.status).toBe('HELD');
    expect(result.heldReasons).toEqual([
      expect.objectContaining({ rule: 'REJECTED_ROWS', year: null, before: '100', after: '6', limit: 5 }),
    ]);
    expect(await figures()).toEqual(first);
  });
});
