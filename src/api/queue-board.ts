// Bull Board at /admin/queues for admins only: the ingest, KPI and maintenance queues with their
// jobs and job schedulers, read through the server's own Redis connection.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { config } from '../config/env.js';
import { Producer } from '../jobs/producer.js';
import { QUEUES, type QueueName } from '../jobs/queues.js';
import { logger } from '../lib/logger.js';
import { refuseUnlessAdmin } from './admin-access.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

export async function registerQueueBoard(app: FastifyInstance, connection: Redis): Promise<void> {
  const producer = new Producer(connection);
  const queues = (Object.keys(QUEUES) as QueueName[]).map((name) => {
    const queue = producer.queue(name);
    // Redis being away is /readyz's business; the board just shows errors until it is back.
    queue.on('error', (err) => logger.debug({ err: err.message, queue: name }, 'queue board: redis error'));
    return new BullMQAdapter(queue);
  });
  const adapter = new FastifyAdapter();
  createBullBoard({ queues, serverAdapter: adapter, options: { uiConfig: { boardTitle: 'Bisma queues' } } });
  // The board's page links its assets and API from this path: the one the browser sees.
  adapter.setBasePath(`${config().BASE_PATH}${QUEUE_BOARD_PATH}`);
  // An encapsulated scope: the admin check guards the board's routes and nothing else.
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      if (await refuseUnlessAdmin(request, reply, 'Bisma queues')) return reply;
    });
    await scope.register(adapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
  });
  app.addHook('onClose', async () => producer.close());
}
