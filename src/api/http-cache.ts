// HTTP caching of GraphQL answers (`Cache-Control`): an answer the public gets, to a query the
// response cache may keep (every root field marked cacheable, schema/cacheable.ts), without errors and outside
// the warm-up, is the same for every public caller until the data moves, so browsers and shared
// proxies may keep it for PUBLIC_MAX_AGE_S seconds. Nothing per-caller is in such a body: the
// caller's rate-limit budget is only in the x-ratelimit-* headers. Every other answer is
// `no-store`. `Vary` names what picks the answer besides the URL: the role (Authorization) and
// the negotiated media type (Accept).
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { config } from '../config/env.js';
import type { Context } from '../schema/context.js';
import { cacheableOperation } from './response-cache.js';
import type { WarmUp } from './warm-up.js';

/** The caching headers of a GraphQL answer. */
export function httpCacheHeaders(publicAnswer: boolean): [string, string][] {
  return [
    ['cache-control', publicAnswer ? `public, max-age=${config().PUBLIC_MAX_AGE_S}` : 'no-store'],
    ['vary', 'Accept, Authorization'],
  ];
}

/** Sets the caching headers of every answer Apollo executes (the response cache's hits set their own). */
export function httpCachePlugin(warmUp: WarmUp): ApolloServerPlugin<Context> {
  // Keeps no state per request: one listener serves them all.
  const listener: GraphQLRequestListener<Context> = {
    async willSendResponse({ response, document, operation, contextValue }) {
      const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
      const publicAnswer =
        contextValue.viewer?.role === 'PUBLIC' &&
        body !== undefined &&
        body.errors === undefined &&
        body.data != null &&
        document !== undefined &&
        cacheableOperation(document, operation) &&
        !(await warmUp.active());
      for (const [name, value] of httpCacheHeaders(publicAnswer)) response.http.headers.set(name, value);
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
