// Builds the HTTP server (Fastify + Apollo) without listening: production and tests share it.
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import { config } from '../config/env.js';
import { AppError } from '../lib/errors.js';
import { checkDatabase, checkRedis } from '../lib/health.js';
import { logger } from '../lib/logger.js';
import { createRedis, whenReady } from '../lib/redis.js';
import { asDatabaseUnavailable } from '../lib/unavailable.js';
import type { Context } from '../schema/context.js';
import { schema } from '../schema/index.js';
import { viewerForRequest } from './auth.js';
import { withoutBasePath } from './base-path.js';
import { costPlugin } from './cost.js';
import { dashboardPlugin } from './dashboard.js';
import { databaseUnavailablePlugin, errorLoggingPlugin, formatError, refusalExtensions } from './errors.js';
import { explorerLandingPage, registerExplorer } from './explorer.js';
import { httpCachePlugin } from './http-cache.js';
import { kpiExportRoutes } from './kpi-exports.js';
import {
  type ApiLimitOverrides,
  apiLimits,
  documentStore,
  limitRules,
  queryTimeoutPlugin,
  refuseMissingHost,
  registerRequestErrors,
} from './limits.js';
import { graphqlMetricsPlugin, registerMetrics } from './metrics.js';
import { persistedQueries } from './persisted-queries.js';
import { registerQueueBoard } from './queue-board.js';
import { RateLimiter, registerRateLimit } from './rate-limit.js';
import { registerRequestLog } from './request-log.js';
import { readYourWritesPlugin, registerResponseCache } from './response-cache.js';
import { attachSubscriptions, httpSubscriptionRefusal, type SocketLimits } from './subscriptions.js';
import { warmUpPlugin, warmUpState } from './warm-up.js';

export interface BismaServer {
  app: FastifyInstance;
  apollo: ApolloServer<Context>;
  redis: Redis;
  /** Stops accepting requests, drains in-flight ones and closes the server's connections. */
  close(): Promise<void>;
}

/** `limits` overrides the configured API limits (docs/security.md), e.g. a tight one in a test. */
export async function buildServer(
  options: { limits?: ApiLimitOverrides; sockets?: SocketLimits } = {},
): Promise<BismaServer> {
  const limits = apiLimits(options.limits);
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    // One access line per request comes from request-log.ts instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.bodyLimitBytes,
    trustProxy: config().API_TRUST_PROXY,
    rewriteUrl: (req) => withoutBasePath(req.url ?? '/', config().BASE_PATH),
    genReqId: (req) => (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID(),
  });
  registerRequestLog(app);
  refuseMissingHost(app);
  registerMetrics(app);
  // Clients can quote it when reporting a masked INTERNAL_SERVER_ERROR; the log line carries it too.
  // Synchronous hooks where nothing is awaited: an async hook costs every request a promise.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  // No offline queue: while Redis is down its commands fail at once, and the response cache and
  // rate limits fall back (reads go to PostgreSQL) instead of waiting for a reconnect.
  const redis = createRedis('producer', { enableOfflineQueue: false });
  const persisted = persistedQueries(redis);
  // Before any other hook: in allow-list mode unregistered operations are refused, otherwise APQ
  // registrations are bounded (persisted-queries.ts).
  if (persisted.guard) app.addHook('preHandler', persisted.guard);
  await whenReady(redis, 2_000);
  const limiter = new RateLimiter(redis, limits.rateLimit);
  const warmUp = warmUpState(redis);
  registerRequestErrors(app);

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    maxRecursiveSelections: true,
    validationRules: limitRules(limits),
    parseOptions: { maxTokens: limits.maxTokens },
    documentStore: documentStore(),
    formatError,
    // Compact JSON: Apollo's default pretty-prints every answer (more bytes, more CPU).
    stringifyResult: (result) => JSON.stringify(result),
    // main.ts owns the signals: Apollo's own handler re-raises SIGTERM after stopping (exit 143).
    stopOnTerminationSignals: false,
    persistedQueries: persisted.options,
    plugins: [
      fastifyApolloDrainPlugin(app),
      ApolloServerPluginCacheControlDisabled(),
      errorLoggingPlugin(),
      costPlugin(limits, limiter),
      queryTimeoutPlugin(limits.queryTimeoutMs),
      graphqlMetricsPlugin(),
      databaseUnavailablePlugin(),
      explorerLandingPage(),
      warmUpPlugin(warmUp),
      httpCachePlugin(warmUp),
      httpSubscriptionRefusal(),
      readYourWritesPlugin(),
    ],
  });
  await apollo.start();

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await Promise.all([checkDatabase(), checkRedis(redis)]);
      return { status: 'ready', warmingUp: await warmUp.active() };
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'UNAVAILABLE';
      return reply.code(503).send({ status: 'unavailable', code, error: (err as Error).message });
    }
  });
  await registerExplorer(app);
  await app.register(dashboardPlugin);
  await app.register(kpiExportRoutes);
  await registerQueueBoard(app, redis);
  registerResponseCache(app, redis);
  registerRateLimit(app, limiter);

  await app.register(fastifyApollo(apollo), {
    path: '/graphql',
    context: async (request): Promise<Context> => {
      try {
        return {
          requestId: request.id,
          address: request.ip,
          viewer: await viewerForRequest(request),
        };
      } catch (caught) {
        // Checking an API key needs PostgreSQL: while it is down that is a 503, not a crash.
        const err = asDatabaseUnavailable(caught) ?? caught;
        if (err instanceof AppError) {
          throw new GraphQLError(err.message, { extensions: refusalExtensions(err) });
        }
        throw err;
      }
    },
  });

  const subscriptions = attachSubscriptions(app, schema, { limits, limiter, sockets: options.sockets });

  return {
    app,
    apollo,
    redis,
    async close() {
      await subscriptions.close();
      await app.close();
      await warmUp.close();
      redis.disconnect();
    },
  };
}
