// Prisma's queries as debug log lines (LOG_LEVEL=debug or trace): the SQL and its duration, never
// its parameters (they hold user data and key hashes). Like every line, each carries the request
// or job id of the work that ran the query (the logger's mixin reads it from request-context).
import type { Prisma } from '../generated/prisma/client.js';
import { logger } from './logger.js';

type QueryLog = { emit: 'event'; level: 'query' }[];

/** Prisma's `log` option: query events only when they would be written (emitting them has a cost). */
export function queryLogOption(): QueryLog {
  return logger.isLevelEnabled('debug') ? [{ emit: 'event', level: 'query' }] : [];
}

export function logQueries(client: {
  $on(event: 'query', listener: (e: Prisma.QueryEvent) => void): void;
}): void {
  if (!logger.isLevelEnabled('debug')) return;
  client.$on('query', (e) =>
    logger.debug({ db: { query: e.query.slice(0, 2000), durationMs: e.duration } }, 'database query'),
  );
}
