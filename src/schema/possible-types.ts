// The possibleTypes map Apollo Client needs to match fragments on interfaces and unions (e.g.
// `... on Error` inside a mutation's result union): every abstract type and the object types that
// can stand for it. Published beside schema.graphql as clients/possible-types.json.
import { type GraphQLSchema, isAbstractType } from 'graphql';

export function possibleTypes(schema: GraphQLSchema): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const type of Object.values(schema.getTypeMap()).sort((a, b) => a.name.localeCompare(b.name))) {
    if (type.name.startsWith('__') || !isAbstractType(type)) continue;
    map[type.name] = schema
      .getPossibleTypes(type)
      .map((t) => t.name)
      .sort();
  }
  return map;
}

/** The file's text, as committed. */
export function printPossibleTypes(schema: GraphQLSchema): string {
  return `${JSON.stringify(possibleTypes(schema), null, 2)}\n`;
}
