// Bisma's Apollo plugins grouped as one request listener (src/api/plugin-group.ts): every part's
// hooks still run, in the plugins' order, with the same request context, and a hook the group
// cannot carry is refused when the group is built instead of being dropped.
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { describe, expect, it } from '@jest/globals';
import { pluginGroup } from '../../src/api/plugin-group.js';

const typeDefs = 'type Query { hello: String, broken: String }';
const resolvers = {
  Query: {
    hello: () => 'world',
    broken: () => {
      throw new Error('boom');
    },
  },
};

/** A plugin that records, under `name`, each hook Apollo reaches through the group. */
function recorder(name: string, seen: string[]): ApolloServerPlugin {
  return {
    async contextCreationDidFail() {
      seen.push(`${name}:contextCreationDidFail`);
    },
    async requestDidStart() {
      seen.push(`${name}:requestDidStart`);
      return {
        async didResolveOperation({ operation }) {
          seen.push(`${name}:didResolveOperation:${operation?.operation}`);
        },
        async executionDidStart() {
          seen.push(`${name}:executionDidStart`);
          return {
            async executionDidEnd() {
              seen.push(`${name}:executionDidEnd`);
            },
          };
        },
        async didEncounterErrors({ errors }) {
          seen.push(`${name}:didEncounterErrors:${errors.length}`);
        },
        async willSendResponse({ response }) {
          seen.push(`${name}:willSendResponse`);
          if (response.body.kind === 'single') {
            response.body.singleResult.extensions = {
              ...response.body.singleResult.extensions,
              [name]: true,
            };
          }
        },
      };
    },
  };
}

async function run(plugins: ApolloServerPlugin[], query: string) {
  const server = new ApolloServer({ typeDefs, resolvers, plugins });
  await server.start();
  try {
    const res = await server.executeOperation({ query });
    return res.body.kind === 'single' ? res.body.singleResult : undefined;
  } finally {
    await server.stop();
  }
}

describe('pluginGroup', () => {
  it('runs every hook of every grouped plugin, in order, as separate plugins would', async () => {
    const grouped: string[] = [];
    const separate: string[] = [];
    const viaGroup = await run([pluginGroup([recorder('a', grouped), recorder('b', grouped)])], '{ hello }');
    const viaApollo = await run([recorder('a', separate), recorder('b', separate)], '{ hello }');
    expect(grouped).toEqual(separate);
    expect(grouped).toEqual([
      'a:requestDidStart',
      'b:requestDidStart',
      'a:didResolveOperation:query',
      'b:didResolveOperation:query',
      'a:executionDidStart',
      'b:executionDidStart',
      'b:executionDidEnd',
      'a:executionDidEnd',
      'a:willSendResponse',
      'b:willSendResponse',
    ]);
    expect(viaGroup?.extensions).toEqual({ a: true, b: true });
    expect(viaGroup).toEqual(viaApollo);
  });

  it('passes the errors of a failed field to every grouped plugin', async () => {
    const seen: string[] = [];
    const result = await run([pluginGroup([recorder('a', seen), recorder('b', seen)])], '{ broken }');
    expect(result?.errors?.[0]?.message).toBe('boom');
    expect(seen).toContain('a:didEncounterErrors:1');
    expect(seen).toContain('b:didEncounterErrors:1');
  });

  it('refuses a plugin whose hook the group does not carry', () => {
    expect(() => pluginGroup([{ async serverWillStart() {} }])).toThrow('serverWillStart');
  });

  it('refuses a request listener whose stage the group does not carry', async () => {
    const odd: ApolloServerPlugin = {
      async requestDidStart() {
        return { async validationDidStart() {} };
      },
    };
    const group = pluginGroup([odd, recorder('a', [])]);
    await expect(group.requestDidStart!({} as never)).rejects.toThrow('validationDidStart');
  });
});
