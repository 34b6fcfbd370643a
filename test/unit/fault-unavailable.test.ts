// Which errors mean "PostgreSQL is down right now" (DATABASE_UNAVAILABLE, retryable) and which
// are ordinary failures that stay masked as internal errors.
import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../src/lib/errors.js';
import {
  asDatabaseUnavailable,
  DatabaseUnavailableError,
  databaseUnavailableReason,
} from '../../src/lib/unavailable.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('recognising an unavailable database', () => {
  it.each([
    ['a session ended by a server shutdown (57P01)', withCode('terminating connection', '57P01'), '57P01'],
    ['a server starting up (57P03)', withCode('the database system is starting up', '57P03'), '57P03'],
    ['a connection exception (08006)', withCode('connection failure', '08006'), '08006'],
    [
      'a refused TCP connection',
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      'ECONNREFUSED',
    ],
    [
      'a refused connection to every address (AggregateError)',
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
      'ECONNREFUSED',
    ],
    [
      'pg’s dead-connection message',
      new Error('Connection terminated unexpectedly'),
      'Connection terminated unexpectedly',
    ],
    [
      'pg’s pool timeout',
      new Error('timeout exceeded when trying to connect'),
      'timeout exceeded when trying to connect',
    ],
    [
      'Prisma wrapping a driver adapter error',
      Object.assign(new Error('Invalid `prisma.event.findMany()` invocation'), {
        code: 'P2039',
        meta: { driverAdapterError: { cause: { kind: 'postgres', code: '57P01' } } },
      }),
      '57P01',
    ],
    ['Prisma cannot reach the server (P1001)', withCode("Can't reach database server", 'P1001'), 'P1001'],
    [
      'an adapter error of kind DatabaseNotReachable',
      { kind: 'DatabaseNotReachable' },
      'DatabaseNotReachable',
    ],
    [
      'a cause two levels down',
      new Error('outer', { cause: new Error('mid', { cause: withCode('x', '57P02') }) }),
      '57P02',
    ],
  ])('%s', (_what, error, reason) => {
    expect(databaseUnavailableReason(error)).toBe(reason);
    const mapped = asDatabaseUnavailable(error);
    expect(mapped).toBeInstanceOf(DatabaseUnavailableError);
    expect(mapped).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
  });

  it.each([
    ['a unique violation', withCode('duplicate key value', '23505')],
    ['a statement timeout', withCode('canceling statement due to statement timeout', '57014')],
    ['a plain bug', new TypeError('x is undefined')],
    ['a domain error', new AppError('NOT_FOUND', 'no such event')],
    ['nothing', undefined],
  ])('leaves %s alone', (_what, error) => {
    expect(databaseUnavailableReason(error)).toBeNull();
    expect(asDatabaseUnavailable(error)).toBeNull();
  });

  it('survives an error whose cause points back at itself', () => {
    const error = new Error('loop') as Error & { cause?: unknown };
    error.cause = error;
    expect(databaseUnavailableReason(error)).toBeNull();
  });
});
