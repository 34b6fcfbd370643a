// Arguments checked before an operation runs, wherever they sit in it: a page size or cursor that
// execution would refuse half-way is refused first, so a mutation never commits and then fails on a
// bad argument in its result's selection. Cursors are decoded strictly, in one place
// (src/schema/cursors.ts): a cursor must be exactly one this API issues for that connection's item
// type; each is handed to execution as the Pothos cursor behind it.
import {
  type ArgumentNode,
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
  visit,
} from 'graphql';
import { connectionItems, pothosCursor } from '../schema/cursors.js';

function badArgument(field: string, argument: string, problem: string): GraphQLError {
  return new GraphQLError(`argument ${argument} of ${field}: ${problem}`, {
    extensions: { code: 'BAD_USER_INPUT', field, argument, http: { status: 400 } },
  });
}

/**
 * Throws BAD_USER_INPUT (400) naming the field and argument of the first bad page argument:
 * `first`/`last` below 0, or an `after`/`before` that is not a cursor this API issued for that
 * connection. Answers the document to execute: the same, with each cursor (written in it or passed
 * as a variable) replaced by the Pothos cursor behind it.
 */
export function checkArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): DocumentNode {
  const cursors = new Map<ArgumentNode, string>();
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const walk = (set: SelectionSetNode, parent: GraphQLObjectType | undefined, seen: Set<string>) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        visitField(selection, parent, seen);
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
  const visitField = (field: FieldNode, parent: GraphQLObjectType | undefined, seen: Set<string>) => {
    const def = parent?.getFields()[field.name.value];
    if (!def) return;
    if (def.args.some((a) => a.name === 'first' || a.name === 'after')) {
      const where = `${parent!.name}.${def.name}`;
      const args = getArgumentValues(def, field, variables);
      for (const name of ['first', 'last'] as const) {
        const n = args[name];
        if (typeof n === 'number' && n < 0) throw badArgument(where, name, 'must not be negative');
      }
      const list = connectionItems(def.type);
      for (const name of ['after', 'before'] as const) {
        const cursor = args[name];
        if (typeof cursor !== 'string') continue;
        const decoded = list ? pothosCursor(list, cursor) : { problem: 'is not a cursor' };
        if ('problem' in decoded) throw badArgument(where, name, decoded.problem);
        const argument = field.arguments?.find((a) => a.name.value === name);
        if (argument) cursors.set(argument, decoded.cursor);
      }
    }
    const child = getNamedType(def.type);
    // A union's members are reached through its fragments' type conditions.
    if (field.selectionSet) {
      walk(
        field.selectionSet,
        isObjectType(child) || isInterfaceType(child) ? (child as GraphQLObjectType) : undefined,
        seen,
      );
    }
  };
  walk(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined, new Set());
  if (cursors.size === 0) return document;
  return visit(document, {
    Argument(node) {
      const cursor = cursors.get(node);
      return cursor === undefined ? undefined : { ...node, value: { kind: Kind.STRING, value: cursor } };
    },
  });
}
