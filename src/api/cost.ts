// What an operation costs, checked and charged before it runs, and shown in every answer:
// `extensions.cost` (the computed cost against the limits), `extensions.rateLimit` (the caller's
// budget after this request, like GitHub's rateLimit) and `extensions.warnings` (anything a limit
// clamped or ignored, e.g. a page size larger than the maximum). The cost is the Pothos complexity
// of the operation: a connection multiplies its selection by its page size, another list by 10.
import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { PothosValidationError } from '@pothos/core';
import { type ComplexityResult, complexityFromQuery } from '@pothos/plugin-complexity';
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLObjectType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { AppError } from '../lib/errors.js';
import type { Context } from '../schema/context.js';
import type { ApiLimits } from './limits.js';
import { type Budget, type RateLimiter, rateLimitedError, setRateLimitHeaders } from './rate-limit.js';

export interface CostReport {
  /** The operation's computed cost, also what it is charged against the caller's budget. */
  requested: number;
  limit: number;
  depth: number;
  depthLimit: number;
  breadth: number;
  breadthLimit: number;
}

export interface LimitWarning {
  code: 'PAGE_SIZE_CLAMPED';
  message: string;
  /** Response path of the field (aliases as sent; list positions omitted). */
  path: string[];
  requested: number;
  applied: number;
}

function operationDocument(document: DocumentNode, operation: OperationDefinitionNode): DocumentNode {
  // complexityFromQuery measures the first operation of a document: give it only the one that runs.
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  return { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] };
}

function coercedVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  inputs: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], inputs ?? {}, {
    maxErrors: 1,
  });
  return result.coerced;
}

/** Fields whose page size the connection clamps, with the size asked for and the size given. */
function pageSizeWarnings(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  maxPageSize: number,
): LimitWarning[] {
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const warnings: LimitWarning[] = [];
  const walk = (set: SelectionSetNode, parent: GraphQLObjectType | undefined, path: string[]) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) visitField(selection, parent, path);
      else {
        const body =
          selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
        if (!body) continue;
        const typed = body.typeCondition ? schema.getType(body.typeCondition.name.value) : parent;
        walk(
          body.selectionSet,
          isObjectType(typed) || isInterfaceType(typed) ? (typed as GraphQLObjectType) : parent,
          path,
        );
      }
    }
  };
  const visitField = (node: FieldNode, parent: GraphQLObjectType | undefined, path: string[]) => {
    const def = parent?.getFields()[node.name.value];
    if (!def) return;
    const here = [...path, node.alias?.value ?? node.name.value];
    if (def.args.some((a) => a.name === 'first')) {
      const args = getArgumentValues(def, node, variables);
      for (const name of ['first', 'last'] as const) {
        const asked = args[name];
        if (typeof asked === 'number' && asked > maxPageSize) {
          warnings.push({
            code: 'PAGE_SIZE_CLAMPED',
            message: `${name}: ${asked} was clamped to the maximum page size, ${maxPageSize}`,
            path: here,
            requested: asked,
            applied: maxPageSize,
          });
        }
      }
    }
    const child = getNamedType(def.type);
    if (node.selectionSet && (isObjectType(child) || isInterfaceType(child))) {
      walk(node.selectionSet, child as GraphQLObjectType, here);
    }
  };
  walk(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, []);
  return warnings;
}

function tooComplex(what: string, measured: number, limit: number): GraphQLError {
  return new GraphQLError(`query exceeds the maximum ${what} (${measured} > ${limit})`, {
    extensions: { code: 'QUERY_TOO_COMPLEX', [what]: measured, limit, http: { status: 400 } },
  });
}

function usesIntrospection(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  const roots = [operation.selectionSet, ...fragments.map((f) => f.selectionSet)];
  const hit = (set: SelectionSetNode): boolean =>
    set.selections.some((s) =>
      s.kind === Kind.FIELD
        ? s.name.value === '__schema' || s.name.value === '__type'
        : s.kind === Kind.INLINE_FRAGMENT && hit(s.selectionSet),
    );
  return roots.some(hit);
}

interface Measured {
  report: CostReport;
  warnings: LimitWarning[];
}

/** Measures the operation and throws if it is over a limit; undefined when its variables are bad. */
function measure(
  { schema, document, operation, request }: GraphQLRequestContextDidResolveOperation<Context>,
  limits: ApiLimits,
): Measured | undefined {
  if (!operation) return undefined;
  const variables = coercedVariables(schema, operation, request.variables);
  // Bad variables: execution reports them, before any resolver (and so any cost) runs.
  if (!variables) return undefined;
  let measured: ComplexityResult;
  try {
    measured = complexityFromQuery(operationDocument(document, operation), {
      schema,
      variables: request.variables ?? {},
    });
  } catch (err) {
    // Measuring maps the arguments as execution would: a bad one (e.g. a malformed global id)
    // is the client's error, refused here as execution would refuse it.
    if (err instanceof PothosValidationError || err instanceof AppError) {
      const code = err instanceof AppError ? err.code : 'BAD_USER_INPUT';
      throw new GraphQLError(err.message, { extensions: { code, http: { status: 400 } } });
    }
    throw err;
  }
  const { complexity, depth, breadth } = measured;
  if (depth > limits.maxDepth) throw tooComplex('depth', depth, limits.maxDepth);
  if (breadth > limits.maxBreadth) throw tooComplex('breadth', breadth, limits.maxBreadth);
  if (complexity > limits.maxCost) throw tooComplex('cost', complexity, limits.maxCost);
  const report: CostReport = {
    requested: complexity,
    limit: limits.maxCost,
    depth,
    depthLimit: limits.maxDepth,
    breadth,
    breadthLimit: limits.maxBreadth,
  };
  // Within the limits every field costs at least 1, so this walk is bounded by the cost limit.
  return { report, warnings: pageSizeWarnings(schema, document, operation, variables, limits.maxPageSize) };
}

/**
 * Refuses an operation over a limit (QUERY_TOO_COMPLEX, 400), public introspection when it is off
 * (INTROSPECTION_DISABLED, 403) and a caller out of budget (RATE_LIMITED, 429), before it runs;
 * adds cost, budget and warnings to the answer's extensions.
 */
export function costPlugin(limits: ApiLimits, limiter: RateLimiter): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      let measured: Measured | undefined;
      let budget: Budget | undefined;
      return {
        async didResolveOperation(request) {
          const { contextValue, document, operation } = request;
          if (
            !limits.publicIntrospection &&
            contextValue.viewer.role === 'PUBLIC' &&
            operation &&
            usesIntrospection(document, operation)
          ) {
            throw new GraphQLError('introspection needs an API key', {
              extensions: { code: 'INTROSPECTION_DISABLED', http: { status: 403 } },
            });
          }
          measured = measure(request, limits);
          const caller = { keyId: contextValue.viewer.keyId, address: contextValue.address ?? 'unknown' };
          const charged = await limiter.charge(caller, measured?.report.requested ?? 1);
          if (charged.refused) throw rateLimitedError(charged.budget);
          budget = charged.budget;
          // The `rateLimit` field reads what was charged, like `extensions.rateLimit`.
          contextValue.rateLimit = budget;
        },
        async willSendResponse({ response }) {
          if (budget) setRateLimitHeaders(response.http.headers, budget);
          if (response.body.kind !== 'single' || (!measured && !budget)) return;
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            ...(measured ? { cost: measured.report } : {}),
            ...(budget ? { rateLimit: budget } : {}),
            ...(measured?.warnings.length ? { warnings: measured.warnings } : {}),
          };
        },
      };
    },
  };
}
