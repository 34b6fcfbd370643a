// Live events between processes through Redis pub/sub: whoever changes something (a recompute, an
// ingest run, an export job) publishes a JSON message on a channel; every API process holds one
// subscriber connection and hands each message to its local listeners (GraphQL subscriptions).
import type { Redis } from 'ioredis';
import { config } from '../../config/env.js';
import { logger } from '../../lib/logger.js';
import { createRedis } from '../../lib/redis.js';

type Listener = (message: unknown) => void;

/** A Redis subscriber shared by every local listener; channels are subscribed while listened to. */
export class LiveEvents {
  private readonly redis: Redis;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor() {
    // A subscriber waits for Redis to come back rather than failing its listeners.
    this.redis = createRedis('worker');
    this.redis.on('message', (channel: string, text: string) => {
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        logger.warn({ channel }, 'ignored a live event that is not JSON');
        return;
      }
      for (const listener of this.listeners.get(channel) ?? []) listener(message);
    });
  }

  /** Calls `listener` with every message on `channel` until the returned function is called. */
  async listen(channel: string, listener: Listener): Promise<() => Promise<void>> {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.redis.subscribe(channel);
    }
    set.add(listener);
    return async () => {
      const current = this.listeners.get(channel);
      if (!current?.delete(listener) || current.size > 0) return;
      this.listeners.delete(channel);
      await this.redis.unsubscribe(channel).catch(() => undefined);
    };
  }

  /**
   * The messages of `channel` (or of several) that pass `accept`, as an async iterator (what a
   * GraphQL subscription returns). Messages arriving faster than they are read wait in order.
   */
  iterate<T>(
    channel: string | string[],
    accept: (message: T) => boolean = () => true,
  ): AsyncIterableIterator<T> {
    const queue: T[] = [];
    const waiting: Array<(result: IteratorResult<T>) => void> = [];
    let done = false;
    const deliver = (message: unknown) => {
      if (done || !accept(message as T)) return;
      const next = waiting.shift();
      if (next) next({ value: message as T, done: false });
      else queue.push(message as T);
    };
    const stop = Promise.all(
      (Array.isArray(channel) ? channel : [channel]).map((c) => this.listen(c, deliver)),
    ).then((stops) => async () => {
      await Promise.all(stops.map((s) => s()));
    });
    const finish = async (): Promise<IteratorResult<T>> => {
      done = true;
      for (const next of waiting.splice(0)) next({ value: undefined, done: true });
      await (await stop)();
      return { value: undefined, done: true };
    };
    return {
      async next() {
        // Subscribed before the first read, so an event right after the subscription is not lost.
        await stop;
        if (queue.length > 0) return { value: queue.shift()!, done: false };
        if (done) return { value: undefined, done: true };
        return new Promise((resolve) => waiting.push(resolve));
      },
      return: finish,
      throw: async (err) => {
        await finish();
        throw err;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

let shared: LiveEvents | undefined;

/** The process's subscriber (opened on first use). */
export function liveEvents(): LiveEvents {
  shared ??= new LiveEvents();
  return shared;
}

export async function closeLiveEvents(): Promise<void> {
  const closing = shared;
  shared = undefined;
  await closing?.close();
}

/**
 * Publishes one event. Events are notifications, not data: a failure is logged and the caller
 * carries on (readers can always query the current state). Events are rare (one per committed
 * batch or publication), so each opens its own short connection and nothing lingers.
 */
export async function publishLive(channel: string, message: unknown): Promise<void> {
  // Gives up at the first failed connection: an ingest batch never waits on a Redis that is down.
  const redis = createRedis('producer', { connectTimeout: 1_000, maxRetriesPerRequest: 0 });
  try {
    await redis.publish(channel, JSON.stringify(message));
  } catch (err) {
    logger.warn({ err: (err as Error).message, channel }, 'could not publish a live event');
  } finally {
    redis.disconnect();
  }
}

export function ingestProgressChannel(): string {
  return `${config().REDIS_PREFIX}:ingest:run-progress`;
}

export function kpiExportChannel(): string {
  return `${config().REDIS_PREFIX}:kpi:export`;
}

/**
 * A KPI revision changed state without a publication (held, rejected, rolled back…): `{ version }`.
 * Publications go to kpiRefreshedChannel(), which carries the version too.
 */
export function kpiRevisionChannel(): string {
  return `${config().REDIS_PREFIX}:kpi:revision`;
}
