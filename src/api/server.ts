// Builds the HTTP server (Fastify + Apollo) without listening: production and tests share it.
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { config } from '../config/env.js';
import { checkDatabase, checkRedis } from '../lib/health.js';
import { logger } from '../lib/logger.js';
import { createRedis } from '../lib/redis.js';
import type { Context } from '../schema/context.js';
import { schema } from '../schema/index.js';

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
    disableRequestLogging: config().NODE_ENV !== 'development',
    bodyLimit: 1024 * 1024,
    genReqId: (req) => (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID(),
  });
  const redis = createRedis('producer');

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: config().NODE_ENV !== 'production',
    plugins: [fastifyApolloDrainPlugin(app), ApolloServerPluginCacheControlDisabled()],
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

  await app.register(fastifyApollo(apollo), {
    path: '/graphql',
    context: async (request): Promise<Context> => ({ requestId: request.id, viewer: { role: 'PUBLIC' } }),
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
