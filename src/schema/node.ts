// node(id:) and nodes(ids:): refetching objects by global id. Each id is decoded, authorised and
// answered on its own, so a bad id fails only its own place in the answer; the rows of one type
// are read in one query.
import { brandWithType } from '@pothos/core';
import { queryFromInfo } from '@pothos/plugin-prisma';
import { type GraphQLObjectType, type GraphQLResolveInfo, isObjectType } from 'graphql';
import { prisma } from '../lib/db.js';
import { ValidationError } from '../lib/errors.js';
import { builder, PAGE_SIZE } from './builder.js';
import { type Context, viewerScopes } from './context.js';

/** At most this many ids per `nodes(ids:)`, as many as a page holds. */
export const MAX_NODE_IDS = PAGE_SIZE.max;

/** PostgreSQL `integer`: every node's key. */
const MAX_ROW_ID = 2_147_483_647;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DECODED = /^([A-Z_a-z]\w*):(.+)$/s;

type Where = Record<string, unknown>;
const visibleRows = new Map<string, (ctx: Context) => Where>();

/** Loads an object that is not a row (e.g. a KPI answer) from the key its id encodes. */
type KeyLoader = (key: string, ctx: Context) => Promise<object | null>;
const keyLoaders = new Map<string, KeyLoader>();

/**
 * Makes a node type that is not a Prisma row refetchable: `load` gets the key after `Type:` and
 * throws a ValidationError when the key is malformed, or answers null when nothing has it.
 */
export function loadNodesByKey(typeName: string, load: KeyLoader) {
  keyLoaders.set(typeName, load);
}

/**
 * Restricts which rows of a node type `node(id:)` can reach for a viewer, beyond the type's own
 * auth scopes (e.g. draft events for the public): a row outside answers null, as if it did not exist.
 */
export function restrictNodes(typeName: string, where: (ctx: Context) => Where) {
  visibleRows.set(typeName, where);
}

type Decoded = { type: GraphQLObjectType; id: number } | { type: GraphQLObjectType; key: string } | Error;

function decode(raw: string, field: string, info: GraphQLResolveInfo): Decoded {
  const text = BASE64.test(raw) ? Buffer.from(raw, 'base64').toString('utf8') : '';
  // Only the canonical encoding of `Type:key` is an id: an id with trailing bytes names nothing.
  const match = Buffer.from(text, 'utf8').toString('base64') === raw ? DECODED.exec(text) : null;
  if (!match) return new ValidationError(field, `${field} is not a global id of this API`);
  const [, typename = '', key = ''] = match;
  const type = info.schema.getType(typename);
  const refetchable =
    isObjectType(type) &&
    type.getInterfaces().some((i) => i.name === 'Node') &&
    (modelOf(type) || keyLoaders.has(typename));
  if (!refetchable) {
    return new ValidationError(field, `${field} names ${typename}, which is not a type node(id:) refetches`);
  }
  if (!modelOf(type)) return { type, key };
  // A row's key is a positive integer: `Event:1.5`, `Event:01` or `Event:-1` names no row.
  const digits = /^[1-9]\d*$/.test(key) ? key : '';
  if (!digits) return new ValidationError(field, `${field} is not a global id of this API`);
  const id = Number(digits);
  if (digits.length > 10 || id > MAX_ROW_ID)
    return new ValidationError(field, `${field} names a ${typename} id out of range`);
  return { type, id };
}

function modelOf(type: GraphQLObjectType): string | undefined {
  const model = type.extensions?.pothosPrismaModel;
  return typeof model === 'string' ? model : undefined;
}

/** Whether the viewer may see objects of this type at all (the type's own auth scopes). */
function typeVisible(type: GraphQLObjectType, ctx: Context): boolean {
  const options = type.extensions?.pothosOptions as { authScopes?: unknown } | undefined;
  const scopes = options?.authScopes;
  if (scopes === undefined) return true;
  // Only the plain `{ scope: true }` form is used on node types; anything else is refused.
  if (!scopes || typeof scopes !== 'object') return false;
  const held = viewerScopes(ctx.viewer);
  return Object.entries(scopes).some(
    ([scope, wanted]) => wanted === true && held[scope as keyof typeof held],
  );
}

type Answer = object | null | Error;

/**
 * Loads the objects the ids name, in order: an Error where the id is malformed or names a type
 * that is not refetchable, null where no visible row exists, the row otherwise.
 */
