// The page loop shared by feed pulls and file imports: validates every row, groups whole pages
// into batches, stages each batch in one transaction (writer.ts) while the next page is already
// being fetched, and reports progress. Nothing reaches the items here: a complete snapshot is
// applied once, at the end (apply.ts). Memory stays at about one batch whatever the snapshot size.
import type pg from 'pg';
import type { ProcurementDataset } from '../../feed/contract.js';
import { ingestRows } from '../../lib/metrics.js';
import { CopyLines } from './copy-text.js';
import { type PreparedRow, prepareRow, type RowScope, stageLine } from './rows.js';
import type { Run } from './runs.js';
import { type Batch, type RejectedInput, stageBatch } from './writer.js';

export interface SourcePage {
  rows: unknown[];
  /** Where the page after this one starts (what a resumed run passes back); null at the end. */
  cursor: string | null;
  hasMore: boolean;
  /** The date the feed says the snapshot stands as of, when it says one. */
  asOf?: string | null;
  /** How many rows the feed says the whole snapshot has, when it says so. */
  expectedRows?: number | null;
}

/** A row a file could not even parse: rejected with its reason like any invalid row. */
export class UnreadableRow {
  constructor(
    readonly reason: string,
    readonly text: string,
  ) {}
}

/** inserted, updated and unchanged stay 0 until the snapshot is applied (apply.ts). */
export interface RunProgress {
  runId: number;
  pages: number;
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  duplicates: number;
}

export interface PipelineOptions {
  batchRows: number;
  /** Aborting stops after the batch being written; pages not yet written are left for a resume. */
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => unknown;
  /** The metrics label of what is read: the source key, or "file" for imports. */
  source?: string;
}

export type PipelineResult = { complete: true } | { complete: false };

const MAX_RAW_TEXT = 100_000;

function rawText(row: unknown): string {
  if (row instanceof UnreadableRow) return row.text.slice(0, MAX_RAW_TEXT);
  const text = JSON.stringify(row) ?? String(row);
  return text.length > MAX_RAW_TEXT ? text.slice(0, MAX_RAW_TEXT) : text;
}

function newBatch(): Batch & { keys: Set<string> } {
  return {
    lines: new CopyLines(),
    rejected: [],
    fetched: 0,
    pages: 0,
    duplicates: 0,
    keyless: 0,
    cursor: null,
    last: false,
    asOf: null,
    expectedRows: null,
    fetchMs: 0,
    keys: new Set(),
  };
}

/** Reads pages ahead of the consumer (up to `max` buffered) so the feed is never idle while we write. */
class PageReader {
  private readonly buffer: Array<{ page: SourcePage | null } | { error: unknown }> = [];
  private wake: (() => void) | null = null;
  private space: (() => void) | null = null;
  private finished = false;

  constructor(
    private readonly pages: AsyncIterator<SourcePage>,
    private readonly max: number,
  ) {
    void this.run();
  }

  private async run(): Promise<void> {
    while (!this.finished) {
      if (this.buffer.length >= this.max) {
        await new Promise<void>((resolve) => {
          this.space = resolve;
        });
        continue;
      }
      try {
        const r = await this.pages.next();
        this.push({ page: r.done ? null : r.value });
        if (r.done || !r.value.hasMore) this.finished = true;
      } catch (error) {
        this.push({ error });
        this.finished = true;
      }
    }
  }

  private push(entry: { page: SourcePage | null } | { error: unknown }): void {
    this.buffer.push(entry);
    this.wake?.();
    this.wake = null;
  }

  /** Stops reading ahead (the consumer is done with the source). */
  close(): void {
    this.finished = true;
    this.space?.();
    void this.pages.return?.();
  }

