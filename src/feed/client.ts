// HTTP client of the feed: timeouts, retries with backoff and jitter, Retry-After, bounded
// concurrency, and strict reading of answers (anything that is not a page envelope is an error).
import pLimit, { type LimitFunction } from 'p-limit';
import pRetry from 'p-retry';
import { AppError } from '../lib/errors.js';
import { errorEnvelopeSchema, type FeedDataset, pageEnvelopeSchema } from './contract.js';

/** The feed could not be reached or kept failing (network, timeout, 5xx, 429) after the retries. */
export class FeedUnavailableError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super('FEED_UNAVAILABLE', message, details);
  }
}

/** The feed answered, but not with a page: HTML, truncated or invalid JSON, an error envelope. */
export class FeedBadResponseError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super('FEED_BAD_RESPONSE', message, details);
  }
}

/** The feed refused the request (4xx other than 408/429): retrying would not help. */
export class FeedRejectedError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super('FEED_REJECTED', message, details);
  }
}

/** The feed refused our credentials (401/403): an auth failure that ends the run, never a restart. */
export class FeedAuthError extends FeedRejectedError {}

/**
 * The feed asks to wait (Retry-After) longer than this client waits in-process: the caller
 * decides (a pull delays its job that long, up to a stated maximum).
 */
export class FeedRetryLaterError extends FeedUnavailableError {
  constructor(
    message: string,
    details: Record<string, unknown>,
    readonly retryAfterMs: number,
  ) {
    super(message, details);
  }
}

/**
 * The feed's paging would never end: a cursor seen before in the same pull, has_more without a
 * cursor, too many empty pages in a row, or more pages than the ceiling. Not retried.
 */
export class FeedPagingError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super('FEED_PAGING', message, details);
  }
}

export interface FeedClientOptions {
  /** e.g. http://127.0.0.1:4010 (a path prefix is kept: /api/v1/… is appended to it). */
  baseUrl: string;
  /** The dataset's path under baseUrl; `{dataset}` is replaced (default /api/v1/{dataset}). */
  path?: string;
  token: string;
  /** Per attempt, headers and body together. */
  timeoutMs?: number;
  /** Retries after the first attempt. */
  retries?: number;
  /** Backoff before retry n is a random delay in [0, min(backoffMaxMs, backoffBaseMs · 2^n)). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A Retry-After longer than this is not waited in-process: FeedRetryLaterError says how long. */
  maxRetryAfterMs?: number;
  /** Requests in flight at once, shared by every caller of this client. */
  concurrency?: number;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** Jitter source (tests pin it). */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface PageRequest {
  klpd: string;
  /** tahun; omitted for rup/master-satker. */
  year?: number;
  /** YYYY-MM-DD: the snapshot as it stood that day. */
  asOf?: string;
  limit?: number;
  cursor?: string | null;
  /** Extra query parameters (e.g. the simulator's size or fault_* parameters). */
  params?: Record<string, string>;
  signal?: AbortSignal;
}

export interface PagesOptions extends Omit<PageRequest, 'cursor'> {
  /** Resume after a page already processed: the cursor that page returned. */
  startCursor?: string | null;
  /** The number the first yielded page gets (when resuming a run that counted pages). */
  firstPageNumber?: number;
  /** A page numbered above this ends the pull with FeedPagingError (default: no ceiling). */
  maxPages?: number;
  /** More empty pages in a row that say has_more than this end the pull (default 5). */
  maxEmptyPages?: number;
}

export interface FeedPage {
  rows: unknown[];
  /** Opaque: pass it back as is. Null on the last page. */
  cursor: string | null;
  hasMore: boolean;
  pageNumber: number;
  /** The date the snapshot stands as of, when the feed says so (null otherwise). */
  asOf: string | null;
  /** The snapshot's row count, when the feed states it (null otherwise). */
  expectedRows: number | null;
}

export const FEED_CLIENT_DEFAULTS = {
  timeoutMs: 30_000,
  retries: 5,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  maxRetryAfterMs: 120_000,
  concurrency: 4,
  limit: 1000,
} as const;

type Failure =
  | { kind: 'transient'; message: string; status?: number; retryAfterMs?: number | null; upstream?: unknown }
  | { kind: 'bad'; message: string; status?: number; retry: boolean; upstream?: unknown }
  | { kind: 'rejected'; message: string; status: number; upstream?: unknown };

type Outcome = { ok: true; page: Omit<FeedPage, 'pageNumber'> } | { ok: false; failure: Failure };

export class FeedClient {
  private readonly settings: Required<
    Omit<FeedClientOptions, 'headers' | 'fetch' | 'random' | 'sleep' | 'path'>
  >;
  private readonly limit: LimitFunction;
  private readonly fetchImpl: typeof fetch;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: FeedClientOptions) {
    this.settings = {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      token: options.token,
      timeoutMs: options.timeoutMs ?? FEED_CLIENT_DEFAULTS.timeoutMs,
      retries: options.retries ?? FEED_CLIENT_DEFAULTS.retries,
      backoffBaseMs: options.backoffBaseMs ?? FEED_CLIENT_DEFAULTS.backoffBaseMs,
      backoffMaxMs: options.backoffMaxMs ?? FEED_CLIENT_DEFAULTS.backoffMaxMs,
      maxRetryAfterMs: options.maxRetryAfterMs ?? FEED_CLIENT_DEFAULTS.maxRetryAfterMs,
      concurrency: options.concurrency ?? FEED_CLIENT_DEFAULTS.concurrency,
    };
    this.limit = pLimit(Math.max(1, this.settings.concurrency));
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? abortableSleep;
  }

