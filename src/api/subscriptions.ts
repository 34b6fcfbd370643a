// GraphQL subscriptions over graphql-ws on the API's own HTTP server, at /graphql (the same path as
// queries: an upgrade request there is a subscription client). The client authenticates once, with
// `connectionParams: { authorization: "Bearer <api key>" }`; each subscription is then authorised
// like any field (scope-auth), so a public client only receives what the public may read. Events
// come from Redis pub/sub (services/live), so any API process delivers them.
import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer as graphqlWsServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { logger } from '../lib/logger.js';
import type { Context, Viewer } from '../schema/context.js';
import { closeLiveEvents } from '../services/live/pubsub.js';
import { viewerFromAuthorization } from './auth.js';
import { formatError } from './errors.js';
import { refuseUnlisted } from './persisted-queries.js';

export interface Subscriptions {
  close(): Promise<void>;
}

interface Extra extends Record<PropertyKey, unknown> {
  viewer?: Viewer;
}

export function attachSubscriptions(app: FastifyInstance, schema: GraphQLSchema): Subscriptions {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  app.server.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/graphql') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });
  const format = (errors: readonly GraphQLError[]) =>
    errors.map((error) => formatError(error.toJSON(), error.originalError ?? error));

  const server = graphqlWsServer<Record<string, unknown>, Extra>(
    {
      schema,
      // A bad key refuses the connection (4403), as a bad Authorization header refuses a request.
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization;
        try {
          ctx.extra.viewer = await viewerFromAuthorization(typeof header === 'string' ? header : undefined);
          return true;
        } catch {
          return false;
        }
      },
      // In allow-list mode a subscription runs only if the manifest holds it, as over HTTP.
      onSubscribe: (_ctx, _id, payload) => {
        const refused = refuseUnlisted({ query: payload.query, extensions: payload.extensions });
        return refused ? [new GraphQLError(refused.message, { extensions: refused.extensions })] : undefined;
      },
      context: (ctx): Context => ({
        requestId: `ws-${randomUUID()}`,
        viewer: ctx.extra.viewer ?? { role: 'PUBLIC' },
      }),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: format(result.errors) as unknown as GraphQLError[] } : result,
      onError: (_ctx, _id, _payload, errors) => format(errors) as unknown as GraphQLError[],
    },
    wss,
  );

  return {
    async close() {
      for (const client of wss.clients) client.terminate();
      try {
        await server.dispose();
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'closing subscriptions');
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await closeLiveEvents();
    },
  };
}

/**
 * A subscription sent as a plain HTTP request cannot stream: it is refused before execution with
 * 400 and a message naming the websocket endpoint, instead of failing as a masked internal error.
 */
export function httpSubscriptionRefusal(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation?.operation !== 'subscription') return;
          const host = request.http?.headers.get('host') ?? 'this server';
          throw new GraphQLError(
            `subscriptions run over graphql-ws: open a websocket to ws://${host}/graphql (wss:// behind TLS) with the graphql-transport-ws protocol`,
            { extensions: { code: 'SUBSCRIPTION_OVER_HTTP', websocket: '/graphql', http: { status: 400 } } },
          );
        },
      };
    },
  };
}
