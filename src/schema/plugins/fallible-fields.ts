// A schema-wide nullability rule: a field that can fail for the caller is nullable, so that its
// failure nulls that field alone (with an error at its path) instead of bubbling up to its parent
// and, for a root field, blanking the whole answer. Chosen once here rather than field by field.
import SchemaBuilder, {
  BasePlugin,
  type PothosInputFieldType,
  type PothosOutputFieldConfig,
  type SchemaTypes,
} from '@pothos/core';

/** The root types whose every field is nullable: any of them can fail for the caller alone. */
const ROOTS = new Set(['Query', 'Mutation']);

/**
 * A field can fail for the caller when it is a root query or mutation, when it needs a role, or
 * when it takes an argument a resolver checks (a bad cursor, id or value is refused at run time).
 * Subscriptions stay as they are: a subscription's events are its answer.
 */
export function canFailForCaller(config: PothosOutputFieldConfig<SchemaTypes>): boolean {
  if (ROOTS.has(config.parentType)) return true;
  const options = config.pothosOptions as { authScopes?: unknown };
  if (options.authScopes !== undefined) return true;
  // An enum argument is checked by validation, before anything runs: it cannot fail at run time.
  return Object.values(config.args).some((arg) => namedKind(arg.type) !== 'Enum');
}

function namedKind(type: PothosInputFieldType<SchemaTypes>): string {
  return type.kind === 'List' ? namedKind(type.type) : type.kind;
}

class FallibleFieldsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(config: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    if (config.kind === 'Subscription' || config.type.nullable) return config;
    if (!canFailForCaller(config as unknown as PothosOutputFieldConfig<SchemaTypes>)) return config;
    return { ...config, type: { ...config.type, nullable: true } } as PothosOutputFieldConfig<Types>;
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      fallibleFields: FallibleFieldsPlugin<Types>;
    }
  }
}

export const fallibleFieldsPlugin = 'fallibleFields' as const;
SchemaBuilder.registerPlugin(fallibleFieldsPlugin, FallibleFieldsPlugin);
export default fallibleFieldsPlugin;
