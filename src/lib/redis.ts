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
