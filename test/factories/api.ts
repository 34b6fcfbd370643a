// Starts the real API (buildServer, as production does) on a random port and talks GraphQL to it
// over HTTP; creates API keys of each role.
import { type BismaServer, buildServer } from '../../src/api/server.js';
import { createApiKey, revokeApiKey } from '../../src/services/api-keys.js';

// biome-ignore lint/suspicious/noExplicitAny: responses are checked by the tests' assertions, not by types
export type Json = any;

export interface GqlResponse<T = Json> {
  status: number;
  headers: Headers;
  data: T | null | undefined;
  errors:
    | Array<{ message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }>
    | undefined;
  /** The answer's extensions: cost, rateLimit, warnings (src/api/cost.ts). */
  extensions: Json;
}

export interface Api {
  url: string;
  server: BismaServer;
  /** Sends one GraphQL operation; `key` goes in `Authorization: Bearer`. */
  gql<T = Json>(query: string, variables?: Record<string, unknown>, key?: string): Promise<GqlResponse<T>>;
  close(): Promise<void>;
}

/** `options` as buildServer takes them, e.g. `{ limits: { ... } }` for a tight limit. */
export async function startApi(options: Parameters<typeof buildServer>[0] = {}): Promise<Api> {
  const server = await buildServer(options);
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  if (!address || typeof address === 'string') throw new Error('the API did not listen on a TCP port');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    server,
    async gql(query, variables, key) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: Json; errors?: GqlResponse['errors']; extensions?: Json };
      return {
        status: res.status,
        headers: res.headers,
        data: body.data,
        errors: body.errors,
        extensions: body.extensions,
      };
    },
    close: () => server.close(),
  };
}

export interface Keys {
  admin: string;
  analyst: string;
  /** A key that was an admin's and has been revoked. */
  revoked: string;
}

export async function createKeys(): Promise<Keys> {
  const admin = await createApiKey('test admin', 'ADMIN');
  const analyst = await createApiKey('test analyst', 'ANALYST');
  const revoked = await createApiKey('test revoked', 'ADMIN');
  await revokeApiKey(revoked.id);
  return { admin: admin.key, analyst: analyst.key, revoked: revoked.key };
}

/** The global id of a node, as the API encodes it. */
export function globalId(typename: string, id: number): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}
