// GraphQL over graphql-ws on the API's own HTTP server, at /graphql (the same path as queries: an
// upgrade request there is a socket client). The client authenticates once, with
// `connectionParams: { authorization: "Bearer <api key>" }` (or the upgrade request's Authorization
// header). Every operation on the socket then passes the same checks as over HTTP, in the same
// order: its key is checked again (a key revoked since is refused), the per-address request count,
// the allow-list, the token limit, GraphQL's validation with the document limits, introspection,
// cost and the cost budget (checkOperation); a query or mutation then runs under the same execution
// deadline (schema/deadline.ts). Sockets are capped in total and per address, and
// operations at once per socket. Events come from Redis pub/sub (services/live), so any API process
// delivers them.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import {
  type DocumentNode,
  type ExecutionArgs,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { useServer as graphqlWsServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { config } from '../config/env.js';
import { AppError } from '../lib/errors.js';
import { logger } from '../lib/logger.js';
import { asDatabaseUnavailable } from '../lib/unavailable.js';
import type { Context, Viewer } from '../schema/context.js';
import { collapseTimeouts, Deadline } from '../schema/deadline.js';
import { closeLiveEvents } from '../services/live/pubsub.js';
import { viewerFromAuthorization } from './auth.js';
import { checkOperation } from './cost.js';
import { formatError } from './errors.js';
import { type ApiLimits, limitRules } from './limits.js';
import { refuseUnlisted } from './persisted-queries.js';
import { type RateLimiter, rateLimitedError } from './rate-limit.js';
import { refreshAfterMutation } from './response-cache.js';

export interface Subscriptions {
  close(): Promise<void>;
}

export interface SocketLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
  maxOperationsPerConnection: number;
}

export function socketLimits(): SocketLimits {
  const cfg = config();
  return {
    maxConnections: cfg.API_WS_MAX_CONNECTIONS,
    maxConnectionsPerAddress: cfg.API_WS_MAX_CONNECTIONS_PER_ADDRESS,
    maxOperationsPerConnection: cfg.API_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
  };
}

interface Extra extends Record<PropertyKey, unknown> {
  viewer?: Viewer;
  /** The Authorization value the client presented, checked again for every operation. */
  authorization?: string;
  address?: string;
}

/** The client's address, as Fastify's `request.ip` would give it for the same request. */
function clientAddress(request: IncomingMessage): string {
  const forwarded = request.headers['x-forwarded-for'];
  if (config().API_TRUST_PROXY && typeof forwarded === 'string' && forwarded.trim() !== '') {
    return forwarded.split(',')[0]!.trim();
  }
  return request.socket.remoteAddress ?? 'unknown';
}

/**
 * The credentials a socket presents: `connectionParams.authorization` (any case), else the upgrade
 * request's Authorization header. Something there that is not a string is a malformed credential,
 * refused like a malformed header, never read as "no key".
 */
