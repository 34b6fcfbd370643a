// The request checks Apollo Server runs on a POSTed GraphQL request before it executes anything,
// for the response cache's fast path: a request Apollo would refuse (a non-string operationName,
// extensions or variables of the wrong shape, a persisted-query extension, an Accept header it cannot
// satisfy) is never answered from the cache; it goes to Apollo, which refuses it with its own error.
import Negotiator from 'negotiator';

/** Apollo's media types for a single result, in its order of preference. */
const ANSWER_TYPES = [
  'application/json; charset=utf-8',
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
];

const isRecord = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The media type Apollo would answer with (as it negotiates it), or null when it would refuse. */
export function negotiatedAnswerType(accept: string | undefined): string | null {
  if (!accept) return ANSWER_TYPES[0]!;
  return new Negotiator({ headers: { accept } }).mediaType(ANSWER_TYPES) ?? null;
}

/**
 * The media type a cached answer to this POST body may be sent with, or null when the request must
 * go to Apollo instead. Any persisted-query extension goes to Apollo too: it checks the hash against
 * the text and registers the query (persisted-queries.ts).
 */
export function cacheableRequest(
  body: { operationName?: unknown; variables?: unknown; extensions?: unknown },
  accept: string | undefined,
): string | null {
  if (body.operationName != null && typeof body.operationName !== 'string') return null;
  if (body.variables != null && !isRecord(body.variables)) return null;
  if (body.extensions != null) {
    if (!isRecord(body.extensions)) return null;
    if ('persistedQuery' in (body.extensions as object)) return null;
  }
  return negotiatedAnswerType(accept);
}
