// Database errors a client's input causes, as typed errors instead of masked ones: a statement
// cancelled at statement_timeout, a value PostgreSQL cannot store (NUL bytes, numbers out of
// range), a row that is not there. The messages are ours: the database's own name tables and SQL.
import { AppError } from '../lib/errors.js';

interface Inspectable {
  code?: unknown;
  originalCode?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** The SQLSTATE or Prisma error codes found in an error and the errors it wraps (pg, Prisma, its adapter). */
function codesOf(err: unknown): string[] {
  const codes: string[] = [];
  const queue: unknown[] = [err];
  for (let seen = 0; queue.length && seen < 10; seen++) {
    const e = queue.shift() as Inspectable | null | undefined;
    if (!e || typeof e !== 'object') continue;
    for (const code of [e.code, e.originalCode]) if (typeof code === 'string') codes.push(code);
    queue.push(e.cause, e.meta?.driverAdapterError);
  }
  return codes;
}

/** Prisma's codes for a value the column cannot hold. */
const PRISMA_BAD_VALUE = new Set([
  'P2000',
  'P2005',
  'P2006',
  'P2007',
  'P2009',
  'P2012',
  'P2019',
  'P2020',
  'P2023',
]);

/** The typed error a database error stands for, or undefined when it is a fault of ours. */
export function databaseInputError(err: unknown): AppError | undefined {
  const codes = codesOf(err);
  if (codes.includes('57014')) {
    return new AppError(
      'QUERY_TIMEOUT',
      'a database statement ran past the statement timeout and was cancelled',
    );
  }
  // SQLSTATE class 22, data exception: invalid byte sequence (NUL), numeric or datetime out of range…
  if (codes.some((c) => c.startsWith('22') || PRISMA_BAD_VALUE.has(c))) {
    return new AppError(
      'BAD_USER_INPUT',
      'a value in the request cannot be stored or compared (out of range or invalid characters)',
    );
  }
  if (codes.includes('P2025')) return new AppError('NOT_FOUND', 'the object does not exist');
  return undefined;
}
