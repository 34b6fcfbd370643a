// GraphQL over graphql-ws against the real API, for tests that check a transport gives the same
// answers and refusals as HTTP: one operation on a fresh socket, or several on one socket.
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { Api, Json } from './api.js';

export interface WsResult {
  data?: Json;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  /** The close code when the server refused or closed the socket instead of answering. */
  closed?: number;
}

export interface WsSocket {
  /** Runs one operation to its first answer (or refusal, or the socket's close). */
  run(query: string, variables?: Record<string, unknown>): Promise<WsResult>;
  /** Starts an operation and leaves it running; resolves with its first payload or refusal. */
  start(query: string): { first: Promise<WsResult>; stop(): void };
  close(): Promise<void>;
}

/** Opens a socket; `connectionParams` as a client sends them (e.g. `{ authorization: 'Bearer …' }`). */
export function openSocket(
  api: Api,
  connectionParams: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): WsSocket {
  let closedCode: number | undefined;
  const closedWaiters: Array<(code: number) => void> = [];
  const client: Client = createClient({
    url: `${api.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers });
      }
    },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    connectionParams,
    on: {
      closed: (event) => {
        closedCode = (event as { code: number }).code;
        for (const w of closedWaiters.splice(0)) w(closedCode);
      },
    },
  });
  const whenClosed = () =>
    new Promise<number>((resolve) => {
      if (closedCode !== undefined) resolve(closedCode);
      else closedWaiters.push(resolve);
    });
  const start = (query: string, variables?: Record<string, unknown>) => {
    let settle: (r: WsResult) => void = () => undefined;
    const first = new Promise<WsResult>((resolve) => {
      settle = resolve;
    });
    void whenClosed().then((code) => settle({ closed: code }));
    const stop = client.subscribe(
      { query, variables },
      {
        next: (payload) => settle(payload as WsResult),
        error: (error) =>
          settle(
            Array.isArray(error)
              ? { errors: error }
              : { closed: (error as { code?: number }).code ?? closedCode ?? -1 },
          ),
        complete: () => settle({}),
      },
    );
    return { first, stop };
  };
  return {
    run: (query, variables) => start(query, variables).first,
    start: (query) => start(query),
    close: async () => {
      await client.dispose();
    },
  };
}
