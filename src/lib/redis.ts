// Redis connections. BullMQ workers need `maxRetriesPerRequest: null` (they wait for Redis);
// producers and caches give up after one retry, so an API request never hangs on a dead Redis.
import { Redis, type RedisOptions } from 'ioredis';
import { config } from '../config/env.js';
import { logger } from './logger.js';

export type RedisRole = 'worker' | 'producer';

export function createRedis(role: RedisRole, extra: RedisOptions = {}): Redis {
  const client = new Redis(config().REDIS_URL, {
    ...(role === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, connectTimeout: 2_000 }),
    ...extra,
  });
  client.on('error', (err) => logger.debug({ err: err.message, role }, 'redis connection error'));
  return client;
}

/**
 * Resolves once `client` is connected, or after `timeoutMs` (never rejects): for connections
 * without an offline queue, whose commands fail until then.
 */
export async function whenReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
  });
}