function presentedAuthorization(
  params: Readonly<Record<string, unknown>> | undefined,
  request: IncomingMessage,
): { value?: string; malformed: boolean } {
  const entry = Object.entries(params ?? {}).find(([name]) => name.toLowerCase() === 'authorization');
  if (entry) {
    return typeof entry[1] === 'string' ? { value: entry[1], malformed: false } : { malformed: true };
  }
  return { value: request.headers.authorization, malformed: false };
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * GraphQL errors as the socket sends them: formatted as over HTTP, without HTTP's own extensions;
 * a masked one is logged, as errorLoggingPlugin logs it over HTTP.
 */
function formatted(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((error) => {
    const out = formatError(error.toJSON(), error.originalError ?? error);
    if (out.extensions?.code === 'INTERNAL_SERVER_ERROR') {
      logger.error(
        { err: error.originalError ?? error, path: error.path },
        'unexpected error over graphql-ws',
      );
    }
    if (!out.extensions || !('http' in out.extensions)) return out;
    const { http: _http, ...extensions } = out.extensions;
    return { ...out, extensions };
  });
}

function refusalOf(caught: unknown): GraphQLError {
  if (caught instanceof GraphQLError) return caught;
  const err = asDatabaseUnavailable(caught) ?? caught;
  if (err instanceof AppError) return new GraphQLError(err.message, { extensions: { code: err.code } });
  throw caught;
}

export function attachSubscriptions(
  app: FastifyInstance,
  schema: GraphQLSchema,
  pipeline: { limits: ApiLimits; limiter: RateLimiter; sockets?: SocketLimits },
): Subscriptions {
  const { limits, limiter } = pipeline;
  const sockets = pipeline.sockets ?? socketLimits();
  const rules = [...specifiedRules, ...limitRules(limits)];
  const perAddress = new Map<string, number>();
  let open = 0;

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  app.server.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/graphql') {
      socket.destroy();
      return;
    }
    const address = clientAddress(request);
    const mine = perAddress.get(address) ?? 0;
    if (open >= sockets.maxConnections) return refuseUpgrade(socket, 503, 'Service Unavailable');
    if (mine >= sockets.maxConnectionsPerAddress) return refuseUpgrade(socket, 429, 'Too Many Requests');
    open += 1;
    perAddress.set(address, mine + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      open -= 1;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    };
    socket.once('close', release);
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.once('close', release);
      wss.emit('connection', ws, request);
    });
  });

  /** Runs every check on one operation: its execution arguments, or the refusal to send. */
  async function admit(
    extra: Partial<Extra>,
    operationsOpen: number,
    payload: SubscribePayload,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> {
    try {
      if (operationsOpen > sockets.maxOperationsPerConnection) {
        throw new GraphQLError(
          `this connection already runs ${sockets.maxOperationsPerConnection} operations: complete one first`,
          { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: sockets.maxOperationsPerConnection } },
        );
      }
      const address = extra.address ?? 'unknown';
      const viewer = await viewerFromAuthorization(extra.authorization);
      const counted = await limiter.countRequest(address);
      if (counted.refused) throw rateLimitedError(counted.budget);
      const unlisted = refuseUnlisted({ query: payload.query, extensions: payload.extensions });
      if (unlisted) throw new GraphQLError(unlisted.message, { extensions: unlisted.extensions });
      let document: DocumentNode;
      try {
        document = parse(payload.query, { maxTokens: limits.maxTokens });
      } catch (err) {
        return [err as GraphQLError];
      }
      const invalid = validate(schema, document, rules);
      if (invalid.length > 0) return invalid;
      const operationName = payload.operationName ?? undefined;
      const operation = getOperationAST(document, operationName);
      if (!operation) {
        throw new GraphQLError('the document names no operation to run', {
          extensions: { code: 'BAD_REQUEST' },
        });
      }
      const variables = payload.variables ?? undefined;
      const checked = await checkOperation(
        { schema, document, operation, variables },
        { viewer, address },
        limits,
        limiter,
      );
      const contextValue: Context = { requestId: `ws-${randomUUID()}`, viewer, address };
      if (checked.shapeChecked) contextValue.shapeChecked = true;
      // The same execution deadline as over HTTP; a subscription's events have none.
      if (operation.operation !== 'subscription') contextValue.deadline = new Deadline(limits.queryTimeoutMs);
      return { schema, document: checked.document, operationName, variableValues: variables, contextValue };
    } catch (caught) {
      return [refusalOf(caught)];
    }
  }

  const server = graphqlWsServer<Record<string, unknown>, Extra>(
    {
      schema,
      // A bad key refuses the connection (4403), as a bad Authorization header refuses a request.
      onConnect: async (ctx) => {
        const presented = presentedAuthorization(ctx.connectionParams, ctx.extra.request);
        if (presented.malformed) return false;
        try {
          ctx.extra.viewer = await viewerFromAuthorization(presented.value);
        } catch {
          return false;
        }
        ctx.extra.authorization = presented.value;
        ctx.extra.address = clientAddress(ctx.extra.request);
        return true;
      },
      onSubscribe: (ctx, _id, payload) => admit(ctx.extra, Object.keys(ctx.subscriptions).length, payload),
      onOperation: (_ctx, _id, _payload, args) => {
        (args.contextValue as Context | undefined)?.deadline?.end();
      },
      onNext: async (_ctx, _id, _payload, args, result) => {
        // As over HTTP: this process's reads after a mutation see the version it committed.
        await refreshAfterMutation(getOperationAST(args.document, args.operationName));
        return result.errors
          ? { ...result, errors: collapseTimeouts(formatted(result.errors)) as unknown as GraphQLError[] }
          : result;
      },
      onError: (_ctx, _id, _payload, errors) => formatted(errors) as unknown as GraphQLError[],
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
  // Keeps no state per request: one listener serves them all.
  const listener: GraphQLRequestListener<Context> = {
    async didResolveOperation({ operation, request }) {
      if (operation?.operation !== 'subscription') return;
      const host = request.http?.headers.get('host') ?? 'this server';
      throw new GraphQLError(
        `subscriptions run over graphql-ws: open a websocket to ws://${host}/graphql (wss:// behind TLS) with the graphql-transport-ws protocol`,
        { extensions: { code: 'SUBSCRIPTION_OVER_HTTP', websocket: '/graphql', http: { status: 400 } } },
      );
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
