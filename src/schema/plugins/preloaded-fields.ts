// Fields of select-mode Prisma types answer from the row their parent already carries, without
// asking the Prisma plugin's loader mapping first. In select mode that plugin wraps every field of
// the type, plain column reads included, and for every field of every row it builds the field's
// `Type@path` key and walks the path's ancestors to find what the planned query loaded
// (`@pothos/selection-mapper`'s `getLoaderMapping`/`responsePath`), then records the row's scope:
// on the events page about 900 lookups per request, a quarter of its API CPU with the garbage they
// make (BENCHMARKS.md, issue 14). The lookup answers one question, "did the query that loaded this
// row load this field?", and for the fields below the row itself already answers it:
//
// - a column read (`t.expose…`): the column is on the row (Prisma gives a selected column as its
//   value or null, an unselected one not at all);
// - a relation (`t.relation`) whose query cannot depend on the arguments or the viewer (ordering
//   only, no `where`) and whose own selection in this document reads only such fields: the relation
//   is on the row, and nothing beneath it will look for the scope this field would have recorded.
//
// Anything else (no value on the row, a relation filtered by viewer, a connection, a count, a
// field computed from named columns) goes through the Prisma plugin as before, and so does every
// field that the row does not carry: its fallback loads it. The plugin sits just before the Prisma
// plugin, so the deadline, auth and error plugins still wrap every field as they did.
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  getNamedType,
  isLeafType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';

/** How a field can answer from its parent's row: a column, a relation, or not at all. */
type Preloaded = 'column' | 'relation' | undefined;

interface FieldFacts {
  kind: string;
  extensions?: Record<string, unknown> | null;
}

function preloadedKind({ kind, extensions }: FieldFacts): Preloaded {
  if (kind !== 'PrismaObject' || !extensions) return undefined;
  const select = extensions.pothosPrismaSelect;
  const exposed = extensions.pothosExposedField;
  if (typeof exposed === 'string') {
    // Select mode only: an expose selects exactly its own column (include mode does not wrap it).
    const selects = select as Record<string, unknown> | false | undefined;
    const ownColumnOnly = !!selects && Object.keys(selects).length === 1 && selects[exposed] === true;
    return ownColumnOnly ? 'column' : undefined;
  }
  if (extensions.pothosPrismaRelationField && typeof select === 'function') {
    // A relation with its own resolver has a fallback of its own: leave it to the Prisma plugin.
    if (extensions.pothosPrismaFallback) return undefined;
    const query = declaredQuery(select as (...args: unknown[]) => unknown);
    // A query that is a function may filter by the viewer or the arguments, and one with a `where`
    // filters: a row that carries the relation loaded another way must not answer for it.
    const fixed = typeof query === 'object' && query !== null && !('where' in query);
    return fixed ? 'relation' : undefined;
  }
  return undefined;
}

/**
 * The `query` option a `t.relation` was declared with. Its select hands that option, as declared
 * (an object, `{}` when absent, or a function), to the nested-selection callback it is given; the
 * relation's select reads neither arguments nor context. Anything unexpected counts as unknown.
 */
function declaredQuery(select: (...args: unknown[]) => unknown): unknown {
  let declared: unknown;
  try {
    select({}, {}, (query: unknown) => {
      declared = query;
      return {};
    });
  } catch {
    return undefined;
  }
  return declared;
}

const PRELOADED = 'bismaPreloaded';

function fieldKind(field: GraphQLField<unknown, unknown> | undefined): Preloaded {
  return field?.extensions?.[PRELOADED] as Preloaded;
}

/**
 * Whether every field the selection reads on `type` answers without a loader mapping: leaves the
 * Prisma plugin does not wrap or that read their own column, and relations whose own selection
 * does the same. Fragments are followed whatever their condition (a superset is the safe side).
 */
function selectionIsPreloaded(
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
): boolean {
  if (!selectionSet) return false;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === '__typename') continue;
      const field = type.getFields()[selection.name.value];
      if (!field) return false;
      const kind = fieldKind(field);
      const named = getNamedType(field.type);
      if (isLeafType(named)) {
        if (field.extensions?.pothosPrismaSelect && kind !== 'column') return false;
      } else if (kind !== 'relation' || !isObjectType(named)) {
        return false;
      } else if (!selectionIsPreloaded(named, selection.selectionSet, fragments)) {
        return false;
      }
    } else {
      const set =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selection.selectionSet
          : fragments[selection.name.value]?.selectionSet;
      if (!selectionIsPreloaded(type, set, fragments)) return false;
    }
  }
  return true;
}

class PreloadedFieldsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(config: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    const kind = preloadedKind(config);
    if (!kind) return config;
    return { ...config, extensions: { ...config.extensions, [PRELOADED]: kind } };
  }

  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const extensions = fieldConfig.extensions ?? {};
    const kind = extensions[PRELOADED] as Preloaded;
    // The field's own resolver: the plugins after Prisma (Relay, FallibleFields) wrap none.
    const own = fieldConfig.resolve;
    if (!kind || !own) return resolver;
    const name =
      kind === 'column'
        ? (extensions.pothosExposedField as string)
        : (extensions.pothosPrismaRelationField as { name: string }).name;
    if (kind === 'column') {
      return (parent, args, context, info) =>
        (parent as Record<string, unknown>)[name] !== undefined
          ? own(parent, args, context, info)
          : resolver(parent, args, context, info);
    }
    // By field node of a parsed document: Apollo keeps parsed documents, so once per document.
    const verdicts = new WeakMap<FieldNode, boolean>();
    return (parent, args, context, info) => {
      if ((parent as Record<string, unknown>)[name] === undefined || info.fieldNodes.length !== 1)
        return resolver(parent, args, context, info);
      const node = info.fieldNodes[0] as FieldNode;
      let preloaded = verdicts.get(node);
      if (preloaded === undefined) {
        const type = getNamedType(info.returnType);
        preloaded = isObjectType(type) && selectionIsPreloaded(type, node.selectionSet, info.fragments);
        verdicts.set(node, preloaded);
      }
      return preloaded ? own(parent, args, context, info) : resolver(parent, args, context, info);
    };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      preloadedFields: PreloadedFieldsPlugin<Types>;
    }
  }
}

export const preloadedFieldsPlugin = 'preloadedFields' as const;
SchemaBuilder.registerPlugin(preloadedFieldsPlugin, PreloadedFieldsPlugin);
export default preloadedFieldsPlugin;
