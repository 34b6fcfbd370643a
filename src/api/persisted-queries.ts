// Persisted queries. By default automatic persisted queries (APQ): a client may send only the
// SHA-256 of a query it sent before, and every API process finds it in one Redis cache. With
// GRAPHQL_ALLOWLIST=true only the operations of a manifest (schema/operations.json, generated
// from the dashboard's queries) run; anything else is refused before it is parsed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PersistedQueryOptions } from '@apollo/server';
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type DocumentNode, Kind, parse } from 'graphql';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { config } from '../config/env.js';
import { ConfigError } from '../lib/errors.js';
import { logger } from '../lib/logger.js';

export const DEFAULT_MANIFEST = fileURLToPath(new URL('../../schema/operations.json', import.meta.url));

/** Error codes of a refused operation (those of Apollo Router's safelisting, so clients know them). */
export const NOT_IN_LIST = 'PERSISTED_QUERY_NOT_IN_LIST';
export const NOT_IN_SAFELIST = 'QUERY_NOT_IN_SAFELIST';

/** An operation's id: the SHA-256 (hex) of its exact text, as APQ clients compute it. */
export function operationId(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

export interface QueryStoreBounds {
  /** Entries kept in total: past it the least recently used are evicted. */
  maxEntries: number;
}

/**
 * The APQ cache in Redis, shared by every API process; a Redis outage only disables APQ. The Redis
 * holding the queues must not evict (BullMQ needs `maxmemory-policy noeviction`), so this store
 * bounds itself: a sorted set indexes its keys by last use, and a registration past `maxEntries`
 * evicts the least recently used. With the size limit on each text (registrationGuard) its memory
 * is at most maxEntries × GRAPHQL_APQ_MAX_BYTES.
 */
export class RedisQueryCache implements KeyValueCache<string> {
  private readonly index: string;
  /** A shared counter orders uses: two in the same millisecond (or from two processes) still rank. */
  private readonly clock: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly bounds: QueryStoreBounds = { maxEntries: Number.POSITIVE_INFINITY },
  ) {
    this.index = `${prefix}apq-index`;
    this.clock = `${prefix}apq-clock`;
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const found = (await this.redis.get(this.prefix + key)) ?? undefined;
      // Recently used entries are the last evicted.
      if (found !== undefined)
        await this.redis.zadd(this.index, 'XX', await this.redis.incr(this.clock), key);
      return found;
    } catch (err) {
      // The client is told PersistedQueryNotFound and sends the full query: slower, not broken.
      logger.warn({ err: (err as Error).message }, 'persisted query cache unavailable');
      return undefined;
    }
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const tick = await this.redis.incr(this.clock);
    const write = this.redis.multi();
    if (options?.ttl) write.set(this.prefix + key, value, 'EX', options.ttl);
    else write.set(this.prefix + key, value);
    write.zadd(this.index, tick, key);
    write.zcard(this.index);
    const results = await write.exec();
    const size = Number(results?.[2]?.[1] ?? 0);
    if (size <= this.bounds.maxEntries) return;
    const evicted = (await this.redis.zpopmin(this.index, size - this.bounds.maxEntries)).filter(
      (_, i) => i % 2 === 0,
    );
    if (evicted.length > 0) await this.redis.del(...evicted.map((k) => this.prefix + k));
  }

  async delete(key: string): Promise<boolean> {
    await this.redis.zrem(this.index, key);
    return (await this.redis.del(this.prefix + key)) > 0;
  }
}

/** What registerable persisted queries may be: their size, and how many one address registers. */
export interface RegistrationLimits {
  maxBytes: number;
  /** Per address per window (0: no limit). */
  perAddress: number;
  windowSeconds: number;
}

/**
 * Bounds APQ registrations before Apollo sees them: a request that registers a query (its text with
 * a matching hash) whose text is over `maxBytes`, or from an address past its registrations for the
 * window, is executed as a plain request, without being stored. A hash that does not match its text
 * is left for Apollo to refuse.
 */
