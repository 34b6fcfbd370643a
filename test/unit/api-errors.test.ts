// How errors leave the API: domain errors keep their code and details, GraphQL's own errors pass
// unchanged, anything else is masked.
import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { formatError } from '../../src/api/errors.js';
import { UnauthenticatedError } from '../../src/lib/auth.js';
import { ConflictError, ValidationError } from '../../src/lib/errors.js';

/** An error as graphql-js reports one thrown by a resolver at `path`. */
function fromResolver(original: Error): GraphQLError {
  return new GraphQLError(original.message, { path: ['createEvent'], originalError: original });
}

const formatted = (error: GraphQLError) => ({
  message: error.message,
  path: error.path,
  extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at somewhere'] },
});

describe('formatError', () => {
  it('passes a domain error with its code and details', () => {
    const error = fromResolver(new ValidationError('input.endDate', 'must be on or after startDate'));
    expect(formatError(formatted(error), error)).toEqual({
      message: 'must be on or after startDate',
      path: ['createEvent'],
      extensions: { code: 'BAD_USER_INPUT', field: 'input.endDate' },
    });
    const conflict = fromResolver(new ConflictError('already registered', 'exhibitorId'));
    expect(formatError(formatted(conflict), conflict).extensions).toEqual({
      code: 'CONFLICT',
      field: 'exhibitorId',
    });
    const auth = fromResolver(new UnauthenticatedError());
    expect(formatError(formatted(auth), auth).extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('masks any other error as INTERNAL_SERVER_ERROR without its message or stack', () => {
    const error = fromResolver(new TypeError('cannot read properties of undefined (secret detail)'));
    const out = formatError(formatted(error), error);
    expect(out).toEqual({
      message: 'Internal server error',
      path: ['createEvent'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(out)).not.toContain('secret');
  });

  it('masks a GraphQLError raised during execution without a code', () => {
    const error = fromResolver(new GraphQLError('Money cannot represent NaN'));
    expect(formatError(formatted(error), error).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('passes request-level GraphQL errors (syntax, validation) with their code and no stack', () => {
    const error = new GraphQLError('Cannot query field "nope" on type "Query".');
    const out = formatError(
      { message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['x'] } },
      error,
    );
    expect(out).toEqual({ message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });
});
