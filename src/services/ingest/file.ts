// Imports a snapshot file as LKPP and public dumps publish it: a JSON array (compact or pretty,
// with or without a UTF-8 byte-order mark), JSON lines, or CSV with `,` or `;` (detected), read as
// a stream and counted in records. The rows go through the same validation, batching and run
// bookkeeping as a feed pull, staged and applied once after the last record was read (a file
// that fails half-way changes no item). A file is a full snapshot of its (dataset, KLPD, year) unless
// partial: rows it no longer lists are withdrawn, as by a pull. Its KLPD, year and as-of date
// come from the data unless given; a file whose rows are all rejected fails and changes no item.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { config } from '../../config/env.js';
import { FEED_DATASETS, type FeedDataset, isFeedDataset } from '../../feed/contract.js';
import { DataAsOf } from '../../feed/transports/as-of.js';
import { arrayElements } from '../../feed/transports/json-array.js';
import { jakartaToday } from '../../lib/dates.js';
import { pool, prisma } from '../../lib/db.js';
import { ValidationError } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { settleSnapshot } from './after-snapshot.js';
import { runAgencyPages, satkerNumbers } from './agencies.js';
import { completeRun } from './apply.js';
import { csvObject, csvRecords } from './csv.js';
import { type RunProgress, runPipeline, type SourcePage, UnreadableRow } from './pipeline.js';
import {
  checkAsOf,
  closeAttempt,
  failRun,
  loadRun,
  RUN_COLUMNS,
  type Run,
  startRun,
  withSourceLock,
} from './runs.js';
import { isProcurementDataset, sourceKey } from './sources.js';

export type FileFormat = 'json' | 'jsonl' | 'csv';

export interface ImportFileInput {
  path: string;
  /** A feed dataset path; recognised from the rows' fields when absent. */
  dataset?: string;
  /** The KLPD the rows belong to (default: the rows' kd_klpd, else FEED_KLPD). */
  klpdCode?: string;
  /** The fiscal year of the snapshot (default: the first row's). */
  year?: number;
  /** The date the snapshot stands as of (default: from the data, see dataAsOf). */
  asOf?: string;
  /** Only some rows of the snapshot: nothing is withdrawn. */
  partial?: boolean;
  /** Default: from the content (`[` → JSON array, `{` → JSON lines, else CSV). */
  format?: FileFormat;
  batchRows?: number;
  onProgress?: (progress: RunProgress) => unknown;
}

const PAGE_ROWS = 1000;
const BOM = '\uFEFF';

/** The format a file's first characters show. */
export async function sniffFormat(file: string): Promise<FileFormat> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const start = buffer.subarray(0, bytesRead).toString('utf8').replace(BOM, '').trimStart();
    if (start.startsWith('[')) return 'json';
    if (start.startsWith('{')) return 'jsonl';
    return 'csv';
  } finally {
    await handle.close();
  }
}

async function* chunked(records: AsyncIterable<unknown>): AsyncGenerator<SourcePage> {
  let rows: unknown[] = [];
  for await (const record of records) {
    rows.push(record);
    if (rows.length === PAGE_ROWS) {
      yield { rows, cursor: null, hasMore: true };
      rows = [];
    }
  }
  yield { rows, cursor: null, hasMore: false };
}

async function* jsonArrayRecords(file: string): AsyncGenerator<unknown> {
  try {
    yield* arrayElements(createReadStream(file));
  } catch (err) {
    // What came before the fault is kept; the fault is one rejected record with its reason.
    yield new UnreadableRow(`the JSON array cannot be read on: ${(err as Error).message}`, '');
  }
}

async function* jsonLineRecords(file: string): AsyncGenerator<unknown> {
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let first = true;
  for await (const raw of lines) {
    const line = first ? raw.replace(/^\uFEFF/, '') : raw;
    first = false;
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line);
    } catch (err) {
      yield new UnreadableRow(`not a JSON line: ${(err as Error).message}`, line);
    }
  }
}

async function* csvRows(file: string): AsyncGenerator<unknown> {
  let header: string[] | null = null;
  for await (const record of csvRecords(createReadStream(file, 'utf8'))) {
    if (header === null) header = record.map((h) => h.trim());
    else if (record.length !== header.length) {
      yield new UnreadableRow(
        `expected ${header.length} fields, found ${record.length}`,
        JSON.stringify(record),
      );
    } else yield csvObject(header, record);
  }
}