function registrationGuard(redis: Redis, limits: RegistrationLimits, path: string) {
  const counter =
    limits.perAddress > 0
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${config().REDIS_PREFIX}:apq-registrations`,
          points: limits.perAddress,
          duration: limits.windowSeconds,
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory({
            points: limits.perAddress,
            duration: limits.windowSeconds,
          }),
        })
      : undefined;
  /** Whether this registration is refused (too long, or the address is past its count). */
  const refuses = async (query: string, address: string): Promise<boolean> => {
    if (Buffer.byteLength(query, 'utf8') > limits.maxBytes) return true;
    if (!counter) return false;
    try {
      await counter.consume(address, 1);
      return false;
    } catch (rejection) {
      return rejection instanceof RateLimiterRes;
    }
  };
  const registers = (query: unknown, extensions: unknown): extensions is Record<string, unknown> => {
    const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | null | undefined)
      ?.persistedQuery?.sha256Hash;
    return typeof query === 'string' && typeof hash === 'string' && hash === operationId(query);
  };
  return async (request: FastifyRequest) => {
    if (request.routeOptions.url !== path) return;
    if (request.method === 'POST') {
      const body = request.body as { query?: unknown; extensions?: unknown } | null;
      if (!body || typeof body !== 'object' || !registers(body.query, body.extensions)) return;
      if (!(await refuses(body.query as string, request.ip))) return;
      const { persistedQuery: _dropped, ...rest } = body.extensions as Record<string, unknown>;
      body.extensions = rest;
    } else if (request.method === 'GET') {
      // Apollo reads a GET's parameters from the URL itself, so the URL is what changes.
      const [pathname, search = ''] = request.raw.url?.split('?', 2) ?? [];
      const params = new URLSearchParams(search);
      let extensions: unknown;
      try {
        extensions = JSON.parse(params.get('extensions') ?? 'null');
      } catch {
        return;
      }
      const query = params.get('query');
      if (!registers(query, extensions) || !(await refuses(query as string, request.ip))) return;
      const { persistedQuery: _dropped, ...rest } = extensions;
      params.set('extensions', JSON.stringify(rest));
      request.raw.url = `${pathname}?${params}`;
    } else return;
    request.log.debug('persisted query executed without registering it');
  };
}

// Apollo's persisted query manifest format, so its tooling can produce or read ours.
const manifestSchema = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex'),
      name: z.string().min(1),
      type: z.enum(['query', 'mutation', 'subscription']),
      body: z.string().min(1),
    }),
  ),
});

export type OperationManifest = z.infer<typeof manifestSchema>;

/** Builds a manifest from operation texts (each one named operation). */
export function buildManifest(bodies: string[]): OperationManifest {
  const operations = bodies.map((body) => {
    const document: DocumentNode = parse(body);
    const definitions = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const op = definitions[0];
    if (definitions.length !== 1 || !op?.name) {
      throw new Error(`a persisted operation must hold one named operation:\n${body}`);
    }
    return { id: operationId(body), name: op.name.value, type: op.operation, body };
  });
  operations.sort((a, b) => a.name.localeCompare(b.name));
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

/** Reads and checks a manifest: each id must be its body's SHA-256. */
export function loadManifest(path: string): Map<string, string> {
  let parsed: OperationManifest;
  try {
    parsed = manifestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new ConfigError(
      `GRAPHQL_ALLOWLIST_MANIFEST ${path} is not a usable manifest: ${(err as Error).message}`,
      ['GRAPHQL_ALLOWLIST_MANIFEST'],
    );
  }
  const bodies = new Map<string, string>();
  for (const op of parsed.operations) {
    if (operationId(op.body) !== op.id) {
      throw new ConfigError(
        `manifest ${path}: operation ${op.name} has an id that is not its body's SHA-256`,
        ['GRAPHQL_ALLOWLIST_MANIFEST'],
      );
    }
    bodies.set(op.id, op.body);
  }
  return bodies;
}

/** In allow-list mode the manifest is the only store: a hash-only request finds its text there. */
class ManifestQueryCache implements KeyValueCache<string> {
  constructor(private readonly bodies: Map<string, string>) {}

  async get(key: string): Promise<string | undefined> {
    // Apollo prefixes the hash ("apq:<hash>").
    return this.bodies.get(key.slice(key.lastIndexOf(':') + 1));
  }

  async set(): Promise<void> {}

  async delete(): Promise<boolean> {
    return false;
  }
}

export interface GraphQLParams {
  query?: unknown;
  extensions?: unknown;
}

