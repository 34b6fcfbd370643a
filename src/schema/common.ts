// Shapes shared by several schema modules: ordering direction, date ranges and the viewer's
// visibility rules as the services expect them.

import { createHash } from 'node:crypto';
import type { ZodType } from 'zod';
import { type FieldProblem, NotFoundError, ValidationError } from '../lib/errors.js';
import type { Visibility } from '../services/events.js';
import { parseInput } from '../services/validation.js';
import { builder } from './builder.js';
import type { Context } from './context.js';

export const OrderDirection = builder.enumType('OrderDirection', {
  description: 'Sort direction.',
  values: {
    ASC: { description: 'Smallest (or earliest, or A) first.' },
    DESC: { description: 'Largest (or latest, or Z) first.' },
  },
});

export const DateRange = builder.inputType('DateRange', {
  description: 'An inclusive range of calendar dates (Asia/Jakarta); either end may be left open.',
  fields: (t) => ({
    from: t.field({ type: 'Date', description: 'The first day of the range (inclusive).' }),
    to: t.field({ type: 'Date', description: 'The last day of the range (inclusive).' }),
  }),
});

/** What the viewer may see: analysts and admins see drafts and cancelled events. */
export function visibility(ctx: Context): Visibility {
  return { includeDrafts: ctx.viewer.role !== 'PUBLIC' };
}

/** A global id argument decoded for a node with an integer id. */
export function intId(id: { id: string | number; typename?: string }): number {
  const n = Number(id.id);
  // A well-formed global id can still carry anything after its type name: no row has such an id.
  if (!Number.isSafeInteger(n) || n < 1)
    throw new NotFoundError(id.typename ?? 'object', String(id.id).slice(0, 40));
  return n;
}

type TotalCountSource = { totalCount?: number | (() => number | Promise<number>) };

/**
 * Options of a connection's `totalCount` field, documented (the Prisma plugin adds it without a
 * description). Use as `fields: (t) => ({ totalCount: t.int(totalCountField) })`.
 */
export const totalCountField = {
  description: 'The number of items in the whole list, across all pages.',
  nullable: false,
  extensions: { pothosPrismaTotalCount: true },
  resolve: (parent: object) => {
    const total = (parent as TotalCountSource).totalCount;
    return typeof total === 'function' ? total() : (total ?? 0);
  },
} as const;

/**
 * The Prisma query of a field whose selection may hold only typed-error fragments: Pothos then
 * plans an empty `select`, which Prisma refuses; reading the plain row is right in that case.
 */
export function nonEmptyQuery<Q extends { select?: object }>(query: Q): Q | Record<string, never> {
  return query.select && Object.keys(query.select).length === 0 ? {} : query;
}

/** A global id, encoded as the relay plugin encodes them: base64 of `Type:key`. */
export function encodeId(typename: string, key: string | number): string {
  return Buffer.from(`${typename}:${key}`, 'utf8').toString('base64');
}

/**
 * The key an argument names: the object's global `id`, or (as before ids were global) its raw
 * key. Only a canonical encoding of `typename:key` counts as a global id.
 */
export function keyOf(typename: string, value: string): string {
  const text = Buffer.from(value, 'base64').toString('utf8');
  const prefix = `${typename}:`;
  return text.startsWith(prefix) && encodeId(typename, text.slice(prefix.length)) === value
    ? text.slice(prefix.length)
    : value;
}

const MAX_ROW_ID = 2_147_483_647;

/**
 * Decodes the global-id arguments of a mutation into row ids, all at once: every argument that is
 * not a global id, or is one of another type, is reported in one ValidationError (a typed result,
 * never a request error); an id of the right type that can name no row is a NotFoundError.
 */
export function rowIds<K extends string>(
  args: Record<K, [typename: string, value: string | number]>,
): Record<K, number> {
  const problems: FieldProblem[] = [];
  let missing: NotFoundError | undefined;
  const ids = {} as Record<K, number>;
  for (const [field, [typename, value]] of Object.entries(args) as [K, [string, string | number]][]) {
    const raw = String(value);
    const text = Buffer.from(raw, 'base64').toString('utf8');
    const canonical = raw !== '' && Buffer.from(text, 'utf8').toString('base64') === raw;
    const match = canonical ? /^([A-Z_a-z]\w*):(.+)$/s.exec(text) : null;
    if (!match) {
      problems.push({ field, message: `${field} is not a global id of this API` });
    } else if (match[1] !== typename) {
      problems.push({ field, message: `${field} is the id of a ${match[1]}, not of a ${typename}` });
    } else if (!/^[1-9]\d{0,9}$/.test(match[2] ?? '') || Number(match[2]) > MAX_ROW_ID) {
      missing ??= new NotFoundError(typename, String(match[2]).slice(0, 40));
    } else {
      ids[field] = Number(match[2]);
    }
  }
  if (problems.length > 0) throw new ValidationError(problems[0]!.field, problems[0]!.message, problems);
  if (missing) throw missing;
  return ids;
}

