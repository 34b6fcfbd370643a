// A fresh database (no demo data) given only one KLPD-year of LKPP dumps exactly as they are
// published (a pretty JSON array with a byte-order mark, a `;` CSV, JSON lines…) through
// `bisma ingest file` answers the KPIs a from-scratch computation over the raw rows gives, with
// every agency attributed and the as-of date the data states.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb, pool, prisma } from '../../src/lib/db.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { type Api, createKeys, startApi } from '../factories/api.js';
import { createTestDatabase } from '../helpers/db.js';
import { spawnEntry } from '../helpers/process.js';
import {
  buildDumps,
  csv,
  EXTRACTED,
  expectAnswerMatchesDumps,
  KLPD,
  KPI_QUERY,
  writeDumpFiles,
  YEAR,
} from '../helpers/real-dumps.js';
import { flushTestPrefix } from '../helpers/redis.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bisma-real-dumps-'));
/** Each import is a `bisma` process of its own: seconds apiece on a loaded machine. */
const CLI_TEST_MS = 300_000;
const dumps = buildDumps();
let api: Api;

async function bisma(...args: string[]) {
  const cli = spawnEntry('src/cli/bisma.ts', {}, args);
  const exit = await cli.exited;
  return { ...exit, ...cli.output() };
}

beforeAll(async () => {
  await createTestDatabase();
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
  await flushTestPrefix();
  await closeDb();
});

