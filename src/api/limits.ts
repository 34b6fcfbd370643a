// The API's limits on what one request may ask: their values, the validation rules for aliases and
// directives, the execution deadline, and GraphQL-shaped answers to requests refused before
// GraphQL sees them (body too large, malformed JSON). docs/security.md lists every limit and code.
import type { ApolloServerPlugin } from '@apollo/server';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { FastifyError, FastifyInstance } from 'fastify';
import {
  type ASTKindToNode,
  type DocumentNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { config } from '../config/env.js';
import { QUERY_LIMITS } from '../schema/builder.js';
import type { Context } from '../schema/context.js';
import { collapseTimeouts, Deadline } from '../schema/deadline.js';

export interface ApiLimits {
  /** Nesting of selections (Pothos counts a field and its sub-selection). */
  maxDepth: number;
  /** Fields selected in the whole operation, fragments expanded. */
  maxBreadth: number;
  /** The operation's computed cost (see src/api/cost.ts); at most the schema's own limit. */
  maxCost: number;
  /** Aliased fields in one document. */
  maxAliases: number;
  /** Directives used in one document. */
  maxDirectives: number;
  /** Lexical tokens in one document: bounds parsing work before anything else runs. */
  maxTokens: number;
  /** The largest page a connection returns (what Pothos clamps `first`/`last` to). */
  maxPageSize: number;
  bodyLimitBytes: number;
  queryTimeoutMs: number;
  publicIntrospection: boolean;
  rateLimit: RateLimitSettings;
}

export interface RateLimitSettings {
  windowSeconds: number;
  /** Requests per window per client address (0: no limit). */
  addressRequests: number;
  /** Cost per window of the public, per client address (0: no limit). */
  publicPoints: number;
  /** Cost per window of each API key (0: no limit). */
  keyPoints: number;
}

/** Deep partial overrides, for tests that need a tight limit on their own server. */
export type ApiLimitOverrides = Partial<Omit<ApiLimits, 'rateLimit'>> & {
  rateLimit?: Partial<RateLimitSettings>;
};

export function apiLimits(overrides: ApiLimitOverrides = {}): ApiLimits {
  const cfg = config();
  const { rateLimit, ...rest } = overrides;
  return {
    maxDepth: QUERY_LIMITS.depth,
    maxBreadth: QUERY_LIMITS.breadth,
    maxCost: QUERY_LIMITS.complexity,
    maxAliases: 50,
    maxDirectives: 50,
    maxTokens: 10_000,
    maxPageSize: 100,
    bodyLimitBytes: cfg.API_BODY_LIMIT_BYTES,
    queryTimeoutMs: cfg.API_QUERY_TIMEOUT_MS,
    publicIntrospection: cfg.API_PUBLIC_INTROSPECTION,
    ...rest,
    rateLimit: {
      windowSeconds: cfg.RATE_LIMIT_WINDOW_S,
      addressRequests: cfg.RATE_LIMIT_ADDRESS_REQUESTS,
      publicPoints: cfg.RATE_LIMIT_PUBLIC_POINTS,
      keyPoints: cfg.RATE_LIMIT_KEY_POINTS,
      ...rateLimit,
    },
  };
}

/** Refuses a document in which more than `max` nodes of `kind` pass `counts`, once, with `code`. */
function countingRule<K extends Kind.FIELD | Kind.DIRECTIVE>(
  kind: K,
  counts: (node: ASTKindToNode[K]) => boolean,
  max: number,
  code: string,
  what: string,
): ValidationRule {
  return (context) => {
    let seen = 0;
    return {
      [kind](node: ASTKindToNode[K]) {
        if (!counts(node)) return;
        seen += 1;
        if (seen !== max + 1) return;
        context.reportError(
          new GraphQLError(`the document uses more than ${max} ${what}`, {
            nodes: node,
            extensions: { code, limit: max },
          }),
        );
      },
    };
  };
}

/** Selections an operation expands to, fragments included (each counted once per spread). */
const MAX_EXPANDED_SELECTIONS = 10_000;

/**
 * Refuses a document whose fragments expand to more than MAX_EXPANDED_SELECTIONS selections (a few
 * fragments that each spread the previous one twice reach millions), counted with one pass per
 * fragment. Apollo has its own such rule; graphql-ws needs this one.
 */
const expandedSelectionsRule: ValidationRule = (context) => ({
  Document: {
    leave(document) {
      const fragments = new Map<string, SelectionSetNode>();
      for (const d of document.definitions)
        if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d.selectionSet);
      const memo = new Map<string, number>();
      const visiting = new Set<string>();
      const count = (set: SelectionSetNode): number => {
        let n = 0;
        for (const s of set.selections) {
          if (s.kind === Kind.FIELD) n += 1 + (s.selectionSet ? count(s.selectionSet) : 0);
          else if (s.kind === Kind.INLINE_FRAGMENT) n += count(s.selectionSet);
          else n += spread(s.name.value);
          if (n > MAX_EXPANDED_SELECTIONS) return n;
        }
        return n;
      };
      const spread = (name: string): number => {
        const known = memo.get(name);
        if (known !== undefined) return known;
        const set = fragments.get(name);
        // Unknown fragments and cycles are GraphQL's own validation errors.
        if (!set || visiting.has(name)) return 0;
        visiting.add(name);
        const n = count(set);
        visiting.delete(name);
        memo.set(name, n);
        return n;
      };
      for (const d of document.definitions) {
        if (d.kind !== Kind.OPERATION_DEFINITION) continue;
        const n = count(d.selectionSet);
        if (n <= MAX_EXPANDED_SELECTIONS) continue;
        context.reportError(
          new GraphQLError(`the operation expands to more than ${MAX_EXPANDED_SELECTIONS} selections`, {
            nodes: d,
            extensions: { code: 'QUERY_TOO_COMPLEX', limit: MAX_EXPANDED_SELECTIONS },
          }),
        );
        return;
      }
    },
  },
});

