// CSV exports: started by a mutation, written by the export queue's BullMQ job, polled, then
// downloaded over HTTP; the ranking's CSV matches the graph's numbers row by row, in both locales.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Worker } from 'bullmq';
import { config } from '../../src/config/env.js';
import { closeSharedProducer, Producer } from '../../src/jobs/producer.js';
import { closeDb, pool } from '../../src/lib/db.js';
import { createRedis } from '../../src/lib/redis.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { createProcessors } from '../../src/worker/processors.js';
import { type Api, createKeys, type Json, type Keys, startApi } from '../factories/api.js';
import { createAgency, createRun, setTarget, upsertItems } from '../factories/kpi-items.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

let api: Api;
let keys: Keys;
let worker: Worker;
let connection: ReturnType<typeof createRedis>;
let version: number;

const START = `mutation ($input: StartKpiExportInput!) { startKpiExport(input: $input) {
  __typename ... on ValidationError { field }
  ... on MutationStartKpiExportSuccess { data { id status } } } }`;

const RANKING = `query { agencyRanking(year: 2024, metric: ATTAINMENT, first: 100) {
  edges { node { rank agency { code name } realisation commitmentUsed attainment pdnShare umkShare totalValue itemCount } } } }`;

beforeAll(async () => {
  await createTestDatabase();
  keys = await createKeys();
  const province = await createAgency({ code: 'XP', kind: 'PROVINCE' });
  const agencies = [];
  for (const [i, code] of ['X1', 'X2', 'X3', 'X4'].entries()) {
    const a = await createAgency({ code, name: `Dinas "Uji"; ${i}`, parentId: province.id });
    agencies.push(a);
    await setTarget({ fiscalYear: 2024, agencyId: a.id, officialCommitment: `${(i + 1) * 1_000_000}.00` });
  }
  const run = await createRun({ fiscalYear: 2024, asOf: '2024-06-30' });
  await upsertItems(
    agencies.flatMap((a, i) => [
      {
        sourceKey: `e${i}a`,
        fiscalYear: 2024,
        agencyId: a.id,
        value: `${1234567 * (i + 1)}.5${i}`,
        pdnValue: `${1000000 * (i + 1) + 33}.25`,
        umkValue: '100.00',
        itemDate: '2024-02-10',
      },
      {
        sourceKey: `e${i}b`,
        fiscalYear: 2024,
        agencyId: a.id,
        value: '250000.00',
        pdnValue: null,
        itemDate: '2024-05-10',
      },
    ]),
    run,
  );
  version = (await recomputeKpis({ reason: 'ingest', runIds: [run] })).version;
  api = await startApi();
  connection = createRedis('worker');
  const processors = createProcessors({
    producer: new Producer(connection),
    shutdown: new AbortController().signal,
  });
  worker = new Worker('export', processors.export, { connection, prefix: config().REDIS_PREFIX });
});
afterAll(async () => {
  await worker?.close();
  connection?.disconnect();
  await closeSharedProducer();
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

async function finished(id: string) {
  for (;;) {
    const res = await api.gql(
      'query ($id: String!) { kpiExport(id: $id) { status dataVersion asOf rowCount downloadPath error } }',
      { id },
      keys.analyst,
    );
    if (['DONE', 'FAILED'].includes(res.data.kpiExport.status)) return res.data.kpiExport;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Parses the CSV: provenance lines, header, rows (quoted fields unquoted). */
function parseCsv(text: string, separator: string) {
  const lines = text.trimEnd().split('\r\n');
  const provenance = lines.filter((l) => l.startsWith('# '));
  const [header, ...rows] = lines
    .filter((l) => !l.startsWith('# '))
    .map((line) => {
      const cells: string[] = [];
      let cell = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i]!;
        if (quoted) {
          if (ch === '"' && line[i + 1] === '"') {
            cell += '"';
            i++;
          } else if (ch === '"') quoted = false;
          else cell += ch;
        } else if (ch === '"') quoted = true;
        else if (ch === separator) {
          cells.push(cell);
          cell = '';
        } else cell += ch;
      }
      cells.push(cell);
      return cells;
    });
  return { provenance, header: header!, rows };
}

async function exportRanking(locale: 'ID' | 'EN') {
  const res = await api.gql(
    START,
    { input: { kind: 'RANKING', question: { year: 2024, metric: 'ATTAINMENT' }, locale } },
    keys.analyst,
  );
  expect(res.data.startKpiExport.data.status).toBe('QUEUED');
  const done = await finished(res.data.startKpiExport.data.id);
  expect(done).toMatchObject({ status: 'DONE', dataVersion: version, asOf: '2024-06-30', rowCount: 4 });
  const file = await fetch(`${api.url}${done.downloadPath}`);
  expect(file.status).toBe(200);
  expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  return file.text();
}

/** A graph value as text in the file's number format. */
const asGraph = (v: unknown) => (v === null ? '' : String(v));
const fromId = (cell: string) => cell.replaceAll('.', '').replace(',', '.');

describe('KPI CSV export', () => {
  it('writes a ranking whose rows match the graph’s numbers, Indonesian headers and numbers', async () => {
    const csv = await exportRanking('ID');
    const { provenance, header, rows } = parseCsv(csv, ';');
    expect(provenance).toEqual(
      expect.arrayContaining([`# Versi data: ${version}`, '# Per tanggal: 2024-06-30']),
    );
    expect(header.slice(0, 4)).toEqual([
      'Peringkat',
      'Kode satker',
      'Perangkat daerah',
      'Realisasi PDN (Rp)',
    ]);
    const graph = (await api.gql(RANKING)).data.agencyRanking.edges.map((e: { node: unknown }) => e.node);
    expect(rows).toHaveLength(graph.length);
    graph.forEach((n: Json, i: number) => {
      const row = rows[i]!;
      expect([row[0], row[1], row[2]]).toEqual([String(n.rank), n.agency.code, n.agency.name]);
      expect(row.slice(3).map(fromId)).toEqual(
        [
          n.realisation,
          n.commitmentUsed,
          n.attainment,
          n.pdnShare,
          n.umkShare,
          n.totalValue,
          n.itemCount,
        ].map(asGraph),
      );
    });
    expect(rows[0]![3]).toMatch(/^\d{1,3}(\.\d{3})+,\d{2}$/);
  });

  it('writes English headers and plain numbers when asked, with the same rows', async () => {
    const { provenance, header, rows } = parseCsv(await exportRanking('EN'), ',');
    expect(provenance).toContain(`# Data version: ${version}`);
    expect(header[0]).toBe('Rank');
    const graph = (await api.gql(RANKING)).data.agencyRanking.edges.map((e: { node: unknown }) => e.node);
    graph.forEach((n: Json, i: number) => {
      expect(rows[i]!.slice(3)).toEqual(
        [
          n.realisation,
          n.commitmentUsed,
          n.attainment,
          n.pdnShare,
          n.umkShare,
          n.totalValue,
          n.itemCount,
        ].map(asGraph),
      );
    });
  });

  it('refuses a breakdown without its dimension with a typed error and records nothing', async () => {
    const res = await api.gql(
      START,
      { input: { kind: 'BREAKDOWN', question: { year: 2024 } } },
      keys.analyst,
    );
    expect(res.data.startKpiExport).toEqual({ __typename: 'ValidationError', field: 'args.by' });
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM kpi_export WHERE kind = 'BREAKDOWN'`);
    expect(rows[0].n).toBe(0);
  });

  it('ends an export naming an unknown agency FAILED with the reason, never left RUNNING', async () => {
    const res = await api.gql(
      START,
      { input: { kind: 'SUMMARY', question: { year: 2024, agency: 'NO-SUCH-AGENCY' } } },
      keys.analyst,
    );
    expect(res.data.startKpiExport.data.status).toBe('QUEUED');
    const done = await finished(res.data.startKpiExport.data.id);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatch(/NO-SUCH-AGENCY|agency/i);
    expect(done.downloadPath).toBeNull();
  });

  it('refuses public clients and answers 404 for an unknown export', async () => {
    const res = await api.gql(START, { input: { kind: 'RANKING', question: { year: 2024 } } });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await fetch(`${api.url}/kpi/exports/AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
  });
});
