// Which root query fields the API's response cache may keep: each is marked where it is defined,
// `extensions: cacheable`. A field qualifies when its answer depends only on the published KPI
// version and on the content version (content_version: every write to agencies, targets, target
// phases, commitments, events, sessions, exhibitors, products, participations and deals moves it,
// whichever process writes). Ingest runs, feed sources, exports and `node` (which reaches them)
// are not marked: they are always executed.
import type { GraphQLSchema } from 'graphql';

export const cacheable = { cacheable: true } as const;

/** The marked root query fields of `schema` (and `__typename`). */
export function cacheableRootFields(schema: GraphQLSchema): ReadonlySet<string> {
  const fields = Object.values(schema.getQueryType()?.getFields() ?? {});
  return new Set([
    '__typename',
    ...fields.filter((f) => f.extensions?.cacheable === true).map((f) => f.name),
  ]);
}