/** Validation rules Apollo runs with GraphQL's own: each refusal is a 400 before execution. */
export function limitRules(limits: ApiLimits): ValidationRule[] {
  return [
    expandedSelectionsRule,
    countingRule(
      Kind.FIELD,
      (field) => field.alias !== undefined,
      limits.maxAliases,
      'TOO_MANY_ALIASES',
      'aliases',
    ),
    countingRule(Kind.DIRECTIVE, () => true, limits.maxDirectives, 'TOO_MANY_DIRECTIVES', 'directives'),
  ];
}

const LIMIT_CODES = new Set(['TOO_MANY_ALIASES', 'TOO_MANY_DIRECTIVES', 'QUERY_TOO_COMPLEX']);

/** Parsed documents Apollo keeps (by query hash) to skip parsing and validating them again. */
const DOCUMENT_STORE_BYTES = 16 * 1024 * 1024;

/**
 * Apollo's own document store measures a document by its JSON, which leaves out the source text
 * each node's location keeps alive: documents padded with 10 kB of whitespace then fill memory
 * hundreds of times past the store's nominal size. This store counts the source too.
 */
export function documentStore(): InMemoryLRUCache<DocumentNode> {
  return new InMemoryLRUCache<DocumentNode>({
    maxSize: DOCUMENT_STORE_BYTES,
    sizeCalculation: (document) =>
      Buffer.byteLength(JSON.stringify(document), 'utf8') + (document.loc?.source.body.length ?? 0) * 2,
  });
}

/**
 * The code of a request refused by a limit of this module, which Apollo reports under its generic
 * GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED; undefined for any other error.
 */
export function limitErrorCode(error: unknown): string | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  // The token limit stops the parser, which reports it as a syntax error.
  const tokens = /^Syntax Error: Document contains more tha[nt] \d+ tokens/;
  if (tokens.test(error.message)) return 'QUERY_TOO_LARGE';
  const code = error.originalError instanceof GraphQLError ? error.originalError.extensions.code : undefined;
  return typeof code === 'string' && LIMIT_CODES.has(code) ? code : undefined;
}

/**
 * Starts the execution deadline (src/schema/deadline.ts) of each HTTP query or mutation and ends it
 * with execution; the answer reports the fields it stopped as one QUERY_TIMEOUT. graphql-ws starts
 * the same deadline (subscriptions.ts). A single slow SQL statement is also bounded by
 * PostgreSQL's statement_timeout.
 */
export function queryTimeoutPlugin(timeoutMs: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart({ contextValue, operation }) {
          if (operation.operation === 'subscription') return;
          const deadline = new Deadline(timeoutMs);
          contextValue.deadline = deadline;
          return {
            async executionDidEnd() {
              deadline.end();
            },
          };
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = collapseTimeouts(response.body.singleResult.errors);
        },
      };
    },
  };
}

const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  413: 'REQUEST_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * HTTP/1.0 allows a request without a Host header, from which no URL can be built (Apollo's
 * integration then fails with a 500): such a request is refused with 400 BAD_REQUEST. The health
 * probes still answer it, since some load balancers probe with HTTP/1.0 and no Host.
 */
export function refuseMissingHost(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (request.headers.host) return done();
    const path = request.url.split('?')[0];
    if (path === '/healthz' || path === '/readyz') return done();
    // Answered here: the request goes no further (no `done`).
    reply
      .code(400)
      .type('application/json; charset=utf-8')
      .send({ errors: [{ message: 'the request has no Host header', extensions: { code: 'BAD_REQUEST' } }] });
  });
}

/**
 * Requests Fastify refuses before Apollo sees them (a body over the limit, malformed JSON, an
 * unknown media type) get a GraphQL-shaped error with a code on /graphql; elsewhere Fastify's own
 * shape. A 5xx never carries the original message or stack.
 */
export function registerRequestErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const message = status >= 500 ? 'Internal server error' : error.message;
    if (request.url.startsWith('/graphql')) {
      const code = status >= 500 ? 'INTERNAL_SERVER_ERROR' : (HTTP_CODES[status] ?? 'BAD_REQUEST');
      return reply
        .code(status)
        .type('application/json; charset=utf-8')
        .send({ errors: [{ message, extensions: { code } }] });
    }
    return reply.code(status).send({ statusCode: status, code: error.code, error: error.name, message });
  });
}
