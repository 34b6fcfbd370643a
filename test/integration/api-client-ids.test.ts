// Stable ids for everything a client caches, over real HTTP: a KPI summary's id names its question
// and data version (the same figures keep it, new figures get a new one) and node(id:) refetches
// exactly those figures; series points, revisions, targets, saved views, exports, rejected rows and
// table columns carry ids that are unique and do not change between two reads.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb, prisma } from '../../src/lib/db.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { type Api, createKeys, type Json, type Keys, startApi } from '../factories/api.js';
import { makeEvent, makeExhibitor, register } from '../factories/data.js';
import { createAgency, createRun, setTarget, upsertItems } from '../factories/kpi-items.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

let api: Api;
let keys: Keys;
let agencyId: number;
const decode = (id: string) => Buffer.from(id, 'base64').toString('utf8');

beforeAll(async () => {
  await createTestDatabase();
  api = await startApi({ limits: { rateLimit: { addressRequests: 0, publicPoints: 0, keyPoints: 0 } } });
  keys = await createKeys();
  const province = await createAgency({ code: 'P', name: 'Provinsi Uji', kind: 'PROVINCE' });
  agencyId = (await createAgency({ code: 'A1', name: 'Dinas Satu', parentId: province.id })).id;
  await setTarget({ fiscalYear: 2023, agencyId: province.id, officialCommitment: '1000.00' });
  const run = await createRun({ fiscalYear: 2023, asOf: '2023-06-30' });
  await upsertItems(
    [
      { sourceKey: 't1', agencyId, value: '100.00', pdnValue: '80.00', itemDate: '2023-01-15' },
      { sourceKey: 't2', agencyId, value: '50.00', pdnValue: '50.00', itemDate: '2023-03-10' },
    ],
    run,
  );
  await recomputeKpis({ reason: 'ingest', runIds: [run] });
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

const SUMMARY = '{ kpiSummary(year: 2023) { id dataVersion realisation } }';
const REFETCH = `query ($id: ID!) { node(id: $id) { __typename id ... on KpiSummary { dataVersion realisation } } }`;

describe('KpiSummary', () => {
  it('keeps its id while the figures stay, and node(id:) refetches the same figures', async () => {
    const first = (await api.gql(SUMMARY)).data.kpiSummary;
    const again = (await api.gql(SUMMARY)).data.kpiSummary;
    expect(again).toEqual(first);
    const refetched = await api.gql(REFETCH, { id: first.id });
    expect(refetched.errors).toBeUndefined();
    expect(refetched.data.node).toEqual({ __typename: 'KpiSummary', ...first });
  });

  it('gets a new id with new figures, while the old id still refetches the old figures', async () => {
    const before = (await api.gql(SUMMARY)).data.kpiSummary;
    const run = await createRun({ fiscalYear: 2023, asOf: '2023-09-30' });
    await upsertItems(
      [{ sourceKey: 't3', agencyId, value: '30.00', pdnValue: '30.00', itemDate: '2023-08-01' }],
      run,
    );
    await recomputeKpis({ reason: 'ingest', runIds: [run] });
    const after = (await api.gql(SUMMARY)).data.kpiSummary;
    expect(after.id).not.toBe(before.id);
    expect(after.realisation).not.toBe(before.realisation);
    expect((await api.gql(REFETCH, { id: before.id })).data.node).toEqual({
      __typename: 'KpiSummary',
      ...before,
    });
  });

  it('answers a summary id of an unknown agency or version with null, and a malformed one with an error on its path', async () => {
    const enc = (key: string) => Buffer.from(`KpiSummary:${key}`).toString('base64');
    const res = await api.gql(
      `{ a: node(id: "${enc('2023:0:1:NOPE')}") { id } b: node(id: "${enc('2023:999999:1:')}") { id } c: node(id: "${enc('x')}") { id } }`,
    );
    expect(res.data).toEqual({ a: null, b: null, c: null });
    expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['c'], 'BAD_USER_INPUT']]);
  });
});

describe('AgencyKpi', () => {
  it('refetches a ranked agency by its id, from the same ranking and data version', async () => {
    const ranked = await api.gql(
      '{ agencyRanking(year: 2023, metric: PDN_SHARE) { edges { node { id rank realisation agency { code } } } } }',
    );
    const row = ranked.data.agencyRanking.edges[0].node;
    expect(decode(row.id)).toMatch(/^AgencyKpi:2023:\d+:PDN_SHARE:DESC:/);
    const res = await api.gql(
      'query ($id: ID!) { node(id: $id) { ... on AgencyKpi { id rank realisation agency { code } } } }',
      { id: row.id },
    );
    expect(res.data.node).toEqual(row);
  });
});

