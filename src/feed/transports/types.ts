// The contract every feed transport keeps: pages of raw rows of one (dataset, KLPD, year)
// snapshot, each with the cursor a resumed run passes back, whatever the wire looks like.
import type { FeedDataset } from '../contract.js';

export type TransportName = 'cursor' | 'legacy' | 'isb';

export const TRANSPORT_NAMES: readonly TransportName[] = ['cursor', 'legacy', 'isb'];

export interface TransportRequest {
  dataset: FeedDataset;
  klpd: string;
  year?: number;
  /** YYYY-MM-DD: the snapshot as it stood that day (only where the feed can answer it). */
  asOf?: string;
  /** Rows per page: asked of a paged feed, cut from the stream of an array feed. */
  limit?: number;
  /** The cursor of the last committed page: the transport starts after it. */
  startCursor?: string | null;
  firstPageNumber?: number;
  /** Extra query parameters (the simulator's size and fault_* parameters). */
  params?: Record<string, string>;
  signal?: AbortSignal;
  /** A paged feed: more pages than this fail the pull (every pull ends). */
  maxPages?: number;
  /** A paged feed: more empty pages in a row than this fail the pull. */
  maxEmptyPages?: number;
}

/** One page: the shape of SourcePage in services/ingest/pipeline.ts. */
export interface TransportPage {
  rows: unknown[];
  /** Opaque; null on the last page. */
  cursor: string | null;
  hasMore: boolean;
  pageNumber: number;
  /** The date the snapshot stands as of, when the feed or its rows say so. */
  asOf: string | null;
}

export interface FeedTransport {
  readonly name: TransportName;
  pages(request: TransportRequest): AsyncIterable<TransportPage>;
}

/** What the HTTP side of a transport needs (FeedClientOptions, resolved). */
export interface TransportSettings {
  token: string;
  timeoutMs: number;
  retries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  maxRetryAfterMs: number;
  fetch: typeof fetch;
  random: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A secret that is part of the URL (the ISB key): never printed. */
  secretInPath: string | null;
}
