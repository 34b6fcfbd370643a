// Arguments checked before an operation runs, wherever they sit in it: a page size or cursor that
// execution would refuse half-way is refused first, so a mutation never commits and then fails on a
// bad argument in its result's selection. Cursors are decoded strictly: the exact base64 of one of
// the three shapes this API issues (`GPC:N:<id>` of a Prisma connection, `OffsetConnection:<n>` of a
// list paged by offset, `<List>:<version>:<n>` of a version-stamped list, whose version the field
// itself checks: src/schema/versioned-pages.ts), nothing lenient, nothing negative.
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLObjectType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

const CANONICAL_BASE64 = /^(?:[\d+/A-Za-z]{4})*(?:[\d+/A-Za-z]{2}==|[\d+/A-Za-z]{3}=)?$/;
const CURSOR_SHAPES = [
  /^GPC:N:[1-9]\d{0,15}$/,
  /^OffsetConnection:(?:0|[1-9]\d{0,15})$/,
  /^[A-Z][A-Za-z]{0,39}:[\w-]{16}:(?:0|[1-9]\d{0,8})$/,
];

function badArgument(field: string, argument: string, problem: string): GraphQLError {
  return new GraphQLError(`argument ${argument} of ${field}: ${problem}`, {
    extensions: { code: 'BAD_USER_INPUT', field, argument, http: { status: 400 } },
  });
}

/** Why a cursor is not one this API issued, or null when it is. */
export function cursorProblem(cursor: string): string | null {
  if (!CANONICAL_BASE64.test(cursor) || cursor.length > 64) return 'is not a cursor this API issued';
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  if (!CURSOR_SHAPES.some((shape) => shape.test(decoded))) return 'is not a cursor this API issued';
  const n = Number(decoded.slice(decoded.lastIndexOf(':') + 1));
  return Number.isSafeInteger(n) ? null : 'is not a cursor this API issued';
}

/**
 * Throws BAD_USER_INPUT (400) naming the field and argument of the first bad page argument:
 * `first`/`last` below 0, or an `after`/`before` cursor this API did not issue.
 */
export function checkArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): void {
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const walk = (set: SelectionSetNode, parent: GraphQLObjectType | undefined, seen: Set<string>) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        visit(selection, parent, seen);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD && seen.has(selection.name.value)) continue;
      const body = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
      if (!body) continue;
      const typed = body.typeCondition ? schema.getType(body.typeCondition.name.value) : parent;
      const next = selection.kind === Kind.FRAGMENT_SPREAD ? new Set([...seen, selection.name.value]) : seen;
      walk(
        body.selectionSet,
        isObjectType(typed) || isInterfaceType(typed) ? (typed as GraphQLObjectType) : parent,
        next,
      );
    }
  };
  const visit = (node: FieldNode, parent: GraphQLObjectType | undefined, seen: Set<string>) => {
    const def = parent?.getFields()[node.name.value];
    if (!def) return;
    if (def.args.some((a) => a.name === 'first' || a.name === 'after')) {
      const where = `${parent!.name}.${def.name}`;
      const args = getArgumentValues(def, node, variables);
      for (const name of ['first', 'last'] as const) {
        const n = args[name];
        if (typeof n === 'number' && n < 0) throw badArgument(where, name, 'must not be negative');
      }
      for (const name of ['after', 'before'] as const) {
        const cursor = args[name];
        if (typeof cursor !== 'string') continue;
        const problem = cursorProblem(cursor);
        if (problem) throw badArgument(where, name, problem);
      }
    }
    const child = getNamedType(def.type);
    // A union's members are reached through its fragments' type conditions.
    if (node.selectionSet) {
      walk(
        node.selectionSet,
        isObjectType(child) || isInterfaceType(child) ? (child as GraphQLObjectType) : undefined,
        seen,
      );
    }
  };
  walk(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, new Set());
}
