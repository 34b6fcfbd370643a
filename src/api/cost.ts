// What an operation costs, checked and charged before it runs, and shown in every answer:
// `extensions.cost` (the computed cost against the limits) and `extensions.warnings` (anything a
// limit clamped or ignored, e.g. a page size larger than the maximum). The caller's budget after
// this request is in the x-ratelimit-* headers and the `rateLimit` field, never in the body, which
// the public shares through caches (http-cache.ts). The cost is the Pothos complexity
// of the operation: a connection multiplies its selection by its page size, another list by 10.
import type { ApolloServerPlugin } from '@apollo/server';
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
import { QUERY_LIMITS } from '../schema/builder.js';
import type { Context, Viewer } from '../schema/context.js';
import { checkArguments } from './arguments.js';
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

/**
 * Introspection list fields multiply their selection's cost by this: a smaller factor than other
 * lists' 10, so GraphQL's own introspection query (three lists deep) costs about 8 000, well within
 * the limit, while each further level of nesting still multiplies.
 */
const INTROSPECTION_LIST_SIZE = 5;

/** Introspection list fields. */
const INTROSPECTION_LISTS = new Set([
  'types',
  'fields',
  'args',
  'inputFields',
  'interfaces',
  'possibleTypes',
  'enumValues',
  'directives',
  'locations',
]);

/**
 * Pothos's complexity skips introspection fields (they are not in the schema's types), so a nested
 * `__schema { types { fields { type { fields … } } } }` would cost nothing. Here each introspection
 * field costs 1 and a list multiplies its selection (INTROSPECTION_LIST_SIZE); `ofType` adds no depth, since
 * a chain of it only unwraps list and non-null wrappers (GraphQL's own introspection query nests it
 * seven deep).
 */
function introspectionMeasure(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): { cost: number; depth: number; breadth: number } {
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  let breadth = 0;
  const fields = (set: SelectionSetNode, out: FieldNode[], seen: Set<string>) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) out.push(s);
      else if (s.kind === Kind.INLINE_FRAGMENT) fields(s.selectionSet, out, seen);
      else if (!seen.has(s.name.value)) {
        const fragment = fragments.get(s.name.value);
        if (fragment) fields(fragment.selectionSet, out, new Set([...seen, s.name.value]));
      }
    }
    return out;
  };
  const walk = (set: SelectionSetNode): { cost: number; depth: number } => {
    let cost = 0;
    let depth = 0;
    for (const field of fields(set, [], new Set())) {
      breadth += 1;
      if (!field.selectionSet) {
        cost += 1;
        depth = Math.max(depth, 1);
        continue;
      }
      const inner = walk(field.selectionSet);
      const multiplier = INTROSPECTION_LISTS.has(field.name.value) ? INTROSPECTION_LIST_SIZE : 1;
      cost += 1 + multiplier * inner.cost;
      depth = Math.max(depth, inner.depth + (field.name.value === 'ofType' ? 0 : 1));
    }
    return { cost, depth };
  };
  let cost = 0;
  let depth = 0;
  for (const root of fields(operation.selectionSet, [], new Set())) {
    if ((root.name.value !== '__schema' && root.name.value !== '__type') || !root.selectionSet) continue;
    breadth += 1;
    const inner = walk(root.selectionSet);
    cost += 1 + inner.cost;
    depth = Math.max(depth, inner.depth + 1);
  }
  return { cost, depth, breadth };
}

/** An operation as every transport hands it to the checks (Apollo's plugin, graphql-ws). */
export interface OperationToCheck {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode | undefined | null;
  variables: Record<string, unknown> | undefined;
}

/**
 * Measures the operation and throws if it is over a limit or has a bad page argument. Answers the
 * document to execute (its cursors decoded, see checkArguments); no measure when its variables are
 * bad.
 */
