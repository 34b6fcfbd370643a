// `npm run ingest:file`: a snapshot file (JSON lines or CSV) goes through the feed's validation
// and the same run bookkeeping as a pull; a CSV of the same rows as an imported JSON file
// changes nothing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadDemoData } from '../../src/demo/seed.js';
import { SimData, snapshotRows } from '../../src/demo/sim-data.js';
import { closeDb, prisma } from '../../src/lib/db.js';
import { createTestDatabase } from '../helpers/db.js';
import { expectedSnapshot, KLPD, storedItems } from '../helpers/ingest.js';
import { spawnEntry } from '../helpers/process.js';
import { flushTestPrefix } from '../helpers/redis.js';

const DATASET = 'ekatalog/paket-e-purchasing' as const;
const dir = mkdtempSync(path.join(tmpdir(), 'bisma-ingest-file-'));
const rows = [...snapshotRows(new SimData({ seed: 2023, klpd: KLPD }), DATASET, 2023)];

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function importFile(file: string, ...args: string[]) {
  const cli = spawnEntry('src/cli/bisma.ts', {}, ['ingest-file', file, ...args]);
  const exit = await cli.exited;
  return { ...exit, ...cli.output() };
}

beforeAll(async () => {
  await createTestDatabase();
  await loadDemoData();
});
afterAll(async () => {
  await flushTestPrefix();
  await closeDb();
});

describe('a file import', () => {
  it('imports JSON lines, rejecting unreadable lines and invalid rows with their reasons', async () => {
    const file = path.join(dir, 'paket-e-purchasing-2023.jsonl');
    const lines = rows.map((r) => JSON.stringify(r));
    lines.splice(5, 0, '{"kd_paket": 1, "tahun_anggaran": 20');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const expected = expectedSnapshot(DATASET, rows);

    const result = await importFile(file);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^run \\d+ SUCCEEDED: fetched ${rows.length + 1}, inserted ${expected.items.size}, updated 0, unchanged 0, ` +
          `rejected ${expected.rejected + 1}, duplicates ${expected.duplicates}`,
      ),
    );
    expect(await storedItems(DATASET)).toEqual(expected.items);
    const run = await prisma.ingestRun.findFirstOrThrow({
      where: { trigger: 'FILE' },
      include: { rejectedRows: true, source: true },
    });
    // The file stands for the source of its (dataset, KLPD, year).
    expect(run).toMatchObject({
      fileName: 'paket-e-purchasing-2023.jsonl',
      status: 'SUCCEEDED',
      source: { key: `paket-e-purchasing.${KLPD}.2023` },
    });
    expect(run.rejectedRows.find((r) => r.rowNumber === 6)).toMatchObject({
      reason: expect.stringMatching(/^not a JSON line/),
      raw: '{"kd_paket": 1, "tahun_anggaran": 20',
    });
  });

  it('reads CSV (quoted fields, numbers as text, empty cells as unknown): the same rows change nothing', async () => {
    const header = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const csv = [header.join(','), ...rows.map((r) => header.map((h) => csvCell(r[h])).join(','))].join(
      '\r\n',
    );
    const file = path.join(dir, 'orders.csv');
    writeFileSync(file, csv);
    const before = await storedItems(DATASET);

    const result = await importFile(file, '--dataset', 'paket-e-purchasing');
    expect(result.code).toBe(0);
    const expected = expectedSnapshot(DATASET, rows);
    expect(result.stdout).toMatch(
      new RegExp(
        `fetched ${rows.length}, inserted 0, updated 0, unchanged ${expected.items.size}, rejected ${expected.rejected}`,
      ),
    );
    expect(await storedItems(DATASET)).toEqual(before);
  });

  it('records a --partial import as partial: it withdraws none of the items it did not list', async () => {
    const file = path.join(dir, 'some-orders.jsonl');
    writeFileSync(
      file,
      `${rows
        .slice(0, 10)
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    const before = await storedItems(DATASET);

    const result = await importFile(file, '--partial');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/withdrawn 0/);
    expect(await storedItems(DATASET)).toEqual(before);
    const runs = await prisma.ingestRun.findMany({ where: { trigger: 'FILE' }, orderBy: { id: 'asc' } });
    expect(runs.map((r) => r.partial)).toEqual([false, false, true]);
  });

  it('stops with one clear line when the dataset is unknown', async () => {
    const file = path.join(dir, 'unknown.jsonl');
    writeFileSync(file, '{}\n');
    const result = await importFile(file);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^bisma ingest-file: --dataset: give --dataset, one of: /);
  });
});