describe('ids of what clients cache', () => {
  it('gives series points ids unique within and across series, and the same on a second read', async () => {
    const query = `{ m: kpiSeries(year: 2023) { id points { id month } } c: kpiSeries(year: 2023, cumulative: true) { id points { id } } }`;
    const first = (await api.gql(query)).data;
    expect((await api.gql(query)).data).toEqual(first);
    const ids = [
      first.m.id,
      first.c.id,
      ...first.m.points.map((p: { id: string }) => p.id),
      ...first.c.points.map((p: { id: string }) => p.id),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(decode(first.m.points[0].id)).toMatch(/^KpiPoint:2023:\d+:1::month:1$/);
  });

  it('gives value types ids from their figures: the same on a second read, apart where the figures differ', async () => {
    const query = `{
      a: kpiBreakdown(year: 2023, by: AGENCY) { id rows { id } provenance { id } }
      c: kpiBreakdown(year: 2023, by: CHANNEL) { id rows { id } }
      programmeKpis(year: 2023) { id conversion { id formatted { id } } }
      serverInfo { id } }`;
    const first = await api.gql(query);
    expect(first.errors).toBeUndefined();
    expect((await api.gql(query)).data).toEqual(first.data);
    const { a, c, programmeKpis } = first.data;
    const ids = [
      a.id,
      c.id,
      ...a.rows.map((r: { id: string }) => r.id),
      ...c.rows.map((r: { id: string }) => r.id),
    ];
    expect(a.rows.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    expect(decode(a.provenance.id)).toMatch(/^KpiProvenance:[\w-]{27}$/);
    expect(decode(programmeKpis.conversion.formatted.id)).toMatch(/^ProgrammeConversionText:/);
    expect(decode(first.data.serverInfo.id)).toMatch(/^ServerInfo:/);
  });

  it('makes fiscal targets refetchable nodes', async () => {
    const target = (await api.gql('{ fiscalTargets(fiscalYear: 2023) { id fiscalYear } }')).data
      .fiscalTargets[0];
    const res = await api.gql(
      REFETCH.replace('KpiSummary', 'FiscalTarget').replace('dataVersion realisation', 'fiscalYear'),
      {
        id: target.id,
      },
    );
    expect(res.data.node).toEqual({ __typename: 'FiscalTarget', ...target });
  });

  it('gives revisions and rejected rows global ids', async () => {
    const revisions = await api.gql('{ kpiRevisions(limit: 5) { id version } }', {}, keys.analyst);
    expect(revisions.data.kpiRevisions.length).toBeGreaterThan(0);
    for (const node of revisions.data.kpiRevisions)
      expect(decode(node.id)).toBe(`KpiRevision:${node.version}`);
    const run = await prisma.ingestRun.create({
      data: { dataset: 'tender/x', trigger: 'MANUAL', status: 'FAILED', rejected: 1 },
    });
    const row = await prisma.rejectedRow.create({
      data: { runId: run.id, rowNumber: 1, reason: 'bad', raw: '{}' },
    });
    const res = await api.gql(
      `query ($id: Int!) { ingestRun(runId: $id) { rejectedRows(first: 5) { edges { node { id } } } } }`,
      { id: run.id },
      keys.analyst,
    );
    expect(
      res.data.ingestRun.rejectedRows.edges.map((e: { node: { id: string } }) => decode(e.node.id)),
    ).toEqual([`RejectedRow:${row.id}`]);
  });

  it('addresses a saved view by its global id or its short id, and gives table columns ids, not headers', async () => {
    const saved = await api.gql(
      `mutation { saveKpiView(input: { name: "v", kind: SUMMARY, question: { year: 2023 } }) {
        ... on MutationSaveKpiViewSuccess { data { id shortId } } } }`,
      {},
      keys.analyst,
    );
    const { id, shortId } = saved.data.saveKpiView.data;
    expect(decode(id)).toBe(`KpiSavedView:${shortId}`);
    const query =
      'query ($id: String!) { kpiView(id: $id) { id table { columns { id key indonesian en } } } }';
    const byId = (await api.gql(query, { id })).data.kpiView;
    expect((await api.gql(query, { id: shortId })).data.kpiView).toEqual(byId);
    for (const column of byId.table.columns) expect(decode(column.id)).toBe(`KpiTableColumn:${column.key}`);
  });
});

describe('programme conversion', () => {
  it('lists the converted exhibitors behind the figures, paged, summing to them, each refetchable by id', async () => {
    const batch = await makeEvent({
      year: 2031,
      batchNumber: 1,
      status: 'DONE',
      startDate: new Date('2031-02-10'),
      endDate: new Date('2031-02-13'),
    });
    const vendors = [
      await makeExhibitor({ vendorCode: 'CV-A' }),
      await makeExhibitor({ vendorCode: 'CV-B' }),
    ];
    const other = await makeExhibitor({});
    for (const x of [...vendors, other]) await register(batch.id, x.id);
    await upsertItems([
      {
        sourceKey: 'cv-a1',
        fiscalYear: 2031,
        agencyId,
        vendorCode: 'CV-A',
        value: '40.00',
        itemDate: '2031-03-01',
      },
      {
        sourceKey: 'cv-a2',
        fiscalYear: 2031,
        agencyId,
        vendorCode: 'CV-A',
        value: '5.00',
        itemDate: '2031-04-01',
      },
      {
        sourceKey: 'cv-b1',
        fiscalYear: 2031,
        agencyId,
        vendorCode: 'CV-B',
        value: '70.00',
        itemDate: '2031-03-05',
      },
      {
        sourceKey: 'cv-b0',
        fiscalYear: 2031,
        agencyId,
        vendorCode: 'CV-B',
        value: '9.00',
        itemDate: '2031-01-01',
      },
    ]);
    const query = `query ($after: String) { programmeKpis(year: 2031) { conversion { converted items value
      convertedExhibitors(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        edges { node { id exhibitor { id } firstEvent { id } items value } } } } } }`;
    const first = (await api.gql(query)).data.programmeKpis.conversion;
    const second = (await api.gql(query, { after: first.convertedExhibitors.pageInfo.endCursor })).data
      .programmeKpis.conversion;
    const members = [...first.convertedExhibitors.edges, ...second.convertedExhibitors.edges].map(
      (e: { node: unknown }) => e.node,
    ) as { id: string; exhibitor: { id: string }; items: number; value: string }[];
    expect(first.convertedExhibitors.totalCount).toBe(2);
    expect(first.convertedExhibitors.pageInfo.hasNextPage).toBe(true);
    expect(second.convertedExhibitors.pageInfo.hasNextPage).toBe(false);
    expect(members.map((m) => [m.value, m.items])).toEqual([
      ['70.00', 1],
      ['45.00', 2],
    ]);
    expect(members.length).toBe(first.converted);
    expect(members.reduce((n, m) => n + m.items, 0)).toBe(first.items);
    expect(members.reduce((sum, m) => sum + Number(m.value), 0).toFixed(2)).toBe(first.value);
    const refetched = await api.gql(
      'query ($id: ID!) { node(id: $id) { id ... on ProgrammeConvertedExhibitor { value } } }',
      {
        id: members[0]!.id,
      },
    );
    expect(refetched.data.node).toEqual({ id: members[0]!.id, value: '70.00' });
  });

  it('lists the procurement items behind each converted exhibitor, paged, summing to its figures, each refetchable by id', async () => {
    const query = `query ($after: String) { programmeKpis(year: 2031) { conversion {
      convertedExhibitors(first: 5) { edges { node { items value
        procurementItems(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor }
          edges { node { id itemDate channel value agency { id } } } } } } } } } }`;
    const membersOf = (res: { data: Json }) =>
      res.data.programmeKpis.conversion.convertedExhibitors.edges.map((e: { node: Json }) => e.node);
    const [b, a] = membersOf(await api.gql(query));
    expect([b.procurementItems.totalCount, a.procurementItems.totalCount]).toEqual([1, 2]);
    const rest = membersOf(await api.gql(query, { after: a.procurementItems.pageInfo.endCursor }))[1];
    const items = [...a.procurementItems.edges, ...rest.procurementItems.edges].map(
      (e: { node: Json }) => e.node,
    );
    expect(items.map((i: Json) => [i.itemDate, i.value])).toEqual([
      ['2031-03-01', '40.00'],
      ['2031-04-01', '5.00'],
    ]);
    expect(rest.procurementItems.pageInfo.hasNextPage).toBe(false);
    expect(items.reduce((sum: number, i: Json) => sum + Number(i.value), 0).toFixed(2)).toBe(a.value);
    expect(items[0].agency.id).toEqual(expect.any(String));
    const refetched = await api.gql(
      'query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on ProgrammeConvertedItem { value } } }',
      { ids: [items[1].id, Buffer.from('ProgrammeConvertedItem:1:1:999999999').toString('base64')] },
    );
    expect(refetched.errors).toBeUndefined();
    expect(refetched.data.nodes).toEqual([{ id: items[1].id, value: '5.00' }, null]);
  });

  it('stamps its cursors with the list’s version: an older cursor is refused with STALE_CURSOR, a forged one with BAD_USER_INPUT', async () => {
    const query = `query ($after: String) { programmeKpis(year: 2031) { eventsHeld conversion { converted version
      convertedExhibitors(first: 1, after: $after) { pageInfo { endCursor } edges { node { value } } } } } }`;
    const before = (await api.gql(query)).data.programmeKpis.conversion;
    const cursor = before.convertedExhibitors.pageInfo.endCursor;
    expect(decode(cursor)).toBe(`ProgrammeConversion:${before.version}:0`);
    expect((await api.gql(query)).data.programmeKpis.conversion.version).toBe(before.version);
    // A new item changes how much one exhibitor converted for: the list, and so its version, moves.
    await upsertItems([
      {
        sourceKey: 'cv-a3',
        fiscalYear: 2031,
        agencyId,
        vendorCode: 'CV-A',
        value: '100.00',
        itemDate: '2031-05-01',
      },
    ]);
    const stale = await api.gql(query, { after: cursor });
    expect(stale.data.programmeKpis.eventsHeld).toBe(1);
    expect(stale.data.programmeKpis.conversion.convertedExhibitors).toBeNull();
    expect(stale.data.programmeKpis.conversion.version).not.toBe(before.version);
    expect(stale.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['programmeKpis', 'conversion', 'convertedExhibitors'], 'STALE_CURSOR'],
    ]);
    const fresh = (await api.gql(query)).data.programmeKpis.conversion;
    const next = await api.gql(query, { after: fresh.convertedExhibitors.pageInfo.endCursor });
    expect(next.errors).toBeUndefined();
    expect(next.data.programmeKpis.conversion.convertedExhibitors.edges).toHaveLength(1);
    for (const forged of [
      'bm90IGEgY3Vyc29y',
      Buffer.from(`AgencyRanking:${fresh.version}:0`).toString('base64'),
    ]) {
      const res = await api.gql(query, { after: forged });
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
  });
});

describe('kpiCrossBreakdown', () => {
  it('splits a year two ways in one answer, each cell as computed from the items, summing to the series and summary', async () => {
    const specs = [
      { sourceKey: 'x1', channel: 'TENDER', vendorScale: 'SMALL', pdnValue: '10.00', itemDate: '2032-01-10' },
      {
        sourceKey: 'x2',
        channel: 'E_KATALOG',
        vendorScale: 'MICRO',
        pdnValue: '20.00',
        itemDate: '2032-01-20',
      },
      {
        sourceKey: 'x3',
        channel: 'E_KATALOG',
        vendorScale: 'MICRO',
        pdnValue: '5.00',
        itemDate: '2032-03-02',
      },
      { sourceKey: 'x4', channel: 'TENDER', vendorScale: 'LARGE', pdnValue: '7.00', itemDate: '2032-03-09' },
    ] as const;
    const run = await createRun({ fiscalYear: 2032, asOf: '2032-03-31' });
    await upsertItems(
      specs.map((s) => ({ ...s, fiscalYear: 2032, agencyId, value: '50.00' })),
      run,
    );
    await recomputeKpis({ reason: 'ingest', runIds: [run] });
    const res = await api.gql(`{
      x: kpiCrossBreakdown(year: 2032, rows: MONTH, columns: CHANNEL) { id dataVersion cells { id row column realisation itemCount } }
      series: kpiSeries(year: 2032) { points { month realisation } }
      summary: kpiSummary(year: 2032) { realisation }
      same: kpiCrossBreakdown(year: 2032, rows: MONTH, columns: MONTH) { id }
    }`);
    expect(res.data.same).toBeNull();
    expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['same'], 'BAD_USER_INPUT']]);
    const cells = res.data.x.cells as {
      id: string;
      row: string;
      column: string;
      realisation: string;
      itemCount: number;
    }[];
    // From scratch: the items' PDN value summed per (month, channel).
    const expected = new Map<string, number>();
    for (const s of specs) {
      const key = `${Number(s.itemDate.slice(5, 7))}|${s.channel}`;
      expected.set(key, (expected.get(key) ?? 0) + Number(s.pdnValue));
    }
    expect(new Map(cells.map((c) => [`${c.row}|${c.column}`, Number(c.realisation)]))).toEqual(expected);
    for (const point of res.data.series.points) {
      const inMonth = cells.filter((c) => c.row === String(point.month));
      expect(inMonth.reduce((sum, c) => sum + Number(c.realisation), 0).toFixed(2)).toBe(point.realisation);
    }
    expect(cells.reduce((sum, c) => sum + Number(c.realisation), 0).toFixed(2)).toBe(
      res.data.summary.realisation,
    );
    expect(new Set(cells.map((c) => c.id)).size).toBe(cells.length);
    const byScale = await api.gql(
      '{ kpiCrossBreakdown(year: 2032, rows: AGENCY, columns: VENDOR_SCALE) { cells { row column itemCount } } }',
    );
    expect(byScale.data.kpiCrossBreakdown.cells).toEqual([
      { row: 'A1', column: 'LARGE', itemCount: 1 },
      { row: 'A1', column: 'MICRO', itemCount: 2 },
      { row: 'A1', column: 'SMALL', itemCount: 1 },
    ]);
  });
});
