// Pulls one source's snapshot from the feed into the database: at most one run per source at a
// time, staged page by page and resumable from the last committed page's cursor, then applied
// once, complete (or held when it looks wrong), with the withdrawal of the rows it no longer
// lists. A failed run applies nothing; the same snapshot twice changes nothing.
import { config } from '../../config/env.js';
import {
  FeedAuthError,
  type FeedClientOptions,
  FeedPagingError,
  FeedRejectedError,
  FeedRetryLaterError,
} from '../../feed/client.js';
import { isFeedDataset } from '../../feed/contract.js';
import { type TransportConfig, transportConfig, transportFor } from '../../feed/transports/index.js';
import type { RunTrigger } from '../../generated/prisma/client.js';
import { pool } from '../../lib/db.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { ingestProgressChannel, publishLive } from '../live/pubsub.js';
import { settleSnapshot } from './after-snapshot.js';
import { runAgencyPages, satkerNumbers } from './agencies.js';
import { completeRun } from './apply.js';
import { type RunProgress, runPipeline, type SourcePage } from './pipeline.js';
import {
  claimRun,
  closeAttempt,
  FINISHED,
  failRun,
  loadRun,
  pauseRun,
  type Run,
  resetRun,
  startRun,
  withSourceLock,
} from './runs.js';
import { getSource, isProcurementDataset } from './sources.js';

export type PullRequest =
  /** A run recorded beforehand (manual run, replay). */
  | { runId: number }
  /** A pull of the feed's current data (or as of a date, for backfills) on behalf of a queue job. */
  | {
      sourceKey: string;
      trigger: Extract<RunTrigger, 'SCHEDULE' | 'STARTUP' | 'CATCH_UP' | 'REPLAY'>;
      jobKey: string;
      requestedAsOf?: string | null;
      scheduledFor?: Date | null;
    };

export interface PullOptions {
  /** Stops after the batch being written; the run stays resumable (outcome 'paused'). */
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => unknown;
  /** On an error: fail the run for good (true) or leave it to the job's next attempt (false). */
  finalAttempt?: boolean;
  /** The feed to read (default FEED_URL / FEED_TOKEN) and client settings (tests shorten backoff). */
  feed?: Partial<FeedClientOptions>;
  /** Transport settings over the configured ones (FEED_TRANSPORT…). */
  transport?: Partial<TransportConfig>;
  /** Extra query parameters for every page (the simulator's fault_* parameters). */
  params?: Record<string, string>;
  batchRows?: number;
  pageLimit?: number;
}

export type PullOutcome =
  /** The run is finished (now, or by an earlier attempt): see run.status. */
  | { outcome: 'finished'; run: Run }
  /** Stopped by the signal after a committed batch; resumes from its cursor. */
  | { outcome: 'paused'; run: Run }
  /** Another run of the source is in progress. */
  | { outcome: 'busy'; sourceKey: string }
  /** The feed asked to wait (Retry-After) this long: the run resumes from its cursor after it. */
  | { outcome: 'delayed'; run: Run; delayMs: number };

/** Errors that end the run at once, whatever attempts remain: retrying cannot help. */
export function isFinalError(err: unknown): boolean {
  return err instanceof FeedRejectedError || err instanceof FeedPagingError;
}

/** A Retry-After the pull honours by delaying its job (longer than the stated maximum fails it). */
function honouredDelay(err: unknown): number | null {
  return err instanceof FeedRetryLaterError && err.retryAfterMs <= config().INGEST_MAX_RETRY_AFTER_MS
    ? err.retryAfterMs
    : null;
}

