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
import { createRedis } from '../lib/redis.js';
import type { Context } from '../schema/context.js';
import { schema } from '../schema/index.js';
import { viewerFromAuthorization } from './auth.js';
import { dashboardPlugin } from './dashboard.js';
import { errorLoggingPlugin, formatError } from './errors.js';
import { explorerLandingPage, registerExplorer } from './explorer.js';

export interface BismaServer {
  app: FastifyInstance;
  apollo: ApolloServer<Context>;
  redis: Redis;
  /** Stops accepting requests, drains in-flight ones and closes the server's connections. */
  close(): Promise<void>;
}

export async function buildServer(): Promise<BismaServer> {
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: config().NODE_ENV !== 'development' }),
    bodyLimit: 1024 * 1024,
    genReqId: (req) => (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID(),
  });
  // Clients can quote it when reporting a masked INTERNAL_SERVER_ERROR; the log line carries it too.
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const redis = createRedis('producer');

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    maxRecursiveSelections: true,
    formatError,
    plugins: [
      fastifyApolloDrainPlugin(app),
      ApolloServerPluginCacheControlDisabled(),
      errorLoggingPlugin(),
      explorerLandingPage(),
    ],
  });
  await apollo.start();

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await Promise.all([checkDatabase(), checkRedis(redis)]);
      return { status: 'ready' };
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', error: (err as Error).message });
    }
  });
  await registerExplorer(app);
  await app.register(dashboardPlugin);

  await app.register(fastifyApollo(apollo), {
    path: '/graphql',
    context: async (request): Promise<Context> => {
      try {
        return {
          requestId: request.id,
          viewer: await viewerFromAuthorization(request.headers.authorization),
        };
      } catch (err) {
        if (err instanceof AppError) {
          throw new GraphQLError(err.message, {
            extensions: { code: err.code, http: { status: err.code === 'UNAUTHENTICATED' ? 401 : 400 } },
          });
        }
        throw err;
      }
    },
  });

  return {
    app,
    apollo,
    redis,
    async close() {
      await app.close();
      redis.disconnect();
    },
  };
}
