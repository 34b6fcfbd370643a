// Every field of a query checks the operation's execution deadline (src/schema/deadline.ts) before
// it runs, and a field that answers with a promise is raced against it. In a mutation only its
// root fields check it, before their write starts. An operation without a deadline in its context
// (a subscription's events) runs as it is. Plain column reads (`t.expose…`) are not wrapped: they
// do no work, wait on nothing, and a checked field above them stops the walk; wrapping every field
// cost measurable CPU per request (BENCHMARKS.md, "Reads without the cache, second pass").
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import type { Deadline } from '../deadline.js';

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

class DeadlinePlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (fieldConfig.kind === 'Subscription' || fieldConfig.extensions?.pothosExposedField) return resolver;
    return (parent, args, context, info) => {
      const deadline = (context as { deadline?: Deadline }).deadline;
      if (!deadline) return resolver(parent, args, context, info);
      if (info.operation.operation === 'mutation') {
        // No write starts past the deadline, but one that started is answered in full when it is
        // done: an answer at the deadline would report QUERY_TIMEOUT of a write that then commits,
        // and its result is part of that answer.
        if (info.path.prev === undefined && deadline.expired) throw deadline.error;
        return resolver(parent, args, context, info);
      }
      if (deadline.expired) throw deadline.error;
      const result = resolver(parent, args, context, info);
      return isPromise(result) ? deadline.race(result) : result;
    };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      deadline: DeadlinePlugin<Types>;
    }
  }
}

export const deadlinePlugin = 'deadline' as const;
SchemaBuilder.registerPlugin(deadlinePlugin, DeadlinePlugin);
export default deadlinePlugin;
