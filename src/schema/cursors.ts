// Cursors name the list they page: `base64("<Item type>:id:<row id>")` for a list of Prisma rows,
// `base64("<Item type>:offset:<n>")` for a list paged by position (any other). Pothos issues and reads its own
// shapes (`GPC:N:<id>`, `OffsetConnection:<n>`); the typed-cursors plugin (plugins/typed-cursors.ts)
// turns every cursor it answers into the typed form, and the request checks (src/api/arguments.ts)
// turn every `after`/`before` back, refusing anything that is not exactly a cursor of that
// connection's item type: a forged cursor, one of another list's type, a negative offset, an id
// below 1, a fraction. A list computed whole and stamped with its version
// (src/schema/versioned-pages.ts) issues and checks its own cursors: its connection type says so
// with the extension `cursorKind: 'version'`, and its cursors pass here untouched.
import { type GraphQLOutputType, getNamedType, isInterfaceType, isObjectType } from 'graphql';

const CANONICAL_BASE64 = /^(?:[\d+/A-Za-z]{4})*(?:[\d+/A-Za-z]{2}==|[\d+/A-Za-z]{3}=)?$/;
const TYPED = /^([A-Z_a-z]\w{0,63}):(id|offset):(0|[1-9]\d{0,15})$/;
const POTHOS = /^(?:GPC:N:([1-9]\d{0,15})|OffsetConnection:(0|[1-9]\d{0,15}))$/;

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * How a list is paged: by row id (a list of Prisma rows), by position (anything else), or by
 * position in a version-stamped list, whose resolver issues and checks its cursors itself.
 */
export type CursorKind = 'id' | 'offset' | 'version';

/** A connection's item type and how its cursors page it. */
export interface CursorList {
  itemType: string;
  kind: CursorKind;
}

/** The item type a connection type pages (its edges' node type), or undefined if it is none. */
export function connectionItems(type: GraphQLOutputType): CursorList | undefined {
  const connection = getNamedType(type);
  if (!isObjectType(connection)) return undefined;
  const edges = connection.getFields().edges;
  const edge = edges && getNamedType(edges.type);
  if (!isObjectType(edge) && !isInterfaceType(edge)) return undefined;
  const node = edge.getFields().node;
  if (!node) return undefined;
  const item = getNamedType(node.type);
  if (connection.extensions?.cursorKind === 'version') return { itemType: item.name, kind: 'version' };
  // Prisma connections page by a row's id; lists built in memory (rankings) by position.
  const kind = typeof item.extensions?.pothosPrismaModel === 'string' ? 'id' : 'offset';
  return { itemType: item.name, kind };
}

/** The typed cursor of a cursor Pothos issued on `list`. */
export function typedCursor(list: CursorList, pothosCursor: string): string {
  if (list.kind === 'version') return pothosCursor;
  const match = POTHOS.exec(Buffer.from(pothosCursor, 'base64').toString('utf8'));
  const kind = match?.[1] ? 'id' : 'offset';
  // Only the two shapes above are issued, each by its kind of list: anything else is a new kind
  // of list to add here.
  if (!match || kind !== list.kind) {
    throw new Error(`the ${list.itemType} list issued a cursor of a shape cursors.ts does not know`);
  }
  return base64(`${list.itemType}:${kind}:${match[1] ?? match[2]}`);
}

/**
 * The Pothos cursor behind a typed cursor a client sent on `list`, or why it is refused (a
 * sentence to follow "argument after of Query.events").
 */
export function pothosCursor(list: CursorList, cursor: string): { cursor: string } | { problem: string } {
  const foreign = { problem: 'is not a cursor this API issued' };
  if (cursor.length > 128 || !CANONICAL_BASE64.test(cursor)) return foreign;
  // The list's resolver checks its own (stamped) cursors: list, version and offset.
  if (list.kind === 'version') return { cursor };
  const match = TYPED.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match) return foreign;
  const [, type, kind, n] = match as unknown as [string, string, string, string];
  if (type !== list.itemType) {
    return { problem: `is a cursor of a ${type} list, not of this ${list.itemType} list` };
  }
  if (kind !== list.kind || !Number.isSafeInteger(Number(n))) return foreign;
  if (kind === 'id') return n === '0' ? foreign : { cursor: base64(`GPC:N:${n}`) };
  return { cursor: base64(`OffsetConnection:${n}`) };
}
