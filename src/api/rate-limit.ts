// Rate limits, kept in Redis so every API process shares them: requests per client address (any
// caller, counted before anything is parsed), and a cost budget per API key, or per address for
// the public, charged each operation's computed cost (src/api/cost.ts). While Redis is down each
// process falls back to its own in-memory counters rather than refusing or hanging.
import { HeaderMap } from '@apollo/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { config } from '../config/env.js';
import { logger } from '../lib/logger.js';
import { viewerForRequest } from './auth.js';
import type { RateLimitSettings } from './limits.js';
import { CACHE_HEADER } from './response-cache.js';

/** A caller's budget after a request, as the x-ratelimit-* headers and the `rateLimit` field show it. */
export interface Budget {
  /** Whose budget: the API key's, or the client address's (the public). */
  scope: 'key' | 'address';
  /** What this request was charged. */
  cost: number;
  /** The budget per window. */
  limit: number;
  remaining: number;
  /** When the window ends and the budget is whole again. */
  resetAt: string;
  windowSeconds: number;
}

export interface Charge {
  refused: boolean;
  /** Absent when that limit is off. */
  budget?: Budget;
}

export interface Caller {
  keyId?: number;
  address: string;
}

function retryAfterSeconds(budget: Budget): number {
  return Math.max(1, Math.ceil((Date.parse(budget.resetAt) - Date.now()) / 1000));
}

/** The RATE_LIMITED error of a refused operation: HTTP 429 with Retry-After. */
export function rateLimitedError(budget: Budget | undefined): GraphQLError {
  const seconds = budget ? retryAfterSeconds(budget) : 1;
  return new GraphQLError(
    `rate limit exceeded for this ${budget?.scope ?? 'caller'}: retry after ${seconds} s`,
    {
      extensions: {
        code: 'RATE_LIMITED',
        scope: budget?.scope,
        retryAfterSeconds: seconds,
        http: { status: 429, headers: new HeaderMap([['retry-after', String(seconds)]]) },
      },
    },
  );
}

export function setRateLimitHeaders(headers: Map<string, string>, budget: Budget): void {
  headers.set('x-ratelimit-limit', String(budget.limit));
  headers.set('x-ratelimit-remaining', String(budget.remaining));
  headers.set('x-ratelimit-reset', String(Math.ceil(Date.parse(budget.resetAt) / 1000)));
}

export class RateLimiter {
  private readonly requests?: RateLimiterRedis;
  private readonly publicBudget?: RateLimiterRedis;
  private readonly keyBudget?: RateLimiterRedis;

  constructor(
    redis: Redis,
    private readonly settings: RateLimitSettings,
  ) {
    const make = (name: string, points: number) => {
      if (points <= 0) return undefined;
      const duration = settings.windowSeconds;
      return new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config().REDIS_PREFIX}:ratelimit:${name}`,
        points,
        duration,
        // A dead Redis answers at once from the in-memory fallback instead of queueing commands.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration }),
      });
    };
    this.requests = make('requests', settings.addressRequests);
    this.publicBudget = make('public', settings.publicPoints);
    this.keyBudget = make('key', settings.keyPoints);
  }

  /** Whether requests per client address are limited (countRequest has anything to count). */
  get countsRequests(): boolean {
    return this.requests !== undefined;
  }

  /** Whether a cost budget applies to a caller of this kind (charge has anything to charge). */
  chargesCaller(caller: Caller): boolean {
    return (caller.keyId === undefined ? this.publicBudget : this.keyBudget) !== undefined;
  }

  /** Counts one request from a client address. */
  countRequest(address: string): Promise<Charge> {
    return this.consume(this.requests, 'address', address, 1);
  }

  /** Charges an operation's cost to the caller's budget: its key's, else its address's. */
  charge(caller: Caller, cost: number): Promise<Charge> {
    return caller.keyId === undefined
      ? this.consume(this.publicBudget, 'address', caller.address, cost)
      : this.consume(this.keyBudget, 'key', String(caller.keyId), cost);
  }

  private async consume(
    limiter: RateLimiterRedis | undefined,
    scope: Budget['scope'],
    key: string,
    points: number,
  ): Promise<Charge> {
    if (!limiter) return { refused: false };
    const budget = (res: RateLimiterRes): Budget => ({
      scope,
      cost: points,
      limit: limiter.points,
      remaining: Math.max(0, res.remainingPoints),
      resetAt: new Date(Date.now() + res.msBeforeNext).toISOString(),
      windowSeconds: this.settings.windowSeconds,
    });
    try {
      return { refused: false, budget: budget(await limiter.consume(key, points)) };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { refused: true, budget: budget(rejection) };
      // Both Redis and the fallback failed: serve rather than refuse everyone.
      logger.warn({ err: (rejection as Error).message }, 'rate limiter unavailable; request allowed');
      return { refused: false };
    }
  }
}

function refusalBody(error: GraphQLError): string {
  const { http: _http, ...extensions } = error.extensions;
  return JSON.stringify({ errors: [{ message: error.message, extensions }] });
}

/**
 * The HTTP side of the limits on `/graphql`: the per-address request count before anything else,
 * and the budget of answers served from the response cache (Apollo never sees those), charged the
 * cost recorded in the answer.
 */
export function registerRateLimit(app: FastifyInstance, limiter: RateLimiter): void {
  const countRequest = async (request: FastifyRequest, reply: FastifyReply) => {
    const counted = await limiter.countRequest(request.ip);
    if (!counted.refused) return;
    const error = rateLimitedError(counted.budget);
    return reply
      .code(429)
      .header('retry-after', String(error.extensions.retryAfterSeconds))
      .type('application/json; charset=utf-8')
      .send(refusalBody(error));
  };
  // Both hooks are synchronous when they have nothing to do (other routes, the count off, an
  // answer Apollo executed), and return the promise of their work otherwise, which Fastify awaits.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.url !== '/graphql' || !limiter.countsRequests) return done();
    return countRequest(request, reply);
  });

  const chargeHit = async (request: FastifyRequest, reply: FastifyReply, payload: string) => {
    const answer = JSON.parse(payload) as { extensions?: { cost?: { requested?: number } } };
    const viewer = await viewerForRequest(request);
    const charged = await limiter.charge(
      { keyId: viewer.keyId, address: request.ip },
      answer.extensions?.cost?.requested ?? 1,
    );
    if (charged.refused) {
      const error = rateLimitedError(charged.budget);
      // The hit said public: a refusal must not be kept in its place.
      reply
        .code(429)
        .header('retry-after', String(error.extensions.retryAfterSeconds))
        .header('cache-control', 'no-store');
      return refusalBody(error);
    }
    if (!charged.budget) return payload;
    const headers = new Map<string, string>();
    setRateLimitHeaders(headers, charged.budget);
    for (const [name, value] of headers) reply.header(name, value);
    return payload;
  };
  // Registered after the response cache's own onSend, so the stored answer is the one Apollo made.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.getHeader(CACHE_HEADER) !== 'HIT' || typeof payload !== 'string') return done(null, payload);
    return chargeHit(request, reply, payload);
  });
}
