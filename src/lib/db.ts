// Database handles: one pg pool per process, shared by the Prisma client (graph reads,
// admin writes) and raw SQL (bulk ingest and recomputes, where Prisma is too slow).
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { config } from '../config/env.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { logQueries, queryLogOption } from './db-log.js';
import { logger } from './logger.js';

// Return DATE columns as 'YYYY-MM-DD' strings: a calendar date has no time zone to shift.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

function createPool(): pg.Pool {
  const cfg = config();
  const created = new pg.Pool({
    connectionString: cfg.DATABASE_URL,
    max: cfg.DB_POOL_MAX,
    connectionTimeoutMillis: 5_000,
    statement_timeout: cfg.DB_STATEMENT_TIMEOUT_MS || undefined,
    application_name: 'bisma',
  });
  // Without a listener an idle client's error (e.g. a server restart) kills the process.
  // The message and code only: the error carries the whole client object.
  created.on('error', (err) =>
    logger.warn({ err: err.message, code: (err as { code?: string }).code }, 'idle PostgreSQL client failed'),
  );
  return created;
}

export const pool = createPool();
export const prisma = new PrismaClient({ adapter: new PrismaPg(pool), log: queryLogOption() });
logQueries(prisma);

/** Closes the Prisma client and the pool. */
export async function closeDb(): Promise<void> {
  await prisma.$disconnect();
  if (!pool.ended) await pool.end();
}
