// How errors leave the API: domain errors (AppError) pass with their code and details, GraphQL's
// own errors (syntax, validation, variables) pass as they are, anything else is masked and logged.
import { type ApolloServerPlugin, type GraphQLRequestListener, HeaderMap } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { PothosValidationError } from '@pothos/core';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError } from '../lib/errors.js';
import { logger } from '../lib/logger.js';
import { asDatabaseUnavailable } from '../lib/unavailable.js';
import type { Context } from '../schema/context.js';
import { databaseInputError } from './database-errors.js';
import { limitErrorCode } from './limits.js';

type Kind = 'app' | 'graphql' | 'unexpected';

function classify(error: unknown): { kind: Kind; original: unknown } {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) return { kind: 'app', original };
  // PostgreSQL down or restarting: a clear, retryable error instead of a masked one.
  const unavailable = asDatabaseUnavailable(original);
  if (unavailable) return { kind: 'app', original: unavailable };
  // Statement timeout, a value the database refuses, a missing row: typed, not masked.
  const input = databaseInputError(original);
  if (input) return { kind: 'app', original: input };
  // Pothos reports bad client input (e.g. a malformed cursor or global id) with this class.
  if (original instanceof PothosValidationError) return { kind: 'graphql', original };
  // Request-level errors (syntax, validation, variable coercion, refused credentials) have no
  // path; an execution error passes only when it was raised deliberately with a code.
  const atExecution = error instanceof GraphQLError && error.path !== undefined;
  if (original instanceof GraphQLError && (!atExecution || original.extensions.code)) {
    return { kind: 'graphql', original };
  }
  return { kind: 'unexpected', original };
}

/**
 * Apollo raises a few request errors (e.g. a persisted query whose hash does not match) with a 4xx
 * status but no code, which it then reports as INTERNAL_SERVER_ERROR: they are BAD_REQUEST.
 */
function clientErrorCode(original: unknown, code: unknown): unknown {
  const status =
    original instanceof GraphQLError ? (original.extensions.http as { status?: number })?.status : 0;
  return code === 'INTERNAL_SERVER_ERROR' && status && status < 500 ? 'BAD_REQUEST' : code;
}

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const { kind, original } = classify(error);
  const where = {
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
  if (kind === 'app') {
    const app = original as AppError;
    return { message: app.message, ...where, extensions: { ...app.details, code: app.code } };
  }
  if (kind === 'graphql') {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    const code =
      original instanceof PothosValidationError
        ? 'BAD_USER_INPUT'
        : (limitErrorCode(error) ?? clientErrorCode(original, extensions.code));
    return { message: formatted.message, ...where, extensions: { ...extensions, code } };
  }
  return { message: 'Internal server error', ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/**
 * How a request refused before execution (while authenticating) answers: 401 for bad credentials,
 * 503 with Retry-After when PostgreSQL is down, 400 otherwise.
 */
export function refusalExtensions(err: AppError): Record<string, unknown> {
  if (err.code === 'DATABASE_UNAVAILABLE') {
    return { code: err.code, http: { status: 503, headers: new HeaderMap([['retry-after', '1']]) } };
  }
  return { code: err.code, http: { status: err.code === 'UNAUTHENTICATED' ? 401 : 400 } };
}

/**
 * A response that failed because PostgreSQL is down answers 503 with Retry-After, like /readyz,
 * so clients and load balancers back off and retry.
 */
export function databaseUnavailablePlugin(): ApolloServerPlugin<Context> {
  // Keeps no state per request: one listener serves them all.
  const listener: GraphQLRequestListener<Context> = {
    async didEncounterErrors({ errors, response }) {
      const unavailable = errors.some((error) => {
        const { original } = classify(error);
        return original instanceof AppError && original.code === 'DATABASE_UNAVAILABLE';
      });
      if (!unavailable) return;
      response.http.status = 503;
      response.http.headers.set('retry-after', '1');
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}

/** Logs every masked error once, with the request id the client sees in `x-request-id`. */
export function errorLoggingPlugin(): ApolloServerPlugin<Context> {
  // Keeps no state per request: one listener serves them all.
  const listener: GraphQLRequestListener<Context> = {
    async didEncounterErrors({ errors, contextValue, operationName }) {
      for (const error of errors) {
        const { kind, original } = classify(error);
        if (kind !== 'unexpected') continue;
        logger.error(
          { err: original, requestId: contextValue?.requestId, operationName, path: error.path },
          'unexpected error in a GraphQL request',
        );
      }
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
