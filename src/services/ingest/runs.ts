// The run as state: creating, claiming, resuming and finishing ingest runs. A source has at most
// one run in progress, enforced by a PostgreSQL advisory lock held on the run's connection for
// the whole run (a killed worker's connection drops and frees it), whatever the process count.
import type pg from 'pg';
import type { IngestRun, RunTrigger } from '../../generated/prisma/client.js';
import { type CalendarDate, checkCalendarDate, fromDbDate, jakartaToday, toDbDate } from '../../lib/dates.js';
import { pool, prisma } from '../../lib/db.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { getSource, isProcurementDataset } from './sources.js';

/** First key of the two-key advisory locks of ingest (the second is the source id). */
export const INGEST_LOCK_NAMESPACE = 72_616_020;

/**
 * An ingest run, the one shape every service handles: the Prisma model's fields (camelCase,
 * timestamps as Date), with its calendar dates as `YYYY-MM-DD` strings (see lib/dates.ts). Raw SQL
 * reads it through RUN_COLUMNS; a Prisma row becomes one through runOf.
 */
export type Run = Omit<IngestRun, 'asOf' | 'requestedAsOf'> & {
  asOf: CalendarDate | null;
  requestedAsOf: CalendarDate | null;
};

/** The select list (or RETURNING list) that reads ingest_run as a Run. */
export const RUN_COLUMNS = `
  id, source_id AS "sourceId", dataset, trigger, status, as_of AS "asOf", job_id AS "jobId",
  file_name AS "fileName", cursor, pages, fetched, inserted, updated, unchanged, rejected, withdrawn,
  content_hash AS "contentHash", error, started_at AS "startedAt", finished_at AS "finishedAt",
  created_at AS "createdAt", klpd_code AS "klpdCode", requested_as_of AS "requestedAsOf",
  scheduled_for AS "scheduledFor", pages_done AS "pagesDone", duplicates,
  unknown_agencies AS "unknownAgencies", attempts, fetch_ms AS "fetchMs", write_ms AS "writeMs",
  held_reason AS "heldReason", expected_rows AS "expectedRows", keyless_rows AS "keylessRows",
  decided_at AS "decidedAt", decision_note AS "decisionNote", applied_at AS "appliedAt",
  reverted_at AS "revertedAt", partial`;

/** A Prisma ingest_run row as a Run. */
export function runOf(row: IngestRun): Run {
  return {
    ...row,
    asOf: row.asOf === null ? null : fromDbDate(row.asOf),
    requestedAsOf: row.requestedAsOf === null ? null : fromDbDate(row.requestedAsOf),
  };
}

/** No worker takes these up again (a HELD run waits for an operator's decision, not a worker). */
export const FINISHED = new Set<IngestRun['status']>(['SUCCEEDED', 'FAILED', 'CANCELLED', 'HELD', 'MISSED']);

export function checkAsOf(asOf: string, field = 'asOf'): string {
  checkCalendarDate(asOf, field);
  if (asOf > jakartaToday()) throw new ValidationError(field, 'cannot be in the future');
  return asOf;
}

/**
 * Records a run an operator asked for (now, or as of a date) before it is queued, so the caller
 * can return its id at once. It runs when a worker takes its job.
 */
export async function requestRun(input: { sourceKey: string; asOf?: string | null }): Promise<Run> {
  const source = await getSource(input.sourceKey);
  const asOf = input.asOf ? checkAsOf(input.asOf) : null;
  const run = await prisma.ingestRun.create({
    data: {
      sourceId: source.id,
      dataset: source.dataset,
      klpdCode: source.klpdCode,
      trigger: asOf ? 'REPLAY' : 'MANUAL',
      status: 'QUEUED',
      requestedAsOf: asOf ? toDbDate(asOf) : null,
      asOf: asOf ? toDbDate(asOf) : null,
    },
  });
  return runOf(run);
}

/**
 * Records a replay of every feed source of a fiscal year as of one date (a run per source, in one
 * transaction), so the year's answer for that date is reconstructed from all its sources, never a
 * mix. While any of them is queued or running, the year's replayed items are left in place; once
 * they are all done, the recompute publishes the reconstruction (when it differs from what was
 * published for the date) and the items return to every source's latest snapshot.
 */
export async function requestReplay(input: { fiscalYear: number; asOf: string }): Promise<Run[]> {
  if (!Number.isInteger(input.fiscalYear)) throw new ValidationError('year', 'must be a whole number');
  const asOf = checkAsOf(input.asOf);
  const sources = (
    await prisma.feedSource.findMany({
      where: { fiscalYear: input.fiscalYear, enabled: true },
      orderBy: { key: 'asc' },
    })
  ).filter((s) => isProcurementDataset(s.dataset));
  if (sources.length === 0) {
    throw new ValidationError('year', `no enabled feed source holds fiscal year ${input.fiscalYear}`);
  }
  const date = toDbDate(asOf);
  const runs = await prisma.$transaction(
    sources.map((source) =>
      prisma.ingestRun.create({
        data: {
          sourceId: source.id,
          dataset: source.dataset,
          klpdCode: source.klpdCode,
          trigger: 'REPLAY',
          status: 'QUEUED',
          requestedAsOf: date,
          asOf: date,
        },
      }),
    ),
  );
  return runs.map(runOf);
}

