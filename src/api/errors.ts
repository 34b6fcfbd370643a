// How errors leave the API: domain errors (AppError) pass with their code and details, GraphQL's
// own errors (syntax, validation, variables) pass as they are, anything else is masked and logged.
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { PothosValidationError } from '@pothos/core';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError } from '../lib/errors.js';
import { logger } from '../lib/logger.js';
import type { Context } from '../schema/context.js';

type Kind = 'app' | 'graphql' | 'unexpected';

function classify(error: unknown): { kind: Kind; original: unknown } {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) return { kind: 'app', original };
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
    const code = original instanceof PothosValidationError ? 'BAD_USER_INPUT' : extensions.code;
    return { message: formatted.message, ...where, extensions: { ...extensions, code } };
  }
  return { message: 'Internal server error', ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** Logs every masked error once, with the request id the client sees in `x-request-id`. */
export function errorLoggingPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
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
    },
  };
}
