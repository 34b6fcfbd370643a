// The query deadline, checked where a field runs a resolver: a field that starts after the
// operation's deadline (Context.deadline, set by the API's queryTimeoutPlugin when execution
// starts) fails with QUERY_TIMEOUT, so a runaway operation stops doing work. Plain column reads
// (`t.expose…`) are not checked: they do no work and a checked field above them stops the walk.
// Checked here rather than in Apollo's willResolveField, which wraps every field of the schema
// and allocates per field, even for fields that only read a property.
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { AppError } from '../../lib/errors.js';
import type { Context } from '../context.js';

class QueryDeadlinePlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (fieldConfig.kind === 'Subscription' || fieldConfig.extensions?.pothosExposedField) return resolver;
    return (parent, args, ctx, info) => {
      const deadline = (ctx as Context).deadline;
      if (deadline !== undefined && Date.now() > deadline.at) {
        throw new AppError(
          'QUERY_TIMEOUT',
          `the query ran longer than ${deadline.timeoutMs} ms and was stopped`,
          {
            timeoutMs: deadline.timeoutMs,
          },
        );
      }
      return resolver(parent, args, ctx, info);
    };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      queryDeadline: QueryDeadlinePlugin<Types>;
    }
  }
}

export const queryDeadlinePlugin = 'queryDeadline' as const;
SchemaBuilder.registerPlugin(queryDeadlinePlugin, QueryDeadlinePlugin);
export default queryDeadlinePlugin;