/** Marks a requested run failed when it could not even be queued. */
export async function failQueuedRun(runId: number, message: string): Promise<void> {
  await prisma.ingestRun.update({
    where: { id: runId },
    data: { status: 'FAILED', error: message, finishedAt: new Date() },
  });
}

export type Locked<T> = { locked: true; value: T } | { locked: false };

/** Runs `fn` on a connection holding the source's lock; `{ locked: false }` if another run has it. */
export async function withSourceLock<T>(
  sourceId: number,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<Locked<T>> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
      INGEST_LOCK_NAMESPACE,
      sourceId,
    ]);
    if (!rows[0]!.ok) return { locked: false };
    try {
      return { locked: true, value: await fn(client) };
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1, $2)', [INGEST_LOCK_NAMESPACE, sourceId])
        .catch((err: Error) => {
          // Dropping the connection frees the lock.
          broken = err;
        });
    }
  } finally {
    client.release(broken);
  }
}

export interface ClaimRequest {
  sourceId: number;
  dataset: string;
  klpdCode: string;
  trigger: RunTrigger;
  /** The queue job that asks: a retried job finds its own run again. */
  jobKey: string;
  requestedAsOf: string | null;
  scheduledFor: Date | null;
}

/**
 * The run a job works on, under the source lock: the job's own run when it has one (a retry), else
 * an unfinished run of the same source and as-of request left by a dead worker (adopted, so its
 * committed pages are not fetched again), else a new run.
 */