export async function pull(request: PullRequest, options: PullOptions = {}): Promise<PullOutcome> {
  const cfg = config();
  let sourceId: number;
  if ('runId' in request) {
    const run = await pool.query<Pick<Run, 'sourceId'>>(
      'SELECT source_id AS "sourceId" FROM ingest_run WHERE id = $1',
      [request.runId],
    );
    if (!run.rows[0]) throw new NotFoundError('IngestRun', request.runId);
    if (run.rows[0].sourceId === null)
      throw new ValidationError('runId', `run ${request.runId} has no feed source`);
    sourceId = run.rows[0].sourceId;
  } else {
    sourceId = (await getSource(request.sourceKey)).id;
  }
  const source = await pool
    .query<{ id: number; key: string; dataset: string; klpd_code: string; fiscal_year: number }>(
      'SELECT id, key, dataset, klpd_code, fiscal_year FROM feed_source WHERE id = $1',
      [sourceId],
    )
    .then((r) => r.rows[0]!);
  const dataset = source.dataset;
  if (!isFeedDataset(dataset)) throw new ValidationError('dataset', `${dataset} is not a feed dataset`);

  const locked = await withSourceLock(source.id, async (client): Promise<PullOutcome> => {
    let run =
      'runId' in request
        ? await loadRun(client, request.runId)
        : await claimRun(client, {
            sourceId: source.id,
            dataset,
            klpdCode: source.klpd_code,
            trigger: request.trigger,
            jobKey: request.jobKey,
            requestedAsOf: request.requestedAsOf ?? null,
            scheduledFor: request.scheduledFor ?? null,
          });
    if (FINISHED.has(run.status)) return { outcome: 'finished', run };
    run = await startRun(client, run, 'runId' in request ? null : request.jobKey);
    const log = logger.child({ runId: run.id, source: source.key, asOf: run.requestedAsOf });
    log.info(
      { resumeFromPage: run.pages, attempt: run.pages > 0 ? 'resume' : 'start' },
      'ingest run started',
    );

    const feed = transportFor(dataset, { ...transportConfig(cfg), ...options.transport }, options.feed);
    const readPages = (from: Run): AsyncIterator<SourcePage> =>
      feed
        .pages({
          dataset,
          klpd: source.klpd_code,
          year: source.fiscal_year,
          ...(from.requestedAsOf ? { asOf: from.requestedAsOf } : {}),
          limit: options.pageLimit ?? cfg.INGEST_PAGE_LIMIT,
          startCursor: from.cursor,
          firstPageNumber: from.pages + 1,
          maxPages: cfg.INGEST_MAX_PAGES,
          maxEmptyPages: cfg.INGEST_MAX_EMPTY_PAGES,
          ...(options.params ? { params: options.params } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        })
        [Symbol.asyncIterator]();
    const pipeline = {
      batchRows: options.batchRows ?? cfg.INGEST_BATCH_ROWS,
      source: source.key,
      ...(options.signal ? { signal: options.signal } : {}),
      // Progress also goes to live subscribers (ingestRunProgress), from whichever process runs it.
      onProgress: async (progress: RunProgress) => {
        await options.onProgress?.(progress);
        await publishLive(ingestProgressChannel(), progress);
      },
    };
    const scope = {
      klpdCode: source.klpd_code,
      fiscalYear: source.fiscal_year,
      rules: { ekatalogOutsideSystem: cfg.EKATALOG_OUTSIDE_SYSTEM },
      satkerByNumber: await satkerNumbers(source.klpd_code, client),
    };
    try {
      if (!run.pagesDone && !isProcurementDataset(dataset)) {
        const result = await runAgencyPages(client, run, source.klpd_code, readPages(run), pipeline);
        if (!result.complete) {
          await pauseRun(run.id);
          return { outcome: 'paused', run: await loadRun(client, run.id) };
        }
      } else if (!run.pagesDone && isProcurementDataset(dataset)) {
        let result: Awaited<ReturnType<typeof runPipeline>>;
        try {
          result = await runPipeline(client, run, dataset, scope, readPages(run), pipeline);
        } catch (err) {
          // A stored cursor the feed no longer accepts (400: it changed its paging): read it all
          // again. Refused credentials are not that: they fail the run below.
          if (
            !(err instanceof FeedRejectedError) ||
            err instanceof FeedAuthError ||
            err.details?.status !== 400 ||
            run.cursor === null
          )
            throw err;
          log.warn({ err: err.message }, 'the feed refused the stored cursor; the snapshot is read again');
          // The attempt goes on from the first page; its history says why.
          await client.query(
            `UPDATE ingest_run_attempt SET error = $2 WHERE run_id = $1 AND finished_at IS NULL`,
            [run.id, `restarted from the first page: the feed refused the stored cursor (${err.message})`],
          );
          await resetRun(client, run.id);
          run = await loadRun(client, run.id);
          result = await runPipeline(client, run, dataset, scope, readPages(run), pipeline);
        }
        if (!result.complete) {
          await pauseRun(run.id);
          log.info({ pages: run.pages, cursor: run.cursor }, 'ingest run paused after a committed batch');
          return { outcome: 'paused', run: await loadRun(client, run.id) };
        }
      }
      const procurement = isProcurementDataset(dataset);
      const finished = await completeRun(client, run, {
        withdraw: procurement,
        check: procurement,
        source: source.key,
      });
      await closeAttempt(client, run.id, finished.status, finished.heldReason);
      if (finished.status === 'HELD') {
        log.warn(
          { reason: finished.heldReason, fetched: finished.fetched },
          'ingest run held for an operator',
        );
      } else {
        // The run has committed: a failure here is logged, and the next snapshot settles it again.
        await settleSnapshot(client, run.id, {
          dataset,
          klpdCode: source.klpd_code,
          fiscalYears: [source.fiscal_year],
        }).catch((err: Error) => log.warn({ err: err.message }, 'settling the snapshot failed'));
        log.info(
          {
            fetched: finished.fetched,
            inserted: finished.inserted,
            updated: finished.updated,
            unchanged: finished.unchanged,
            rejected: finished.rejected,
            withdrawn: finished.withdrawn,
          },
          'ingest run succeeded',
        );
      }
      await publishLive(ingestProgressChannel(), {
        runId: finished.id,
        status: finished.status,
        pages: finished.pages,
        fetched: finished.fetched,
        inserted: finished.inserted,
        updated: finished.updated,
        unchanged: finished.unchanged,
        rejected: finished.rejected,
        duplicates: finished.duplicates,
      });
      return { outcome: 'finished', run: finished };
    } catch (err) {
      if (options.signal?.aborted) {
        await pauseRun(run.id);
        return { outcome: 'paused', run: await loadRun(client, run.id) };
      }
      const delay = honouredDelay(err);
      if (delay !== null) {
        await pauseRun(run.id, 'DELAYED', (err as Error).message);
        log.info({ delayMs: delay }, 'the feed asks to wait; the run resumes from its cursor after that');
        return { outcome: 'delayed', run: await loadRun(client, run.id), delayMs: delay };
      }
      const final = (options.finalAttempt ?? true) || isFinalError(err) || err instanceof FeedRetryLaterError;
      const failure =
        err instanceof FeedRetryLaterError
          ? new Error(
              `${err.message}, more than the ${config().INGEST_MAX_RETRY_AFTER_MS} ms a pull waits (INGEST_MAX_RETRY_AFTER_MS)`,
            )
          : (err as Error);
      await failRun(run.id, failure, final);
      // The last attempt is an operator's problem (error); an earlier one is retried (warn).
      log[final ? 'error' : 'warn']({ err: failure.message, final }, 'ingest run failed');
      throw err;
    }
  });
  return locked.locked ? locked.value : { outcome: 'busy', sourceKey: source.key };
}
