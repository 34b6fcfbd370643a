// Pages of a list computed whole (not read page by page from a table), tied to the version of
// what they page: each cursor carries the list's version, so a cursor issued before the list
// changed is refused with STALE_CURSOR rather than silently skipping or repeating members.
import { type DefaultConnectionArguments, offsetForArgs, offsetToCursor } from '@pothos/plugin-relay';
import { AppError, ValidationError } from '../lib/errors.js';

/** A cursor of a version-stamped list: base64 of `<list>:<version>:<offset>`. */
function stamp(list: string, version: string, offset: number): string {
  return Buffer.from(`${list}:${version}:${offset}`, 'utf8').toString('base64');
}

/** The Pothos offset cursor a stamped cursor stands for; refuses a malformed or stale one. */
function unstamp(
  list: string,
  version: string,
  field: 'after' | 'before',
  cursor: string | null | undefined,
): string | null | undefined {
  if (cursor == null) return cursor;
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const match = /^(\w+):([\w-]{1,64}):(\d{1,9})$/.exec(text);
  if (!match || match[1] !== list) throw new ValidationError(field, `${field} is not a cursor of this list`);
  if (match[2] !== version) {
    throw new AppError(
      'STALE_CURSOR',
      `${field} is a cursor of an older version of this list (${match[2]}; now ${version}): read it again from the first page`,
      { field, version },
    );
  }
  return offsetToCursor(Number(match[3]));
}

/** One page of `items`, the whole list as of `version`, with cursors stamped with that version. */
export function resolveVersionedConnection<T>(
  list: string,
  version: string,
  args: DefaultConnectionArguments,
  items: readonly T[],
) {
  const { offset, limit, expectedSize, hasPreviousPage, hasNextPage } = offsetForArgs({
    totalCount: items.length,
    args: {
      ...args,
      after: unstamp(list, version, 'after', args.after),
      before: unstamp(list, version, 'before', args.before),
    },
  });
  const nodes = items.slice(offset, offset + limit);
  const edges = nodes
    .slice(0, expectedSize)
    .map((node, index) => ({ cursor: stamp(list, version, offset + index), node }));
  return {
    edges,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasPreviousPage,
      hasNextPage: hasNextPage(nodes.length),
    },
  };
}
