// Removes every Redis key of this test file's prefix.
import { Redis } from 'ioredis';

export async function flushTestPrefix(): Promise<void> {
  const prefix = process.env.REDIS_PREFIX!;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
