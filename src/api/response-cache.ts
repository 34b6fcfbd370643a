// The response cache: read-mostly GraphQL queries answered from Redis, shared by every API process,
// until the data they read changes, and never after. An entry's key names everything its answer
// depends on, so nothing is ever invalidated, only left behind (and expired by TTL):
//
//   the published KPI data version (readPublishedVersion: a recompute or publication moves it),
//   the content version (services/content-version: PostgreSQL moves it at the commit of every
//     write to events, deals, targets, agencies…, whichever process writes: API, CLI, job, psql;
//     held in memory from its NOTIFY while the listener is up, read per request while it is not,
//     and read again by every mutation of this process before it answers),
//   today's date in Asia/Jakarta (answers without asOf pro-rate targets to today),
//   the viewer's role (PUBLIC, ANALYST, ADMIN: answers differ by role and never cross),
//   the operation (SHA-256 of the document, operation name) and its variables.
//
// Only queries whose every root field is marked cacheable where it is defined (schema/cacheable.ts)
// are cached. Answers with errors are not stored. The lookup runs before Apollo (a hit skips
// parsing and execution); the `x-bisma-cache` response header says HIT, MISS or BYPASS. A small
// in-process map in front of Redis holds recent entries under the same full keys, so it can never
// be staler than Redis.
//
// A rollback to an older KPI version is safe: a version's aggregates never change, and everything
// else an answer reads is covered by the content version. While Redis or PostgreSQL is down
// nothing is looked up or stored: every read executes.
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type DocumentNode, Kind, type OperationDefinitionNode, parse, type SelectionSetNode } from 'graphql';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { config } from '../config/env.js';
import { jakartaToday } from '../lib/dates.js';
import { logger } from '../lib/logger.js';
import { cacheableRootFields } from '../schema/cacheable.js';
import type { Viewer } from '../schema/context.js';
import { schema } from '../schema/index.js';
import { contentVersions } from '../services/content-version.js';
import { publishedVersionKey, readPublishedVersion } from '../services/kpi/notify.js';
import { viewerForRequest } from './auth.js';
import { httpCacheHeaders } from './http-cache.js';
import { cacheableRequest } from './request-checks.js';

/** The root query fields marked cacheable where they are defined (schema/cacheable.ts). */
let cacheableFields: ReadonlySet<string> | undefined;
function isCacheableField(name: string): boolean {
  cacheableFields ??= cacheableRootFields(schema);
  return cacheableFields.has(name);
}

export const CACHE_HEADER = 'x-bisma-cache';

function entryKey(parts: string): string {
  return `${config().REDIS_PREFIX}:api:response:${createHash('sha256').update(parts).digest('base64url')}`;
}

type OperationKind = 'cacheable' | 'uncacheable';

/** The operation a request runs, judged once per (document, operation name). */
const operations = new LRUCache<string, OperationKind>({ max: 1_000 });

function rootFields(doc: DocumentNode, set: SelectionSetNode, out: string[], seen: Set<string>): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) out.push(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) rootFields(doc, selection.selectionSet, out, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = doc.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      // An unknown fragment fails validation in Apollo; here it only makes the request uncacheable.
      if (fragment?.kind !== Kind.FRAGMENT_DEFINITION) out.push('');
      else rootFields(doc, fragment.selectionSet, out, seen);
    }
  }
}

/**
 * Judged once per operation node: Apollo's document store hands every request of one query text
 * the same parsed document. The answer depends only on the operation and its document's fragments.
 */
const judgedOperations = new WeakMap<OperationDefinitionNode, boolean>();

/** Whether an operation is a query whose every root field is marked cacheable. */
export function cacheableOperation(doc: DocumentNode, op: OperationDefinitionNode | undefined): boolean {
  if (op?.operation !== 'query') return false;
  let cacheable = judgedOperations.get(op);
  if (cacheable === undefined) {
    const fields: string[] = [];
    rootFields(doc, op.selectionSet, fields, new Set());
    cacheable = fields.length > 0 && fields.every(isCacheableField);
    judgedOperations.set(op, cacheable);
  }
  return cacheable;
}

function classify(query: string, operationName: string | undefined): OperationKind {
  let doc: DocumentNode;
  try {
    doc = parse(query);
  } catch {
    return 'uncacheable';
  }
  const ops = doc.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const op = operationName
    ? ops.find((o) => o.name?.value === operationName)
    : ops.length === 1
      ? ops[0]
      : undefined;
  return cacheableOperation(doc, op) ? 'cacheable' : 'uncacheable';
}

function operationKind(queryHash: string, query: string, operationName: string | undefined): OperationKind {
  const memo = `${queryHash}:${operationName ?? ''}`;
  let kind = operations.get(memo);
  if (kind === undefined) {
    kind = classify(query, operationName);
    operations.set(memo, kind);
  }
  return kind;
}

/** Bytes of answers the in-process front holds at most: entries are bounded in size, not only count. */
const LOCAL_MAX_BYTES = 32 * 1024 * 1024;

/**
 * The in-process front of the Redis cache: full keys, so it is never staler than Redis. Bounded in
 * entries and in bytes (a string's UTF-16 length in bytes, an upper bound of what it holds in
 * memory); an answer over a quarter of the bytes is not kept. None when `max` is 0.
 */
function localEntries(
  max: number,
  ttlMs: number,
  maxBytes = LOCAL_MAX_BYTES,
): LRUCache<string, string> | null {
  if (max === 0) return null;
  return new LRUCache<string, string>({
    max,
    ttl: ttlMs,
    maxSize: maxBytes,
    maxEntrySize: maxBytes / 4,
    sizeCalculation: (body) => Math.max(body.length * 2, 1),
  });
}