  /**
   * Every page of one snapshot, from the first (or startCursor) until has_more is false. It always
   * ends: a cursor seen before in this pull, has_more without a new cursor, a chain of empty pages
   * longer than maxEmptyPages or a page beyond maxPages throws FeedPagingError.
   */
  async *pages(dataset: FeedDataset, options: PagesOptions): AsyncGenerator<FeedPage> {
    let cursor = options.startCursor ?? null;
    let pageNumber = options.firstPageNumber ?? 1;
    const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY;
    const maxEmpty = options.maxEmptyPages ?? 5;
    const seen = new Set<string>();
    if (cursor !== null) seen.add(cursor);
    let empty = 0;
    for (;;) {
      if (pageNumber > maxPages) {
        throw new FeedPagingError(`the feed kept paging past the ceiling of ${maxPages} pages`, {
          dataset,
          pageNumber,
        });
      }
      const page = await this.page(dataset, { ...options, cursor });
      yield { ...page, pageNumber };
      if (!page.hasMore) return;
      const where = { dataset, pageNumber, cursor: page.cursor };
      if (page.cursor === null) throw new FeedPagingError('the feed said has_more but gave no cursor', where);
      if (seen.has(page.cursor)) {
        throw new FeedPagingError('the feed gave a cursor seen before in this pull: its paging loops', where);
      }
      empty = page.rows.length === 0 ? empty + 1 : 0;
      if (empty > maxEmpty) {
        throw new FeedPagingError(
          `the feed answered more than ${maxEmpty} empty pages in a row that say has_more`,
          where,
        );
      }
      seen.add(page.cursor);
      cursor = page.cursor;
      pageNumber += 1;
    }
  }

  /** One page, retried as configured (withFeedRetries). */
  async page(dataset: FeedDataset, request: PageRequest): Promise<Omit<FeedPage, 'pageNumber'>> {
    const url = this.url(dataset, request);
    const where = { dataset, url: url.toString() };
    const settings = { ...this.settings, random: this.random, sleep: this.sleep };
    return withFeedRetries(
      async (attempts) => {
        const outcome = await this.limit(() => this.attempt(url, request.signal));
        if (outcome.ok) return outcome.page;
        throw this.failureError(outcome.failure, where, attempts);
      },
      settings,
      request.signal,
    );
  }

  /** The typed error of a failed attempt, wrapped as RetryableFailure when another may help. */
  private failureError(
    failure: Failure,
    where: { dataset: FeedDataset; url: string },
    attempts: number,
  ): Error {
    const details = {
      ...where,
      attempts,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
      ...(failure.upstream !== undefined ? { upstream: failure.upstream } : {}),
    };
    if (failure.kind === 'rejected') {
      return failure.status === 401 || failure.status === 403
        ? new FeedAuthError(failure.message, details)
        : new FeedRejectedError(failure.message, details);
    }
    if (failure.kind === 'bad') {
      const error = new FeedBadResponseError(failure.message, details);
      return failure.retry ? new RetryableFailure(error, null) : error;
    }
    return new RetryableFailure(
      new FeedUnavailableError(failure.message, details),
      failure.retryAfterMs ?? null,
    );
  }

  private url(dataset: FeedDataset, request: PageRequest): URL {
    const url = new URL(
      `${this.settings.baseUrl}${(this.options.path ?? '/api/v1/{dataset}').replaceAll('{dataset}', dataset)}`,
    );
    const params = url.searchParams;
    params.set('kode_klpd', request.klpd);
    if (request.year !== undefined) params.set('tahun', String(request.year));
    params.set('limit', String(request.limit ?? FEED_CLIENT_DEFAULTS.limit));
    if (request.asOf) params.set('as_of', request.asOf);
    if (request.cursor) params.set('cursor', request.cursor);
    for (const [name, value] of Object.entries(request.params ?? {})) params.set(name, value);
    return url;
  }

  private async attempt(url: URL, callerSignal: AbortSignal | undefined): Promise<Outcome> {
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    let response: Response;
    let body: string;
    try {
      response = await this.fetchImpl(url, {
        headers: {
          ...this.options.headers,
          accept: 'application/json',
          authorization: `Bearer ${this.settings.token}`,
        },
        signal,
      });
      body = await response.text();
    } catch (error) {
      // The caller's own abort ends the pull; it is not the feed's fault and is not retried.
      if (callerSignal?.aborted) throw callerSignal.reason;
      const timedOut = timeout.aborted;
      return {
        ok: false,
        failure: {
          kind: 'transient',
          message: timedOut
            ? `the feed did not answer within ${this.settings.timeoutMs} ms`
            : `the feed could not be reached: ${describe(error)}`,
        },
      };
    }
    return readAnswer(response, body);
  }
}