export async function claimRun(client: pg.PoolClient, request: ClaimRequest): Promise<Run> {
  const own = await client.query<Run>(
    `SELECT ${RUN_COLUMNS} FROM ingest_run WHERE job_id = $1 ORDER BY id DESC LIMIT 1`,
    [request.jobKey],
  );
  if (own.rows[0]) return own.rows[0];
  if (request.scheduledFor !== null) {
    // Each schedule slot has its own run: an earlier slot's run still waiting for a retry (the
    // feed was failing) ends FAILED here, with its history, instead of being continued by this slot.
    const { rows: superseded } = await client.query<{ id: number }>(
      `UPDATE ingest_run SET status = 'FAILED', finished_at = now(),
         error = COALESCE(error || '; ', '') || $3
       WHERE source_id = $1 AND status IN ('QUEUED', 'RUNNING') AND started_at IS NOT NULL
         AND trigger = 'SCHEDULE' AND scheduled_for < $2
       RETURNING id`,
      [
        request.sourceId,
        request.scheduledFor,
        `superseded by the run of the slot at ${request.scheduledFor.toISOString()}`,
      ],
    );
    for (const { id } of superseded) {
      await closeAttempt(client, id, 'FAILED', 'superseded by a later slot');
      await client.query('DELETE FROM ingest_stage_row WHERE run_id = $1', [id]);
    }
  }
  const orphan = await client.query<Run>(
    `SELECT ${RUN_COLUMNS} FROM ingest_run
     WHERE source_id = $1 AND status IN ('QUEUED', 'RUNNING') AND started_at IS NOT NULL
       AND requested_as_of IS NOT DISTINCT FROM $2::date
     ORDER BY id DESC LIMIT 1`,
    [request.sourceId, request.requestedAsOf],
  );
  if (orphan.rows[0]) {
    const { rows } = await client.query<Run>(
      `UPDATE ingest_run SET job_id = $2 WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
      [orphan.rows[0].id, request.jobKey],
    );
    return rows[0]!;
  }
  const { rows } = await client.query<Run>(
    `INSERT INTO ingest_run (source_id, dataset, klpd_code, trigger, status, job_id, requested_as_of, as_of, scheduled_for)
     VALUES ($1, $2, $3, $4, 'QUEUED', $5, $6::date, $6::date, $7) RETURNING ${RUN_COLUMNS}`,
    [
      request.sourceId,
      request.dataset,
      request.klpdCode,
      request.trigger,
      request.jobKey,
      request.requestedAsOf,
      request.scheduledFor,
    ],
  );
  return rows[0]!;
}

export async function loadRun(client: pg.PoolClient, runId: number): Promise<Run> {
  const { rows } = await client.query<Run>(`SELECT ${RUN_COLUMNS} FROM ingest_run WHERE id = $1`, [runId]);
  if (!rows[0]) throw new NotFoundError('IngestRun', runId);
  return rows[0];
}

/**
 * Marks the run started (or resumed). A run whose source was written by another run since its
 * last page starts its snapshot again: continuing would mix two snapshots.
 */
export async function startRun(client: pg.PoolClient, run: Run, jobKey: string | null): Promise<Run> {
  await client.query('BEGIN');
  try {
    if (run.sourceId !== null) {
      const { rows } = await client.query<{ current_run_id: number | null }>(
        'SELECT current_run_id FROM feed_source WHERE id = $1 FOR UPDATE',
        [run.sourceId],
      );
      const begun = run.pages > 0 || run.pagesDone;
      if (begun && rows[0]?.current_run_id !== run.id) await resetRun(client, run.id);
      await client.query('UPDATE feed_source SET last_run_at = now(), current_run_id = $2 WHERE id = $1', [
        run.sourceId,
        run.id,
      ]);
    }
    // An attempt still open was cut short (a killed worker): it stays in the history as such.
    await closeAttempt(client, run.id, 'INTERRUPTED', null);
    const { rows } = await client.query<Run>(
      `UPDATE ingest_run SET status = 'RUNNING', attempts = attempts + 1, started_at = COALESCE(started_at, now()),
         job_id = COALESCE($2, job_id), error = NULL
       WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
      [run.id, jobKey],
    );
    await client.query(
      'INSERT INTO ingest_run_attempt (run_id, attempt) VALUES ($1, $2) ON CONFLICT (run_id, attempt) DO NOTHING',
      [run.id, rows[0]!.attempts],
    );
    await client.query('COMMIT');
    return rows[0]!;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Forgets a run's progress so its snapshot is read again from the first page. */
export async function resetRun(client: pg.PoolClient, runId: number): Promise<void> {
  await client.query('DELETE FROM ingest_stage_row WHERE run_id = $1', [runId]);
  await client.query('DELETE FROM rejected_row WHERE run_id = $1', [runId]);
  await client.query(
    `UPDATE ingest_run SET cursor = NULL, pages_done = false, pages = 0, fetched = 0, inserted = 0, updated = 0,
       unchanged = 0, rejected = 0, duplicates = 0, unknown_agencies = 0, keyless_rows = 0, expected_rows = NULL
     WHERE id = $1`,
    [runId],
  );
}

/** Ends the run's open attempt (if any) with its outcome: every attempt stays in the history. */
export async function closeAttempt(
  db: pg.ClientBase | pg.Pool,
  runId: number,
  outcome: string,
  error: string | null,
): Promise<void> {
  await db.query(
    `UPDATE ingest_run_attempt SET finished_at = now(), outcome = $2,
       error = CASE WHEN $3::text IS NULL THEN error WHEN error IS NULL THEN $3 ELSE error || '; ' || $3 END
     WHERE run_id = $1 AND finished_at IS NULL`,
    [runId, outcome, error === null ? null : error.slice(0, 2000)],
  );
}

/**
 * Records a failure. A final one ends the run FAILED and drops what it staged: it applies nothing,
 * ever. Otherwise the run waits, cursor and staged pages kept, for the job's next attempt.
 */
export async function failRun(runId: number, error: Error, final: boolean): Promise<void> {
  const message = error.message.slice(0, 2000);
  await closeAttempt(pool, runId, final ? 'FAILED' : 'RETRYING', message);
  if (final) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // A run that failed after some of its pages read part of its snapshot only: it says so
      // (partial), and applies none of it.
      const { rowCount } = await client.query(
        `UPDATE ingest_run SET status = 'FAILED', error = $2, finished_at = now(),
           partial = partial OR (pages > 0 AND NOT pages_done)
         WHERE id = $1 AND status NOT IN ('SUCCEEDED', 'HELD', 'CANCELLED')`,
        [runId, message],
      );
      if (rowCount) await client.query('DELETE FROM ingest_stage_row WHERE run_id = $1', [runId]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  } else {
    await pool.query(`UPDATE ingest_run SET status = 'QUEUED', error = $2 WHERE id = $1`, [runId, message]);
  }
}

/** Leaves a run paused (worker shutdown): it resumes from its cursor when a worker takes it again. */
export async function pauseRun(runId: number, outcome = 'PAUSED', note: string | null = null): Promise<void> {
  await closeAttempt(pool, runId, outcome, note);
  await pool.query(
    `UPDATE ingest_run SET status = 'QUEUED', error = COALESCE($2, error) WHERE id = $1 AND status = 'RUNNING'`,
    [runId, note],
  );
}

export async function hasRunForJob(jobKey: string): Promise<boolean> {
  const { rows } = await pool.query('SELECT 1 FROM ingest_run WHERE job_id = $1 LIMIT 1', [jobKey]);
  return rows.length > 0;
}

/**
 * The runs that stand (succeeded, not taken back) of the sources of the fiscal years $1 (null: all),
 * each with the date its snapshot stands for (`data_date`): the date it was asked as of (replay,
 * backfill), else the day it was pulled. The KPI recompute's SOURCE_STATES and the live-state
 * restore (restore-live.ts) read the runs through it.
 */
export const ACCEPTED_RUNS = `
  SELECT r.id, r.source_id, fs.fiscal_year, fs.dataset, fs.klpd_code, r.as_of, r.requested_as_of,
    r.finished_at, coalesce(r.requested_as_of, (r.finished_at AT TIME ZONE 'Asia/Jakarta')::date) AS data_date
  FROM ingest_run r JOIN feed_source fs ON fs.id = r.source_id
  WHERE r.status = 'SUCCEEDED' AND r.reverted_at IS NULL
    AND ($1::int[] IS NULL OR fs.fiscal_year = ANY($1::int[]))`;