async function loadNodes(
  ctx: Context,
  info: GraphQLResolveInfo,
  raws: string[],
  field: (i: number) => string,
) {
  const answers: Answer[] = raws.map(() => null);
  const byType = new Map<GraphQLObjectType, Map<number, number[]>>();
  const keyed: Promise<void>[] = [];
  raws.forEach((raw, i) => {
    const decoded = decode(raw, field(i), info);
    if (decoded instanceof Error) {
      answers[i] = decoded;
      return;
    }
    // A type the viewer may not see answers exactly as a missing row: no query, no error.
    if (!typeVisible(decoded.type, ctx)) return;
    if ('key' in decoded) {
      keyed.push(
        load(decoded.type, decoded.key, field(i), ctx).then((answer) => {
          answers[i] = answer;
        }),
      );
      return;
    }
    const ids = byType.get(decoded.type) ?? new Map<number, number[]>();
    byType.set(decoded.type, ids);
    ids.set(decoded.id, [...(ids.get(decoded.id) ?? []), i]);
  });
  await Promise.all([
    ...keyed,
    ...[...byType].map(async ([type, ids]) => {
      const rows = await readRows(type, [...ids.keys()], ctx, info);
      for (const row of rows) {
        brandWithType(row, type.name as never);
        for (const i of ids.get(row.id) ?? []) answers[i] = row;
      }
    }),
  ]);
  return answers;
}

/** One keyed object, branded with its type; a malformed key answers its ValidationError. */
async function load(type: GraphQLObjectType, key: string, field: string, ctx: Context): Promise<Answer> {
  try {
    const object = await keyLoaders.get(type.name)?.(key, ctx);
    if (!object) return null;
    brandWithType(object, type.name as never);
    return object;
  } catch (err) {
    if (err instanceof ValidationError) return new ValidationError(field, `${field}: ${err.message}`);
    throw err;
  }
}

async function readRows(type: GraphQLObjectType, ids: number[], ctx: Context, info: GraphQLResolveInfo) {
  const model = modelOf(type) as string;
  const delegate = (
    prisma as unknown as Record<string, { findMany(args: object): Promise<{ id: number }[]> }>
  )[model.charAt(0).toLowerCase() + model.slice(1)];
  if (!delegate) throw new Error(`no Prisma model ${model} for node type ${type.name}`);
  const query = queryFromInfo({ context: ctx, info, typeName: type.name }) as { select?: Where };
  // The row's id is always needed to put it back in place, whatever the client selected.
  const selection = query.select ? { ...query, select: { ...query.select, id: true } } : query;
  const restrict = visibleRows.get(type.name)?.(ctx);
  return delegate.findMany({
    ...selection,
    where: restrict ? { AND: [{ id: { in: ids } }, restrict] } : { id: { in: ids } },
  });
}

const NodeRef = builder.nodeInterfaceRef();

builder.queryField('node', (t) =>
  t.field({
    type: NodeRef,
    nullable: true,
    description:
      'Refetches any object by its global id. Null if no object the viewer may see has that id; a malformed id, or one of a type that cannot be refetched, also gives a BAD_USER_INPUT error on this field alone.',
    args: { id: t.arg.id({ required: true, description: 'The global id of the object.' }) },
    resolve: async (_root, args, ctx, info) => {
      const [answer] = await loadNodes(ctx, info, [String(args.id)], () => 'id');
      if (answer instanceof Error) throw answer;
      return answer ?? null;
    },
  }),
);

builder.queryField('nodes', (t) =>
  t.field({
    type: [NodeRef],
    nullable: { list: true, items: true },
    description: `Refetches several objects by their global ids (at most ${MAX_NODE_IDS}), in order; each place answers as \`node(id:)\` would, on its own. Objects of one type are read together.`,
    args: {
      ids: t.arg.idList({
        required: true,
        description: `The global ids of the objects, at most ${MAX_NODE_IDS}.`,
      }),
    },
    resolve: async (_root, args, ctx, info) => {
      if (args.ids.length > MAX_NODE_IDS) {
        throw new ValidationError('ids', `at most ${MAX_NODE_IDS} ids per request (got ${args.ids.length})`);
      }
      const answers = await loadNodes(
        ctx,
        info,
        args.ids.map((id) => String(id)),
        (i) => `ids.${i}`,
      );
      // An Error in a list answers null at its own index, with the error's path ending there.
      return answers as never;
    },
  }),
);
