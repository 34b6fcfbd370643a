// Waiting for a dependency without flooding the log: one line when it is first missing, then one
// line per interval while it stays away, and one when it is back.
import { Redis } from 'ioredis';
import { config } from '../config/env.js';
import { redactUrl } from './boot.js';
import { logger } from './logger.js';

/** Says whether a line about `key` may be logged now: at most once per `intervalMs` per key. */
export function oncePer(intervalMs: number): (key: string) => boolean {
  const last = new Map<string, number>();
  return (key) => {
    const now = Date.now();
    const previous = last.get(key);
    if (previous !== undefined && now - previous < intervalMs) return false;
    last.set(key, now);
    return true;
  };
}

/** One connection attempt and a PING; the error message when Redis does not answer. */
export async function redisProblem(url = config().REDIS_URL, timeoutMs = 2_000): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The socket's error says why (ECONNREFUSED, ENOTFOUND…); connect() only says the connection closed.
  let cause: string | undefined;
  client.on('error', (err: Error) => {
    cause ??= err.message;
  });
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (err) {
    return cause ?? ((err as Error).message || String(err));
  } finally {
    client.disconnect();
  }
}

/** A one-line description of Redis being unreachable, for messages. */
export function redisUnreachable(problem: string): string {
  return `cannot reach Redis at ${redactUrl(config().REDIS_URL)} (REDIS_URL): ${problem}`;
}

/**
 * Resolves once Redis answers. While it does not: one error line at once, then one line every
 * `logEveryMs`, retrying every `retryMs`.
 */
export async function waitForRedis(
  name: string,
  { retryMs = 2_000, logEveryMs = 30_000 }: { retryMs?: number; logEveryMs?: number } = {},
): Promise<void> {
  const mayLog = oncePer(logEveryMs);
  let missing = false;
  for (;;) {
    const problem = await redisProblem();
    if (!problem) {
      if (missing) logger.info(`${name}: Redis answers again; starting`);
      return;
    }
    if (mayLog('redis')) {
      logger.error(
        `${name} waiting: ${redisUnreachable(problem)}; retrying every ${retryMs / 1000} s (logged every ${logEveryMs / 1000} s)`,
      );
    }
    missing = true;
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}
