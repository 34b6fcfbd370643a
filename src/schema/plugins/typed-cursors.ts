// Every connection answers typed cursors (src/schema/cursors.ts): the cursors of its edges and of
// its page info are rewritten from Pothos's own shapes once the connection has resolved. The
// arguments coming in are rewritten back before execution (src/api/arguments.ts), so Pothos, its
// nested connections included, only ever sees its own cursors.
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { type CursorList, connectionItems, typedCursor } from '../cursors.js';

interface Edge {
  cursor?: unknown;
}
interface Connection {
  edges?: Array<Edge | null>;
  pageInfo?: { startCursor?: unknown; endCursor?: unknown };
}

/** Connections already rewritten (a resolver handing out one object twice keeps its cursors). */
const rewritten = new WeakSet<object>();

function retype(list: CursorList, value: unknown): unknown {
  return typeof value === 'string' && value !== '' ? typedCursor(list, value) : value;
}

function rewrite(list: CursorList, connection: unknown): unknown {
  if (!connection || typeof connection !== 'object' || rewritten.has(connection)) return connection;
  rewritten.add(connection);
  const { edges, pageInfo } = connection as Connection;
  for (const edge of edges ?? []) if (edge) edge.cursor = retype(list, edge.cursor);
  if (pageInfo) {
    pageInfo.startCursor = retype(list, pageInfo.startCursor);
    pageInfo.endCursor = retype(list, pageInfo.endCursor);
  }
  return connection;
}

class TypedCursorsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (!('after' in fieldConfig.args && 'before' in fieldConfig.args)) return resolver;
    let items: CursorList | undefined;
    return (parent, args, context, info) => {
      items ??= connectionItems(info.returnType);
      const list = items;
      if (!list) return resolver(parent, args, context, info);
      const result = resolver(parent, args, context, info);
      return typeof (result as { then?: unknown } | null)?.then === 'function'
        ? (result as Promise<unknown>).then((c) => rewrite(list, c))
        : rewrite(list, result);
    };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      typedCursors: TypedCursorsPlugin<Types>;
    }
  }
}

export const typedCursorsPlugin = 'typedCursors' as const;
SchemaBuilder.registerPlugin(typedCursorsPlugin, TypedCursorsPlugin);
export default typedCursorsPlugin;
