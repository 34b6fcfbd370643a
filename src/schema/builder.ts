// Builds the Pothos schema builder: plugins, scalars and root types. Defines no domain types.
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { type GraphQLField, getNullableType, isListType } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type PrismaTypes from '../generated/pothos-types.js';
import { getDatamodel } from '../generated/pothos-types.js';
import { UnauthenticatedError } from '../lib/auth.js';
import { prisma } from '../lib/db.js';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js';
import { type Context, viewerScopes } from './context.js';
import DeadlinePlugin from './plugins/deadline.js';
import FallibleFieldsPlugin from './plugins/fallible-fields.js';
import PreloadedFieldsPlugin from './plugins/preloaded-fields.js';
import TypedCursorsPlugin from './plugins/typed-cursors.js';
import { DateScalar, MoneyScalar } from './scalars.js';

/**
 * Limits every operation's shape. A connection multiplies the cost of its selection by the page it
 * returns (`first`/`last`, default 20, at most 100), `nodes(ids:)` by the ids asked for, and any
 * other list field by 10.
 */
export const QUERY_LIMITS = { complexity: 20_000, depth: 12, breadth: 300 } as const;
export const PAGE_SIZE = { default: 20, max: 100 } as const;

const SCHEMA_LIMITS = { ...QUERY_LIMITS };
const UNCHECKED = {};

function fieldCost(args: Record<string, unknown>, _ctx: Context, field: GraphQLField<unknown, Context>) {
  if (field.args.some((arg) => arg.name === 'first')) {
    const asked = [args.first, args.last, PAGE_SIZE.default].find((n) => typeof n === 'number') as number;
    // At least 1, so that every selected field costs something however small the page.
    return { field: 1, multiplier: Math.min(Math.max(asked, 1), PAGE_SIZE.max) };
  }
  if (!isListType(getNullableType(field.type))) return 1;
  // A connection's page size already counts its edges.
  if (field.name === 'edges') return { field: 1, multiplier: 1 };
  if (field.name === 'nodes' && Array.isArray(args.ids))
    return { field: 1, multiplier: Math.max(args.ids.length, 1) };
  return { field: 1, multiplier: 10 };
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: { public: boolean; analyst: boolean; admin: boolean };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    Date: { Input: string; Output: Date | string };
    DateTime: { Input: Date; Output: Date | string };
    Money: { Input: string; Output: string | { toFixed(dp: number): string } };
  };
}>({
  defaultFieldNullability: false,
  // Order matters: the first plugin wraps the others. Complexity and auth failures stay top-level
  // GraphQL errors; only errors thrown past the auth check become typed mutation results. The
  // deadline comes first: past it no field runs, not even its checks. Typed cursors next: they
  // rewrite the connection the others built.
  plugins: [
    DeadlinePlugin,
    TypedCursorsPlugin,
    ComplexityPlugin,
    ScopeAuthPlugin,
    ErrorsPlugin,
    PreloadedFieldsPlugin,
    PrismaPlugin,
    RelayPlugin,
    FallibleFieldsPlugin,
  ],
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    fieldComplexity: fieldCost,
    // An operation the transport already measured against these limits or tighter ones (every
    // HTTP and graphql-ws operation, api/cost.ts) is not measured again here, per request.
    limit: (ctx) => (ctx.shapeChecked ? UNCHECKED : SCHEMA_LIMITS),
    complexityError: (kind, result) =>
      new AppError('QUERY_TOO_COMPLEX', `query exceeds the maximum ${kind.toLowerCase()}`, {
        ...result,
      }),
  },
  scopeAuth: {
    authScopes: (ctx) => viewerScopes(ctx.viewer),
    unauthorizedError: (_parent, ctx) =>
      ctx.viewer.role === 'PUBLIC'
        ? new UnauthenticatedError('an API key is required: send Authorization: Bearer <key>')
        : new ForbiddenError(`the ${ctx.viewer.role.toLowerCase()} role may not do this`),
  },
  errors: {
    // Every field with `errors: {...}` (all mutations) returns these as typed results.
    defaultTypes: [ValidationError, NotFoundError, ConflictError, AppError],
    defaultUnionOptions: {
      description: 'Either the successful result or a typed error (ValidationError names the bad field).',
    },
    defaultResultOptions: {
      description: 'The successful result of the operation, in `data`.',
    },
  },
  prisma: {
    client: prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeTypeOptions: {
      description: 'An object with a global id that `node(id:)` can refetch.',
    },
    idFieldOptions: { description: 'A global id, opaque: pass it to `node(id:)` to refetch this object.' },
    // node(id:) and nodes(ids:) are defined in node.ts: each id on its own, one query per type.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    pageInfoTypeOptions: { description: 'Where a page of a connection stands in the whole list.' },
    hasNextPageFieldOptions: { description: 'Whether more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Whether items precede this page.' },
    startCursorFieldOptions: { description: 'The cursor of the first item on this page.' },
    endCursorFieldOptions: { description: 'The cursor of the last item on this page.' },
    cursorFieldOptions: { description: 'An opaque cursor: pass it as `after` or `before`.' },
    nodeFieldOptions: { description: 'The item.' },
    edgesFieldOptions: { description: 'The items of this page, with their cursors.' },
    pageInfoFieldOptions: { description: 'Paging information for this page.' },
    firstArgOptions: {
      description:
        'Return at most this many items after `after`: default 20, maximum 100 (larger values give 100).',
    },
    lastArgOptions: { description: 'Return at most this many items before `before` (maximum 100).' },
    afterArgOptions: { description: 'Return items after this cursor.' },
    beforeArgOptions: { description: 'Return items before this cursor.' },
    defaultConnectionTypeOptions: { description: 'A page of items, with paging information.' },
    defaultEdgeTypeOptions: { description: 'One item of a page and its cursor.' },
    mutationInputArgOptions: { description: 'The input.' },
    defaultPayloadTypeOptions: { description: 'The result.' },
    defaultMutationInputTypeOptions: { description: 'The input.' },
    clientMutationIdInputOptions: { description: 'Unused.' },
    clientMutationIdFieldOptions: { description: 'Unused.' },
  },
});

/**
 * Options for a mutation's `errors`: the success object's `data` field gets a description, and
 * the default error types (ValidationError, NotFoundError, ConflictError, AppError) are included.
 */
export function typedErrors(dataDescription: string) {
  return { dataField: { description: dataDescription } };
}

// specifiedByURL tells codegen and explorers what a scalar's text is, so no client guesses.
builder.addScalarType('Date', DateScalar, {
  description:
    'A calendar date, YYYY-MM-DD (RFC 3339 full-date). Programme dates are Asia/Jakarta calendar dates.',
  specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6',
});
builder.addScalarType('DateTime', DateTimeResolver, {
  description: 'An instant in time, RFC 3339 date-time with offset (UTC on output).',
  specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6',
});
builder.addScalarType('Money', MoneyScalar, {
  // The lexical form of an XML Schema decimal, always as a JSON string.
  specifiedByURL: 'https://www.w3.org/TR/xmlschema11-2/#decimal',
});

builder.queryType({ description: 'Reads: events, exhibitors, KPIs and ingest history.' });
builder.mutationType({ description: 'Writes; every mutation needs an admin API key.' });
builder.subscriptionType({
  description: 'Live events over graphql-ws at /graphql (authenticate with connectionParams.authorization).',
});