function records(file: string, format: FileFormat): AsyncGenerator<unknown> {
  if (format === 'json') return jsonArrayRecords(file);
  if (format === 'jsonl') return jsonLineRecords(file);
  return csvRows(file);
}

/** Fields that tell a dataset's rows apart (FEED.md's natural keys and their companions). */
const SIGNATURES: Array<[FeedDataset, (keys: Set<string>) => boolean]> = [
  ['tender/pencatatan-non-tender', (k) => k.has('kd_nontender_pct')],
  ['legacy/bela/toko-daring-realisasi', (k) => k.has('order_id') && k.has('valuasi')],
  ['ekatalog/paket-e-purchasing', (k) => k.has('kd_paket') && k.has('total_harga')],
  ['tender/tender-ekontrak-kontrak', (k) => k.has('kd_tender') && k.has('nilai_kontrak')],
  ['tender/non-tender-ekontrak-kontrak', (k) => k.has('kd_nontender') && k.has('nilai_kontrak')],
  ['rup/paket-penyedia-terumumkan', (k) => k.has('kd_rup') && k.has('pagu') && k.has('status_umumkan_rup')],
  [
    'rup/master-satker',
    (k) => k.has('kd_satker_str') && k.has('nama_satker') && !k.has('pagu') && !k.has('kd_rup'),
  ],
];

/** The dataset whose fields a row has, or null. */
export function recogniseDataset(row: unknown): FeedDataset | null {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return null;
  const keys = new Set(Object.keys(row));
  return SIGNATURES.find(([, test]) => test(keys))?.[0] ?? null;
}

function firstField(rows: unknown[], read: (r: Record<string, unknown>) => unknown): unknown {
  for (const row of rows) {
    if (typeof row !== 'object' || row === null || row instanceof UnreadableRow) continue;
    const value = read(row as Record<string, unknown>);
    if (value !== null && value !== undefined && value !== '') return value;
  }
  return undefined;
}