function measure(
  { schema, document, operation, variables: inputs }: OperationToCheck,
  limits: ApiLimits,
): { measured?: Measured; document: DocumentNode } {
  if (!operation) return { document };
  const variables = coercedVariables(schema, operation, inputs);
  // Bad variables: execution reports them, before any resolver (and so any cost) runs.
  if (!variables) return { document };
  const executed = checkArguments(schema, document, operation, variables);
  let measured: ComplexityResult;
  try {
    measured = complexityFromQuery(operationDocument(document, operation), {
      schema,
      variables: inputs ?? {},
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
  const introspection = usesIntrospection(document, operation)
    ? introspectionMeasure(document, operation)
    : { cost: 0, depth: 0, breadth: 0 };
  const complexity = measured.complexity + introspection.cost;
  const depth = Math.max(measured.depth, introspection.depth);
  const breadth = measured.breadth + introspection.breadth;
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
  const warnings = pageSizeWarnings(schema, document, operation, variables, limits.maxPageSize);
  return { measured: { report, warnings }, document: executed };
}

/**
 * Measurements already made, by limits, document (Apollo's document store hands the same parsed
 * document to every request of one query text), operation and variables: a dashboard polling one
 * query is measured once, not per request. Only operations within the limits are kept; a refused
 * one is measured (and refused) again.
 */
type Measurement = ReturnType<typeof measure>;
const measuredBefore = new WeakMap<ApiLimits, WeakMap<DocumentNode, Map<string, Measurement>>>();
const MEASURED_PER_DOCUMENT = 100;

function measureOnce(op: OperationToCheck, limits: ApiLimits): Measurement {
  let byDocument = measuredBefore.get(limits);
  if (!byDocument) {
    byDocument = new WeakMap();
    measuredBefore.set(limits, byDocument);
  }
  let entries = byDocument.get(op.document);
  if (!entries) {
    entries = new Map();
    byDocument.set(op.document, entries);
  }
  const key = `${op.operation?.name?.value ?? ''}\n${JSON.stringify(op.variables ?? {})}`;
  const before = entries.get(key);
  if (before) return before;
  const measured = measure(op, limits);
  if (entries.size >= MEASURED_PER_DOCUMENT) entries.clear();
  entries.set(key, measured);
  return measured;
}

export interface Checked {
  measured?: Measured;
  /**
   * Whether the operation's shape was checked against limits no looser than the schema's own, so
   * that the complexity plugin may skip measuring it again (Context.shapeChecked).
   */
  shapeChecked: boolean;
  budget?: Budget;
  /** The document to execute: the one checked, with its cursors decoded (checkArguments). */
  document: DocumentNode;
}

/**
 * The checks every operation passes before it runs, over HTTP (costPlugin) and over graphql-ws
 * alike: public introspection when it is off (INTROSPECTION_DISABLED, 403), an operation over a
 * limit (QUERY_TOO_COMPLEX, 400) and a caller out of budget (RATE_LIMITED, 429). Throws the refusal.
 */
export async function checkOperation(
  op: OperationToCheck,
  caller: { viewer: Viewer; address: string },
  limits: ApiLimits,
  limiter: RateLimiter,
): Promise<Checked> {
  if (
    !limits.publicIntrospection &&
    caller.viewer.role === 'PUBLIC' &&
    op.operation &&
    usesIntrospection(op.document, op.operation)
  ) {
    throw new GraphQLError('introspection needs an API key', {
      extensions: { code: 'INTROSPECTION_DISABLED', http: { status: 403 } },
    });
  }
  const { measured, document } = measureOnce(op, limits);
  const charged = await limiter.charge(
    { keyId: caller.viewer.keyId, address: caller.address },
    measured?.report.requested ?? 1,
  );
  if (charged.refused) throw rateLimitedError(charged.budget);
  const shapeChecked =
    measured !== undefined &&
    limits.maxDepth <= QUERY_LIMITS.depth &&
    limits.maxBreadth <= QUERY_LIMITS.breadth &&
    limits.maxCost <= QUERY_LIMITS.complexity;
  return { measured, budget: charged.budget, document, shapeChecked };
}

/** Runs checkOperation for Apollo; adds cost, budget and warnings to the answer's extensions. */
export function costPlugin(limits: ApiLimits, limiter: RateLimiter): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      let checked: Partial<Checked> = {};
      return {
        async didResolveOperation(requestContext) {
          const { schema, document, operation, request, contextValue } = requestContext;
          checked = await checkOperation(
            { schema, document, operation, variables: request.variables },
            { viewer: contextValue.viewer, address: contextValue.address ?? 'unknown' },
            limits,
            limiter,
          );
          // Apollo executes the request context's document as it is after this hook.
          if (checked.document !== document) {
            (requestContext as { document: DocumentNode }).document = checked.document!;
          }
          // The `rateLimit` field reads what was charged, like the x-ratelimit-* headers.
          if (checked.budget) contextValue.rateLimit = checked.budget;
          if (checked.shapeChecked) contextValue.shapeChecked = true;
        },
        async willSendResponse({ response }) {
          const { measured, budget } = checked;
          if (budget) setRateLimitHeaders(response.http.headers, budget);
          // The budget is the caller's: it stays out of the body, which a public answer shares.
          if (response.body.kind !== 'single' || !measured) return;
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            cost: measured.report,
            ...(measured.warnings.length ? { warnings: measured.warnings } : {}),
          };
        },
      };
    },
  };
}