  async next(): Promise<{ page: SourcePage | null } | { error: unknown }> {
    while (this.buffer.length === 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    const entry = this.buffer.shift()!;
    this.space?.();
    this.space = null;
    return entry;
  }
}

/** Counts a staged batch's rows for bisma_ingest_rows_total (what the apply did is counted there). */
function countRows(source: string, dataset: string, counts: { duplicates: number; rejected: number }): void {
  const add = (outcome: string, n: number) => {
    if (n > 0) ingestRows.inc({ source, dataset, outcome }, n);
  };
  add('duplicate', counts.duplicates);
  add('rejected', counts.rejected);
}

/** Pages read ahead of the one being validated: about two batches of 1000-row pages. */
const PAGES_AHEAD = 4;

/**
 * Stages pages into the run until the source ends (complete) or the signal stops it after a
 * committed batch (not complete). Validation of one batch overlaps the write of the previous
 * one; writes stay one at a time, in order, so the stored cursor is always that of the last
 * committed batch. Row numbers continue from the rows the run already committed.
 */
export async function runPipeline(
  client: pg.PoolClient,
  run: Run,
  dataset: ProcurementDataset,
  scope: RowScope,
  pages: AsyncIterator<SourcePage>,
  options: PipelineOptions,
): Promise<PipelineResult> {
  let rowNumber = run.fetched;
  let batch = newBatch();
  const stopped = () => options.signal?.aborted === true;
  const reader = new PageReader(pages, PAGES_AHEAD);

  let writing: Promise<void> | null = null;
  const write = async (done: Batch) => {
    await stageBatch(client, run, done);
    run.fetched += done.fetched;
    run.pages += done.pages;
    // The last page carries no cursor: the run keeps showing where its last page started.
    run.cursor = done.cursor ?? run.cursor;
    run.pagesDone = done.last;
    run.asOf = done.asOf ?? run.asOf;
    run.expectedRows = done.expectedRows ?? run.expectedRows;
    run.rejected += done.rejected.length;
    run.duplicates += done.duplicates;
    run.keylessRows += done.keyless;
    countRows(options.source ?? 'file', dataset, {
      duplicates: done.duplicates,
      rejected: done.rejected.length,
    });
    await options.onProgress?.({
      runId: run.id,
      pages: run.pages,
      fetched: run.fetched,
      inserted: run.inserted,
      updated: run.updated,
      unchanged: run.unchanged,
      rejected: run.rejected,
      duplicates: run.duplicates,
    });
  };
  /** Starts writing a batch once the previous write has committed. */
  const commit = async () => {
    if (writing) await writing;
    const done = batch;
    batch = newBatch();
    writing = write(done);
    // Awaited later; a failure must not surface as an unhandled rejection meanwhile.
    writing.catch(() => undefined);
  };
  const settle = async () => {
    if (writing) await writing;
  };

  try {
    return await pump();
  } finally {
    reader.close();
  }

  async function pump(): Promise<PipelineResult> {
    for (;;) {
      if (stopped()) {
        if (batch.pages > 0) await commit();
        await settle();
        return { complete: false };
      }
      const waited = performance.now();
      const next = await reader.next();
      batch.fetchMs += performance.now() - waited;
      if ('error' in next) {
        // A stop during a fetch keeps the whole pages already read: they are written first.
        if (stopped()) continue;
        await settle();
        throw next.error;
      }
      const page = next.page;
      if (page === null) {
        // The source ended without marking its last page: what remains is final.
        batch.last = true;
        await commit();
        await settle();
        return { complete: true };
      }
      for (const raw of page.rows) {
        rowNumber += 1;
        batch.fetched += 1;
        const prepared: PreparedRow =
          raw instanceof UnreadableRow
            ? { ok: false, reason: raw.reason, key: null }
            : prepareRow(dataset, raw, scope);
        if (!prepared.ok) {
          const keyless = prepared.key === null || prepared.key.trim() === '';
          const rejected: RejectedInput = {
            rowNumber,
            sourceKey: keyless ? null : prepared.key,
            reason: prepared.reason,
            raw: rawText(raw),
          };
          if (keyless) batch.keyless += 1;
          batch.rejected.push(rejected);
          continue;
        }
        const item = prepared.item;
        if (batch.keys.has(item.sourceKey)) {
          batch.duplicates += 1;
          continue;
        }
        batch.keys.add(item.sourceKey);
        batch.lines.push(stageLine(run.id, rowNumber, item));
      }
      batch.pages += 1;
      batch.cursor = page.cursor;
      batch.asOf = page.asOf ?? batch.asOf;
      batch.expectedRows = page.expectedRows ?? batch.expectedRows;
      batch.last = !page.hasMore;
      if (batch.last) {
        await commit();
        await settle();
        return { complete: true };
      }
      if (batch.fetched >= options.batchRows) await commit();
    }
  }
}
