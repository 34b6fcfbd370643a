// Imports a snapshot file (JSON lines or CSV) through the same validation, staging and run
// bookkeeping as a feed pull: the file is applied once, after its last row was read (a file that
// fails half-way changes no item). A file is not a complete snapshot of a source: nothing is
// withdrawn.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { config } from '../../config/env.js';
import type { ProcurementDataset } from '../../feed/contract.js';
import { pool } from '../../lib/db.js';
import { ValidationError } from '../../lib/errors.js';
import { completeRun } from './apply.js';
import { CsvRecords, csvObject } from './csv.js';
import { type RunProgress, runPipeline, type SourcePage, UnreadableRow } from './pipeline.js';
import { closeAttempt, failRun, type RunRow, startRun } from './runs.js';
import { isProcurementDataset } from './sources.js';

export type FileFormat = 'jsonl' | 'csv';

export interface ImportFileInput {
  path: string;
  dataset: string;
  /** The KLPD the rows belong to (default FEED_KLPD). */
  klpdCode?: string;
  /** Default: by extension (.csv → csv, anything else → JSON lines). */
  format?: FileFormat;
  batchRows?: number;
  onProgress?: (progress: RunProgress) => unknown;
}

const PAGE_ROWS = 1000;

export function formatOf(file: string): FileFormat {
  return path.extname(file).toLowerCase() === '.csv' ? 'csv' : 'jsonl';
}

async function* jsonLinePages(file: string): AsyncGenerator<SourcePage> {
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let rows: unknown[] = [];
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      rows.push(JSON.parse(line));
    } catch (err) {
      rows.push(new UnreadableRow(`not a JSON line: ${(err as Error).message}`, line));
    }
    if (rows.length === PAGE_ROWS) {
      yield { rows, cursor: null, hasMore: true };
      rows = [];
    }
  }
  yield { rows, cursor: null, hasMore: false };
}

async function* csvPages(file: string): AsyncGenerator<SourcePage> {
  const reader = new CsvRecords();
  let header: string[] | null = null;
  let rows: unknown[] = [];
  const take = (records: string[][]) => {
    for (const record of records) {
      if (header === null) header = record.map((h) => h.trim().replace(/^\uFEFF/, ''));
      else if (record.length !== header.length) {
        rows.push(
          new UnreadableRow(
            `expected ${header.length} fields, found ${record.length}`,
            JSON.stringify(record),
          ),
        );
      } else rows.push(csvObject(header, record));
    }
  };
  for await (const chunk of createReadStream(file, 'utf8')) {
    take(reader.push(chunk as string));
    if (rows.length >= PAGE_ROWS) {
      yield { rows, cursor: null, hasMore: true };
      rows = [];
    }
  }
  take(reader.end());
  yield { rows, cursor: null, hasMore: false };
}

export async function importFile(input: ImportFileInput): Promise<RunRow> {
  const dataset = input.dataset;
  if (!isProcurementDataset(dataset)) {
    throw new ValidationError('dataset', `${dataset} is not a procurement dataset of the feed`);
  }
  const info = await stat(input.path).catch(() => null);
  if (!info?.isFile()) throw new ValidationError('path', `${input.path} is not a readable file`);
  const klpdCode = input.klpdCode ?? config().FEED_KLPD;
  const format = input.format ?? formatOf(input.path);

  const client = await pool.connect();
  let run: RunRow | undefined;
  try {
    const created = await client.query<RunRow>(
      `INSERT INTO ingest_run (dataset, klpd_code, trigger, status, file_name, as_of)
       VALUES ($1, $2, 'FILE', 'QUEUED', $3, NULL) RETURNING *`,
      [dataset, klpdCode, path.basename(input.path)],
    );
    run = await startRun(client, created.rows[0]!, null);
    const pages = (format === 'csv' ? csvPages(input.path) : jsonLinePages(input.path))[
      Symbol.asyncIterator
    ]();
    await runPipeline(client, run, dataset as ProcurementDataset, { klpdCode }, pages, {
      batchRows: input.batchRows ?? config().INGEST_BATCH_ROWS,
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    });
    const finished = await completeRun(client, run, { withdraw: false, check: false });
    await closeAttempt(client, run.id, finished.status, null);
    return finished;
  } catch (err) {
    if (run) await failRun(run.id, err as Error, true);
    throw err;
  } finally {
    client.release();
  }
}