interface RequestState {
  /** Set on a miss of a cacheable query: where to store its answer. */
  storeAt?: string;
}

const states = new WeakMap<FastifyRequest, RequestState>();

interface GraphQLBody {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
}

export interface ResponseCacheOptions {
  enabled?: boolean;
  ttlSeconds?: number;
  /** Entries kept in this process in front of Redis (0: none). */
  localEntries?: number;
}

/** Adds the cache to the `/graphql` route of `app` (register before the Apollo route). */
export function registerResponseCache(
  app: FastifyInstance,
  redis: Redis,
  options: ResponseCacheOptions = {},
): void {
  const cfg = config();
  const enabled = options.enabled ?? cfg.RESPONSE_CACHE ?? cfg.NODE_ENV !== 'test';
  const ttlSeconds = options.ttlSeconds ?? cfg.RESPONSE_CACHE_TTL_S;
  const local = localEntries(options.localEntries ?? 500, ttlSeconds * 1000);
  const log = logger.child({ component: 'response-cache' });
  if (enabled) {
    contentVersions.start();
    app.addHook('onClose', () => contentVersions.stop());
  }

  async function versions(): Promise<string> {
    const [kpi, content] = await Promise.all([redis.get(publishedVersionKey()), contentVersions.version()]);
    return `${kpi ?? (await readPublishedVersion(redis))}|${content}`;
  }

  // Synchronous until there is something to look up (a cacheable query with the cache on); then
  // Fastify awaits the promise of the lookup.
  app.addHook('preHandler', (request, reply, done) => {
    if (request.routeOptions.url !== '/graphql') return done();
    const body = request.body as GraphQLBody | undefined;
    // Only POSTed JSON (which browsers cannot send cross-site without a preflight) is looked up.
    if (request.method !== 'POST' || !body || Array.isArray(body) || typeof body.query !== 'string') {
      return done();
    }
    if (!enabled) {
      reply.header(CACHE_HEADER, 'BYPASS');
      return done();
    }
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
    const queryHash = createHash('sha256').update(body.query).digest('hex');
    const kind = operationKind(queryHash, body.query, operationName);
    // A fast path skips work, never a check: a request Apollo would refuse goes to Apollo.
    const answerType = cacheableRequest(body, request.headers.accept);
    if (kind !== 'cacheable' || answerType === null) {
      reply.header(CACHE_HEADER, 'BYPASS');
      return done();
    }
    return lookUp(request, reply, body, queryHash, operationName, answerType);
  });

  async function lookUp(
    request: FastifyRequest,
    reply: FastifyReply,
    body: GraphQLBody,
    queryHash: string,
    operationName: string | undefined,
    answerType: string,
  ): Promise<unknown> {
    let viewer: Viewer;
    try {
      viewer = await viewerForRequest(request);
    } catch {
      return; // Apollo's context refuses the request with the proper error.
    }
    try {
      const key = entryKey(
        [
          await versions(),
          jakartaToday(),
          viewer.role,
          queryHash,
          operationName ?? '',
          JSON.stringify(body.variables ?? {}),
        ].join('\n'),
      );
      const hit = local?.get(key) ?? (await redis.get(key)) ?? undefined;
      if (hit !== undefined) {
        local?.set(key, hit);
        reply.header(CACHE_HEADER, 'HIT').type(answerType);
        // Stored answers have no errors and no warm-up figures: the public's may be kept by browsers
        // and proxies, as when the miss was executed (http-cache.ts).
        for (const [name, value] of httpCacheHeaders(viewer.role === 'PUBLIC')) reply.header(name, value);
        return reply.send(hit);
      }
      states.set(request, { storeAt: key });
      reply.header(CACHE_HEADER, 'MISS');
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'response cache unavailable; executing');
      reply.header(CACHE_HEADER, 'BYPASS');
    }
    return;
  }

  async function store(key: string, payload: string): Promise<string> {
    const parsed = JSON.parse(payload) as {
      errors?: unknown;
      data?: unknown;
      extensions?: { warmingUp?: boolean };
    };
    // Partial figures of the warm-up are not kept for later readers.
    if (parsed.errors === undefined && parsed.data != null && !parsed.extensions?.warmingUp) {
      local?.set(key, payload);
      try {
        await redis.set(key, payload, 'EX', ttlSeconds);
      } catch (err) {
        log.debug({ err: (err as Error).message }, 'could not store a response');
      }
    }
    return payload;
  }

  app.addHook('onSend', (request, reply, payload, done) => {
    const state = states.get(request);
    if (!state?.storeAt || reply.statusCode !== 200 || typeof payload !== 'string')
      return done(null, payload);
    return store(state.storeAt, payload);
  });
}

/**
 * Read-your-writes for the in-memory content version: a mutation reads the version again before
 * its answer leaves, so this process's next read keys by the version the mutation committed, not
 * by one the notification has yet to raise. Failed mutations refresh too (they may have written).
 */
export async function refreshAfterMutation(
  operation: OperationDefinitionNode | null | undefined,
): Promise<void> {
  if (operation?.operation !== 'mutation') return;
  try {
    await contentVersions.refresh();
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'could not read the content version after a mutation');
  }
}

/** Apollo's side of `refreshAfterMutation` (graphql-ws calls it from its own hook). */
export function readYourWritesPlugin(): ApolloServerPlugin {
  // Keeps no state per request: one listener serves them all.
  const listener: GraphQLRequestListener<BaseContext> = {
    async willSendResponse({ operation }) {
      await refreshAfterMutation(operation);
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