/** The operation id a request names: its hash if it sends one, else the hash of its text. */
function requestedId(params: GraphQLParams): { id: string; byHash: boolean } | undefined {
  if (typeof params.query === 'string' && params.query !== '') {
    return { id: operationId(params.query), byHash: false };
  }
  let extensions = params.extensions;
  if (typeof extensions === 'string') {
    try {
      extensions = JSON.parse(extensions);
    } catch {
      // Neither text nor a readable hash: Apollo answers that request with its own error.
      return undefined;
    }
  }
  const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery
    ?.sha256Hash;
  return typeof hash === 'string' ? { id: hash, byHash: true } : undefined;
}

export interface Refusal {
  message: string;
  extensions: { code: string; operationId: string };
}

/** Why the allow-list refuses these request parameters, or null when it runs them. */
export function refusal(bodies: Map<string, string>, params: GraphQLParams): Refusal | null {
  const requested = requestedId(params);
  if (!requested || bodies.has(requested.id)) return null;
  return {
    message: requested.byHash
      ? `the persisted operation ${requested.id} is not registered: this server runs only the operations of its allow-list`
      : 'this operation is not registered: this server runs only the operations of its allow-list',
    extensions: { code: requested.byHash ? NOT_IN_LIST : NOT_IN_SAFELIST, operationId: requested.id },
  };
}

let configured: Map<string, string> | null | undefined;

/** The configured allow-list (read once), or null when GRAPHQL_ALLOWLIST is off. */
export function allowList(): Map<string, string> | null {
  if (configured === undefined) {
    const cfg = config();
    configured = cfg.GRAPHQL_ALLOWLIST
      ? loadManifest(cfg.GRAPHQL_ALLOWLIST_MANIFEST ?? DEFAULT_MANIFEST)
      : null;
  }
  return configured;
}

/**
 * For other transports (e.g. graphql-ws's onSubscribe): the refusal of an operation under the
 * configured allow-list, or null when it may run (or no allow-list is configured).
 */
export function refuseUnlisted(params: GraphQLParams): Refusal | null {
  const bodies = allowList();
  return bodies ? refusal(bodies, params) : null;
}

/** Refuses, before Apollo parses anything, every operation the manifest does not hold. */
function allowListGuard(bodies: Map<string, string>, path: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.routeOptions.url !== path || (request.method !== 'GET' && request.method !== 'POST')) return;
    const params = (request.method === 'GET' ? request.query : request.body) as GraphQLParams | null;
    // Anything else (no operation, a batch) is left to Apollo, which refuses it with its own error.
    if (!params || typeof params !== 'object' || Array.isArray(params)) return;
    const refused = refusal(bodies, params);
    if (!refused) return;
    return reply
      .code(400)
      .type('application/json; charset=utf-8')
      .send({ errors: [refused] });
  };
}

export interface PersistedQuerySetup {
  /** Apollo's `persistedQueries` option. */
  options: PersistedQueryOptions;
  /** A Fastify preHandler hook: the allow-list, or the bounds on APQ registrations. */
  guard?: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** How this process serves persisted queries, from the configuration. */
export function persistedQueries(redis: Redis, path = '/graphql'): PersistedQuerySetup {
  const cfg = config();
  if (!cfg.GRAPHQL_ALLOWLIST) {
    return {
      options: {
        cache: new RedisQueryCache(redis, `${cfg.REDIS_PREFIX}:`, {
          maxEntries: cfg.GRAPHQL_APQ_MAX_ENTRIES,
        }),
        ttl: cfg.GRAPHQL_APQ_TTL_S || null,
      },
      guard: registrationGuard(
        redis,
        {
          maxBytes: cfg.GRAPHQL_APQ_MAX_BYTES,
          perAddress: cfg.GRAPHQL_APQ_ADDRESS_REGISTRATIONS,
          windowSeconds: cfg.RATE_LIMIT_WINDOW_S,
        },
        path,
      ),
    };
  }
  const bodies = allowList()!;
  logger.info(
    { manifest: cfg.GRAPHQL_ALLOWLIST_MANIFEST ?? DEFAULT_MANIFEST, operations: bodies.size },
    'GraphQL allow-list mode',
  );
  return {
    options: { cache: new ManifestQueryCache(bodies), ttl: null },
    guard: allowListGuard(bodies, path),
  };
}