/**
 * A mutation's global-id arguments as row ids and its input checked together: every bad id and
 * every bad input field reported in one ValidationError, ids first, so a form marks them all at
 * once. An id that names no row (NotFoundError) counts only when everything else is valid.
 */
export function idsAndInput<K extends string>(
  args: Record<K, [typename: string, value: string | number]>,
  schema: ZodType,
  input: unknown,
): Record<K, number> {
  const problems: FieldProblem[] = [];
  let ids: Record<K, number> | undefined;
  let missing: NotFoundError | undefined;
  try {
    ids = rowIds(args);
  } catch (err) {
    if (err instanceof ValidationError) problems.push(...err.problems);
    else if (err instanceof NotFoundError) missing = err;
    else throw err;
  }
  try {
    parseInput(schema, input);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0) throw new ValidationError(problems[0]!.field, problems[0]!.message, problems);
  if (missing || !ids) throw missing;
  return ids;
}

/** One global-id argument of a mutation as a row id (see rowIds). */
export function rowId(typename: string, value: string | number, field = 'id'): number {
  return rowIds({ [field]: [typename, value] })[field] as number;
}

/** Hashes a value's content: plain data, maps and sets in, key order ignored, cycles cut, methods skipped. */
function contentDigest(value: unknown): string {
  const hash = createHash('sha256');
  const ancestors = new Set<object>();
  const walk = (v: unknown): void => {
    if (typeof v === 'function') return;
    if (v === null || typeof v !== 'object') {
      hash.update(`${typeof v}:${String(v)};`);
      return;
    }
    if (v instanceof Map || v instanceof Set) {
      walk([...v]);
      return;
    }
    const json = (v as { toJSON?: () => unknown }).toJSON;
    if (typeof json === 'function') {
      walk(json.call(v));
      return;
    }
    if (ancestors.has(v)) {
      hash.update('~;');
      return;
    }
    ancestors.add(v);
    if (Array.isArray(v)) {
      hash.update('[');
      for (const item of v) walk(item);
      hash.update(']');
    } else {
      hash.update('{');
      for (const key of Object.keys(v).sort()) {
        hash.update(`${key}=`);
        walk((v as Record<string, unknown>)[key]);
      }
      hash.update('}');
    }
    ancestors.delete(v);
  };
  walk(value);
  return hash.digest('base64url').slice(0, 27);
}

/**
 * The `id` of a value type: figures embedded in an answer, with no row of their own. A value is
 * its content, so its id is a digest of that content (or of `key`, when part of the content, such
 * as a clock, must not count): the same figures always have the same id, so a client's cache
 * merges them harmlessly, and new figures get a new one. Such ids are not refetchable by `node`.
 */
export function valueId<T>(typename: string, key: (value: T) => unknown = (value) => value) {
  return {
    description: 'A stable id for client caches: the same figures always have the same id.',
    resolve: (value: T) => encodeId(typename, contentDigest(key(value))),
  };
}

/**
 * An order input `{ field: <fields>!, direction: OrderDirection = ASC }` for a list of `items`;
 * the services break ties by id.
 */
export function orderInput<F extends string>(
  name: string,
  items: string,
  fields: PothosSchemaTypes.EnumRef<SchemaTypesOf<typeof builder>, F, F>,
) {
  return builder.inputType(name, {
    description: `How to sort ${items}; ties are broken by id.`,
    fields: (t) => ({
      field: t.field({ type: fields, required: true, description: 'The sort key.' }),
      direction: t.field({
        type: OrderDirection,
        defaultValue: 'ASC',
        description: 'The direction (default ASC).',
      }),
    }),
  });
}

type SchemaTypesOf<B> = B extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/**
 * The last two arguments of `t.prismaConnection` / `t.relatedConnection`: the page type (with
 * `totalCount`) and the edge type, described for `items` and one `item`.
 */
export function countedPage(items: string, item: string) {
  return [
    {
      description: `A page of ${items}.`,
      fields: (t: PothosSchemaTypes.ObjectFieldBuilder<SchemaTypesOf<typeof builder>, object>) => ({
        totalCount: t.int(totalCountField),
      }),
    },
    { description: `${item} and its cursor.` },
  ] as const;
}
