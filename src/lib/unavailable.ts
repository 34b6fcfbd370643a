// Recognises "the database is not there right now" among the errors of pg, the Prisma client and
// its pg adapter, so a request fails with a clear DATABASE_UNAVAILABLE instead of a masked
// internal error while PostgreSQL restarts, and passes once it is back.
import { AppError } from './errors.js';

export class DatabaseUnavailableError extends AppError {
  constructor(reason: string) {
    super('DATABASE_UNAVAILABLE', `the database is unavailable, try again shortly (${reason})`);
  }
}

/** SQLSTATEs: connection exceptions (08…), server shutting down or starting (57P01-3), too many connections. */
const SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
/** Socket errors of a server that is down or unreachable. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
/** Prisma: can't reach, timed out, connection closed, pool timeout. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Kinds of the Prisma driver adapter's errors. */
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
/** pg's own messages for a connection that died or never opened. */
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|connect ECONNREFUSED/;

interface Inspectable {
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  originalCode?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** The reason when `err` (or an error it wraps) means PostgreSQL cannot serve requests now, else null. */
export function databaseUnavailableReason(err: unknown): string | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length) {
    const e = queue.shift() as Inspectable | null | undefined;
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const code =
      typeof e.code === 'string' ? e.code : typeof e.originalCode === 'string' ? e.originalCode : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (SQLSTATE.test(code) || SOCKET_CODES.has(code) || PRISMA_CODES.has(code)) return code;
    if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return e.kind;
    if (MESSAGES.test(message)) return message.split('\n')[0]!.slice(0, 120);
    queue.push(e.cause, e.meta?.driverAdapterError);
    if (e instanceof AggregateError) queue.push(...e.errors);
  }
  return null;
}

/** `err` as a DatabaseUnavailableError when it means the database is down, else null. */
export function asDatabaseUnavailable(err: unknown): DatabaseUnavailableError | null {
  if (err instanceof DatabaseUnavailableError) return err;
  const reason = databaseUnavailableReason(err);
  return reason === null ? null : new DatabaseUnavailableError(reason);
}

/** Work could not be queued: Redis (the job queue) is unreachable. Nothing is lost; retry later. */
export class QueueUnavailableError extends AppError {
  constructor(reason: string) {
    super('QUEUE_UNAVAILABLE', `the job queue is unavailable, try again shortly (${reason})`);
  }
}