export async function importFile(input: ImportFileInput): Promise<Run> {
  const info = await stat(input.path).catch(() => null);
  if (!info?.isFile()) throw new ValidationError('path', `${input.path} is not a readable file`);
  if (input.dataset !== undefined && !isFeedDataset(input.dataset)) {
    throw new ValidationError(
      '--dataset',
      `${input.dataset} is not a feed dataset; one of: ${FEED_DATASETS.join(', ')}`,
    );
  }
  const asOf = input.asOf ? checkAsOf(input.asOf, '--as-of') : null;
  const format = input.format ?? (await sniffFormat(input.path));

  // The first page says what the file holds: its dataset, KLPD and year.
  const pages = chunked(records(input.path, format));
  const first = (await pages.next()).value as SourcePage;
  const dataset =
    (input.dataset as FeedDataset | undefined) ?? recogniseDataset(firstField(first.rows, (r) => r));
  if (!dataset) {
    await pages.return(undefined);
    throw new ValidationError('--dataset', `give --dataset, one of: ${FEED_DATASETS.join(', ')}`);
  }
  const klpdCode =
    input.klpdCode ?? (firstField(first.rows, (r) => r.kd_klpd) as string | undefined) ?? config().FEED_KLPD;
  const yearField = firstField(first.rows, (r) => r.tahun_anggaran ?? r.tahun);
  const year = input.year ?? (yearField === undefined ? undefined : Number(yearField));
  if (isProcurementDataset(dataset) && (year === undefined || !Number.isInteger(year))) {
    await pages.return(undefined);
    throw new ValidationError('--year', 'the rows carry no fiscal year: give --year');
  }

  const dated = new DataAsOf(dataset, jakartaToday());
  async function* withAsOf(): AsyncGenerator<SourcePage> {
    const stamp = (page: SourcePage): SourcePage => {
      for (const row of page.rows) dated.see(row);
      return { ...page, asOf: asOf ?? dated.value };
    };
    yield stamp(first);
    if (!first.hasMore) return;
    for await (const page of pages) yield stamp(page);
  }

  const fileName = path.basename(input.path);
  if (!isProcurementDataset(dataset)) {
    const client = await pool.connect();
    try {
      return await importRun(client, { dataset, klpdCode, fileName, sourceId: null }, async (run) => {
        await runAgencyPages(client, run, klpdCode, withAsOf()[Symbol.asyncIterator](), {
          ...(input.onProgress ? { onProgress: input.onProgress } : {}),
        });
        return finishOrFail(client, run, false);
      });
    } finally {
      client.release();
    }
  }

  const fiscalYear = year!;
  const key = sourceKey(dataset, klpdCode, fiscalYear);
  // The file stands for the source of its scope; one it creates is not pulled (disabled).
  await prisma.feedSource.createMany({
    data: [{ key, dataset, klpdCode, fiscalYear, enabled: false }],
    skipDuplicates: true,
  });
  const source = await prisma.feedSource.findUniqueOrThrow({ where: { key } });
  const locked = await withSourceLock(source.id, (client) =>
    importRun(
      client,
      { dataset, klpdCode, fileName, sourceId: source.id, partial: !!input.partial },
      async (run) => {
        const scope = {
          klpdCode,
          fiscalYear,
          rules: { ekatalogOutsideSystem: config().EKATALOG_OUTSIDE_SYSTEM },
          satkerByNumber: await satkerNumbers(klpdCode, client),
        };
        await runPipeline(client, run, dataset, scope, withAsOf()[Symbol.asyncIterator](), {
          batchRows: input.batchRows ?? config().INGEST_BATCH_ROWS,
          ...(input.onProgress ? { onProgress: input.onProgress } : {}),
        });
        // A partial file lists some rows only: it never withdraws the items it did not see.
        const finished = await finishOrFail(client, run, !run.partial);
        if (finished.status === 'SUCCEEDED') {
          // The run has committed: a failure here is logged, and the next snapshot settles it again.
          await settleSnapshot(client, run.id, { dataset, klpdCode, fiscalYears: [fiscalYear] }).catch(
            (err: Error) => logger.warn({ runId: run.id, err: err.message }, 'settling the snapshot failed'),
          );
        }
        return finished;
      },
    ),
  );
  if (!locked.locked) {
    await pages.return(undefined);
    throw new ValidationError('path', `a run of ${key} is in progress: import the file when it has ended`);
  }
  return locked.value;
}

async function importRun(
  client: import('pg').PoolClient,
  target: { dataset: string; klpdCode: string; fileName: string; sourceId: number | null; partial?: boolean },
  body: (run: Run) => Promise<Run>,
): Promise<Run> {
  let run: Run | undefined;
  try {
    const created = await client.query<Run>(
      `INSERT INTO ingest_run (source_id, dataset, klpd_code, trigger, status, file_name, as_of, partial)
       VALUES ($1, $2, $3, 'FILE', 'QUEUED', $4, NULL, $5) RETURNING ${RUN_COLUMNS}`,
      [target.sourceId, target.dataset, target.klpdCode, target.fileName, target.partial ?? false],
    );
    run = await startRun(client, created.rows[0]!, null);
    return await body(run);
  } catch (err) {
    if (run) await failRun(run.id, err as Error, true);
    throw err;
  }
}

/**
 * Ends the import: a file with no valid record fails (nothing is withdrawn, nothing published);
 * otherwise it completes like a pull's snapshot.
 */
async function finishOrFail(client: import('pg').PoolClient, run: Run, withdraw: boolean): Promise<Run> {
  const current = await loadRun(client, run.id);
  // Staged records are counted when they are applied: what was read and not rejected is valid.
  const valid = current.fetched - current.rejected;
  if (valid <= 0) {
    const why =
      current.fetched === 0
        ? 'the file holds no record'
        : `all ${current.fetched} records were rejected: nothing was imported`;
    await failRun(run.id, new Error(why), true);
    return loadRun(client, run.id);
  }
  // An import is the operator's own act on a file they chose, so it is not held for an operator:
  // an empty file fails above, and --partial withdraws nothing. A pull's snapshot is checked.
  const finished = await completeRun(client, current, { withdraw, check: false, source: 'file' });
  await closeAttempt(client, run.id, finished.status, finished.heldReason);
  return finished;
}