/** Reads one HTTP answer into a page or a classified failure. */
function readAnswer(response: Response, body: string): Outcome {
  const status = response.status;
  const type = response.headers.get('content-type') ?? '';
  const json = parseJson(body);
  const envelope = json.ok ? errorEnvelopeSchema.safeParse(json.value) : undefined;
  const upstream = envelope?.success ? envelope.data.error : undefined;
  const said = upstream ? `: ${upstream.code} ${upstream.message}` : '';
  if (status === 429 || status === 503) {
    return {
      ok: false,
      failure: {
        kind: 'transient',
        status,
        message: `the feed answered ${status}${said}`,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
        upstream,
      },
    };
  }
  if (status >= 500 || status === 408) {
    return {
      ok: false,
      failure: { kind: 'transient', status, message: `the feed answered ${status}${said}`, upstream },
    };
  }
  if (status >= 400) {
    return {
      ok: false,
      failure: {
        kind: 'rejected',
        status,
        message: `the feed refused the request (${status})${said}`,
        upstream,
      },
    };
  }
  if (status < 200 || status >= 300) {
    return {
      ok: false,
      failure: { kind: 'bad', status, retry: false, message: `unexpected status ${status}` },
    };
  }
  // A 200 that is not JSON is a proxy or bot-challenge page: never data, but it may pass.
  if (!/\bjson\b/i.test(type)) {
    return {
      ok: false,
      failure: {
        kind: 'bad',
        status,
        retry: true,
        message: `the feed answered ${type || 'no content type'}, not JSON`,
      },
    };
  }
  if (!json.ok) {
    return {
      ok: false,
      failure: { kind: 'bad', status, retry: true, message: `truncated or invalid JSON: ${json.error}` },
    };
  }
  if (upstream) {
    return {
      ok: false,
      failure: { kind: 'bad', status, retry: false, message: `the feed answered an error${said}`, upstream },
    };
  }
  const page = pageEnvelopeSchema.safeParse(json.value);
  if (!page.success) {
    return {
      ok: false,
      failure: {
        kind: 'bad',
        status,
        retry: false,
        message: `not a page envelope: ${page.error.issues[0]?.message}`,
      },
    };
  }
  const { data, meta } = page.data;
  return {
    ok: true,
    page: {
      rows: data,
      cursor: meta.cursor || null,
      hasMore: meta.has_more,
      asOf: meta.as_of ?? null,
      expectedRows: meta.total ?? null,
    },
  };
}

function parseJson(body: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}

/** A failed attempt that another may fix; `error` is what the caller gets when none is left. */
export class RetryableFailure extends Error {
  constructor(
    readonly error: FeedUnavailableError | FeedBadResponseError,
    /** The wait the feed asked for (Retry-After), if it did. */
    readonly retryAfterMs: number | null,
  ) {
    super(error.message);
  }
}

export interface RetrySettings {
  /** Retries after the first attempt. */
  retries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  maxRetryAfterMs: number;
  random: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Every transport's retry policy. `attempt` returns, throws a RetryableFailure to be tried again,
 * or throws anything else to stop. p-retry counts the attempts and stops on an abort; the wait
 * before a retry is the feed's Retry-After when it sent one, else full-jitter backoff (a random
 * delay in [0, min(backoffMaxMs, backoffBaseMs · 2^n)), which spreads the retries of many clients
 * instead of synchronising them), so p-retry's own timer is zero. A Retry-After longer than
 * maxRetryAfterMs is not waited in-process: FeedRetryLaterError hands the wait to the job.
 */
export async function withFeedRetries<T>(
  attempt: (attempts: number) => Promise<T>,
  s: RetrySettings,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await pRetry(attempt, {
      retries: s.retries,
      minTimeout: 0,
      maxTimeout: 0,
      ...(signal ? { signal } : {}),
      shouldRetry: ({ error }) => error instanceof RetryableFailure,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (!(error instanceof RetryableFailure) || retriesLeft === 0) return;
        const retryAfter = error.retryAfterMs;
        if (retryAfter != null && retryAfter > s.maxRetryAfterMs) {
          throw new FeedRetryLaterError(
            `${error.message}; the feed asks to wait ${retryAfter} ms`,
            { ...error.error.details, retryAfterMs: retryAfter },
            retryAfter,
          );
        }
        const cap = Math.min(s.backoffMaxMs, s.backoffBaseMs * 2 ** (attemptNumber - 1));
        await s.sleep(retryAfter ?? Math.floor(s.random() * cap), signal);
      },
    });
  } catch (error) {
    throw error instanceof RetryableFailure ? error.error : error;
  }
}

/** Retry-After as delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function createFeedClient(options: FeedClientOptions): FeedClient {
  return new FeedClient(options);
}