describe('dumps as published, through bisma ingest file', () => {
  it(
    'imports every file, recognising its dataset, KLPD and year from the rows',
    async () => {
      for (const [dataset, file] of writeDumpFiles(dir, dumps)) {
        const result = await bisma('ingest', 'file', file);
        expect({ file: path.basename(file), code: result.code, stderr: result.stderr }).toEqual({
          file: path.basename(file),
          code: 0,
          stderr: '',
        });
        const rows = dumps[dataset];
        // Records, not lines: a pretty-printed array of ten rows is ten records.
        expect(result.stdout).toMatch(new RegExp(`^run \\d+ SUCCEEDED: fetched ${rows.length},`));
        // The as-of date is the data's (the extraction date the rows state), not the import day.
        if (dataset !== 'rup/master-satker') expect(result.stdout).toContain(`as of ${EXTRACTED}`);
      }
      const runs = await prisma.ingestRun.findMany({
        orderBy: { id: 'asc' },
        include: { rejectedRows: true },
      });
      expect(runs.map((r) => r.status)).toEqual(Array(7).fill('SUCCEEDED'));
      // The rows of another KLPD are rejected with that reason, never merged.
      const foreign = runs.flatMap((r) => r.rejectedRows);
      expect(foreign.map((r) => r.reason)).toEqual([
        `kd_klpd D107 is another KLPD than this snapshot's ${KLPD}`,
        `kd_klpd D228 is another KLPD than this snapshot's ${KLPD}`,
      ]);
      expect(await prisma.agency.count()).toBe(7);
    },
    CLI_TEST_MS,
  );

  it(
    'attributes every item, including those that arrived before their agency and numeric kd_satker',
    async () => {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM procurement_item WHERE agency_id IS NULL',
      );
      expect(rows[0]!.n).toBe(0);
      const toko = await prisma.procurementItem.findMany({
        where: { dataset: 'legacy/bela/toko-daring-realisasi' },
        orderBy: { sourceKey: 'asc' },
      });
      const agencies = await prisma.agency.findMany({
        where: { id: { in: toko.map((i) => i.agencyId ?? 0) } },
      });
      const codeOf = new Map(agencies.map((a) => [a.id, a.code]));
      expect(toko.map((i) => [i.sourceKey, codeOf.get(i.agencyId ?? 0)])).toEqual([
        ['4397296', '4.01.0.00.0.00.01.0000'],
        ['4397297', '4.01.0.00.0.00.01.0000'],
        ['4397299', '1.01.2.22.0.00.01.0000'],
      ]);
    },
    CLI_TEST_MS,
  );

  it(
    'answers kpiSummary, agencyRanking and kpiBreakdown as the raw rows compute',
    async () => {
      await recomputeKpis({ reason: 'dumps imported' });
      const answer = await api.gql(KPI_QUERY, { year: YEAR });
      const want = expectAnswerMatchesDumps(answer, dumps);
      // Agencies with plans and no realisation have their breakdown row too, with their commitment;
      // nothing is left unattributed.
      expect(answer.data.kpiBreakdown.rows.map((r: { key: string }) => r.key)).not.toContain('UNATTRIBUTED');
      expect(want['3.27.0.00.0.00.01.0000']).toMatchObject({
        realisation: '0.00',
        commitment: '75000000.00',
      });
    },
    CLI_TEST_MS,
  );

  it(
    'lists the suspect rows of a run, kept as reported',
    async () => {
      const tender = path.join(dir, 'kontrak-tender.csv');
      const result = await bisma('ingest', 'file', tender);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('unchanged 5');
      expect(result.stdout).toMatch(
        /suspect rows \(kept as reported, flagged in the KPIs\): 2, value 2005000000\.00/,
      );
    },
    CLI_TEST_MS,
  );

  it(
    'withdraws what a newer snapshot file no longer lists, and nothing with --partial',
    async () => {
      const rup = dumps['rup/paket-penyedia-terumumkan'];
      const newer = path.join(dir, 'rup-newer.json');
      writeFileSync(newer, JSON.stringify(rup.slice(0, -1)));
      const partial = await bisma('ingest', 'file', path.join(dir, 'rup-newer.json'), '--partial');
      expect(partial.stdout).toContain('withdrawn 0');
      const full = await bisma('ingest', 'file', newer);
      expect(full.code).toBe(0);
      expect(full.stdout).toContain('withdrawn 1');
      const gone = await prisma.procurementItem.findFirstOrThrow({
        where: { dataset: 'rup/paket-penyedia-terumumkan', sourceKey: String(rup.at(-1)!.kd_rup) },
      });
      expect(gone.withdrawnAt).not.toBeNull();
    },
    CLI_TEST_MS,
  );

  it(
    'fails a file whose rows are all rejected: exit 1, counts, first reasons, the command for the rest',
    async () => {
      const rows = dumps['legacy/bela/toko-daring-realisasi'].map((r) => ({
        ...r,
        tanggal_transaksi: '2024-13-45',
      }));
      const file = path.join(dir, 'rusak.csv');
      writeFileSync(file, csv(rows, ';'));
      const before = await pool.query(
        'SELECT count(*)::int AS n, max(updated_at) AS at FROM procurement_item',
      );
      const result = await bisma(
        'ingest',
        'file',
        file,
        '--dataset',
        'toko-daring-realisasi',
        '--klpd',
        KLPD,
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        /^run (\d+) FAILED: fetched 4, inserted 0, updated 0, unchanged 0, rejected 4/,
      );
      expect(result.stdout).toContain('tanggal_transaksi: not a valid date: "2024-13-45"');
      const runId = /^run (\d+)/.exec(result.stdout)![1];
      expect(result.stdout).toContain(`every rejected row: bisma ingest rejected ${runId}`);
      expect(result.stderr).toMatch(/all 4 records were rejected/);
      const after = await pool.query(
        'SELECT count(*)::int AS n, max(updated_at) AS at FROM procurement_item',
      );
      expect(after.rows).toEqual(before.rows);
      const listed = await bisma('ingest', 'rejected', runId!);
      expect(listed.stdout.trim().split('\n')).toHaveLength(5);
    },
    CLI_TEST_MS,
  );

  it(
    'attributes waiting items to an agency an admin creates, and lets an admin rename it',
    async () => {
      const row = {
        ...dumps['legacy/bela/toko-daring-realisasi'][0]!,
        order_id: '5000001',
        kd_satker: '777001',
      };
      const file = path.join(dir, 'toko-unit-baru.json');
      writeFileSync(file, JSON.stringify([row]));
      expect((await bisma('ingest', 'file', file, '--partial')).stdout).toContain('unknown agencies 1');
      const keys = await createKeys();
      const created = await api.gql(
        `mutation ($input: CreateAgencyInput!) { createAgency(input: $input) {
        ... on MutationCreateAgencySuccess { data { id code numericCode kind } } ... on Error { code message } } }`,
        {
          input: {
            code: '6.01.0.00.0.00.09.0000',
            name: 'UPT BARU',
            kind: 'UPT',
            klpdCode: KLPD,
            numericCode: '777001',
          },
        },
        keys.admin,
      );
      expect(created.errors).toBeUndefined();
      const agency = created.data.createAgency.data;
      expect(agency).toMatchObject({ code: '6.01.0.00.0.00.09.0000', numericCode: '777001', kind: 'UPT' });
      const item = await prisma.procurementItem.findFirstOrThrow({ where: { sourceKey: '5000001' } });
      const stored = await prisma.agency.findUniqueOrThrow({ where: { code: agency.code } });
      expect(item).toMatchObject({ agencyCode: stored.code, agencyId: stored.id });
      const renamed = await api.gql(
        `mutation ($id: ID!, $name: String!) { renameAgency(id: $id, name: $name) {
        ... on MutationRenameAgencySuccess { data { name } } ... on Error { code } } }`,
        { id: agency.id, name: 'UPT PENGADAAN BARU' },
        keys.admin,
      );
      expect(renamed.data.renameAgency.data).toEqual({ name: 'UPT PENGADAAN BARU' });
      const conflict = await api.gql(
        `mutation ($input: CreateAgencyInput!) { createAgency(input: $input) { ... on Error { code } } }`,
        { input: { code: '6.01.0.00.0.00.09.0000', name: 'lagi' } },
        keys.admin,
      );
      expect(conflict.data.createAgency).toEqual({ code: 'CONFLICT' });
    },
    CLI_TEST_MS,
  );
});
