// The dashboard's only way to data: POST to the public GraphQL endpoint with a named operation
// and variables (never values inlined, so the server's document cache serves every filter).

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string };
}

export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

/** The endpoint, relative to the page: the API serves both, at `/` and `/graphql`. */
const ENDPOINT = new URL('graphql', document.baseURI).toString();

export async function request<T>(
  query: string,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<T> {
  const operationName = /^\s*query\s+(\w+)/.exec(query)?.[1];
  const response = await fetch(ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ operationName, query, variables }),
    signal,
  });
  let body: { data?: T | null; errors?: GraphQLErrorShape[] };
  try {
    body = await response.json();
  } catch {
    throw new GraphQLRequestError(`HTTP ${response.status}`, null, response.status);
  }
  const first = body.errors?.[0];
  if (first) throw new GraphQLRequestError(first.message, first.extensions?.code ?? null, response.status);
  if (!response.ok || !body.data)
    throw new GraphQLRequestError(`HTTP ${response.status}`, null, response.status);
  return body.data;
}
