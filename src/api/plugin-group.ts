// Bisma's Apollo plugins as one: Apollo runs every stage of a request (source resolved, operation
// resolved, response for the operation, execution, errors, response sent…) over all its request
// listeners with a `Promise.all` or an `await` per listener, whether or not a listener has that
// stage, so nine listeners of ours cost each request about a hundred promises. Grouped, they are
// one listener that calls, for each stage, only the parts that have it, all started at once as
// Apollo would (`Promise.all`, in the plugins' order), so every part sees what it saw before.
import type {
  ApolloServerPlugin,
  BaseContext,
  GraphQLRequestContext,
  GraphQLRequestExecutionListener,
  GraphQLRequestListener,
} from '@apollo/server';

/** The request stages a grouped part may have: hooks that answer nothing but a promise of void. */
const STAGES = ['didResolveOperation', 'didEncounterErrors', 'willSendResponse'] as const;
type StageHooks = Partial<Record<(typeof STAGES)[number], (context: unknown) => Promise<void>>>;

/** Plugin-level hooks other than requestDidStart that a part may have. */
const PLUGIN_HOOKS = new Set(['requestDidStart', 'contextCreationDidFail']);

type Listener<C extends BaseContext> = GraphQLRequestListener<C>;

async function all(calls: Promise<unknown>[]): Promise<void> {
  await Promise.all(calls);
}

/**
 * One plugin running `plugins` in their order. Each part may have requestDidStart (with the stages
 * above and executionDidStart answering executionDidEnd) and contextCreationDidFail; anything else
 * is refused when the group is built, so no hook of a part is ever silently dropped.
 */
export function pluginGroup<C extends BaseContext>(plugins: ApolloServerPlugin<C>[]): ApolloServerPlugin<C> {
  for (const plugin of plugins) {
    for (const hook of Object.keys(plugin)) {
      if (!PLUGIN_HOOKS.has(hook)) throw new Error(`pluginGroup: a grouped plugin has ${hook}`);
    }
  }
  const starters = plugins.filter((p) => p.requestDidStart !== undefined);
  const onContextFailure = plugins.filter((p) => p.contextCreationDidFail !== undefined);

  const group: ApolloServerPlugin<C> = {
    async requestDidStart(requestContext: GraphQLRequestContext<C>) {
      const started = await Promise.all(starters.map((p) => p.requestDidStart!(requestContext)));
      const parts = started.filter((l): l is Listener<C> => l !== undefined && l !== null);
      if (parts.length === 0) return;
      if (parts.length === 1) return parts[0];
      const listener: Listener<C> = {};
      for (const part of parts) {
        for (const hook of Object.keys(part)) {
          if (hook !== 'executionDidStart' && !(STAGES as readonly string[]).includes(hook)) {
            throw new Error(`pluginGroup: a grouped request listener has ${hook}`);
          }
        }
      }
      const stages = listener as StageHooks;
      for (const stage of STAGES) {
        const having = (parts as StageHooks[])
          .filter((p) => p[stage] !== undefined)
          .map((p) => p[stage]!.bind(p));
        if (having.length === 1) stages[stage] = having[0];
        else if (having.length > 1) stages[stage] = (context) => all(having.map((hook) => hook(context)));
      }
      const executing = parts.filter((p) => p.executionDidStart !== undefined);
      if (executing.length === 1) {
        const part = executing[0]!;
        listener.executionDidStart = (context) => part.executionDidStart!(context);
      } else if (executing.length > 1) {
        listener.executionDidStart = async (context) => {
          const ends = (await Promise.all(executing.map((p) => p.executionDidStart!(context)))).filter(
            (l): l is GraphQLRequestExecutionListener<C> => l !== undefined && l !== null,
          );
          for (const end of ends) {
            if (end.willResolveField) throw new Error('pluginGroup: a grouped part has willResolveField');
          }
          if (ends.length === 0) return;
          // Apollo ends execution listeners in reverse order of their start.
          ends.reverse();
          return {
            async executionDidEnd(error) {
              await Promise.all(ends.map((l) => l.executionDidEnd?.(error)));
            },
          };
        };
      }
      return listener;
    },
  };
  if (onContextFailure.length > 0) {
    group.contextCreationDidFail = async (context) => {
      await Promise.all(onContextFailure.map((p) => p.contextCreationDidFail!(context)));
    };
  }
  return group;
}
