// The transport of feeds that answer one bare JSON array per (dataset, KLPD, year): INAPROC's
// legacy API and LKPP's ISB differ only in the URL. The answer is parsed as a stream and cut into
// pages of `limit` records; a page's cursor is the count of records read through it, so a resumed
// run asks again and skips what it already committed (these feeds cannot start mid-array).
// They state no as-of date: the snapshot is dated by its rows (as-of.ts).

import { jakartaToday } from '../../lib/dates.js';
import {
  FEED_CLIENT_DEFAULTS,
  FeedAuthError,
  FeedBadResponseError,
  FeedRejectedError,
  FeedUnavailableError,
  parseRetryAfter,
  RetryableFailure,
  withFeedRetries,
} from '../client.js';
import { DataAsOf } from './as-of.js';
import { arrayElements, NotAnArrayError } from './json-array.js';
import type { FeedTransport, TransportPage, TransportRequest, TransportSettings } from './types.js';

const ROW_CURSOR = /^row:(\d+)$/;

export class BareArrayTransport implements FeedTransport {
  constructor(
    readonly name: 'legacy' | 'isb',
    private readonly settings: TransportSettings,
    private readonly urlOf: (request: TransportRequest) => URL,
  ) {}

  async *pages(request: TransportRequest): AsyncGenerator<TransportPage> {
    if (request.asOf) {
      throw new FeedRejectedError(`the ${this.name} feed cannot answer as of a past date`, {
        dataset: request.dataset,
        asOf: request.asOf,
      });
    }
    const skip = request.startCursor ? Number(ROW_CURSOR.exec(request.startCursor)?.[1] ?? Number.NaN) : 0;
    if (!Number.isSafeInteger(skip)) {
      throw new FeedRejectedError(`not a cursor of the ${this.name} transport: ${request.startCursor}`, {
        dataset: request.dataset,
      });
    }
    const limit = Math.max(1, request.limit ?? FEED_CLIENT_DEFAULTS.limit);
    const url = this.urlOf(request);
    for (const [name, value] of Object.entries(request.params ?? {})) url.searchParams.set(name, value);
    const body = await this.open(url, request);
    let seen = 0;
    let pageNumber = request.firstPageNumber ?? 1;
    let rows: unknown[] = [];
    const dated = new DataAsOf(request.dataset, jakartaToday());
    try {
      for await (const element of arrayElements(body)) {
        seen += 1;
        if (seen <= skip) continue;
        dated.see(element);
        rows.push(element);
        if (rows.length === limit) {
          yield { rows, cursor: `row:${seen}`, hasMore: true, pageNumber, asOf: dated.value };
          rows = [];
          pageNumber += 1;
        }
      }
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      if (error instanceof FeedBadResponseError) throw error;
      throw new FeedBadResponseError(
        error instanceof NotAnArrayError
          ? `the ${this.name} feed did not answer a JSON array: ${error.message}`
          : `the ${this.name} feed's array broke off after ${seen} records: ${(error as Error).message}`,
        { dataset: request.dataset, url: url.toString(), records: seen },
      );
    }
    yield { rows, cursor: null, hasMore: false, pageNumber, asOf: dated.value };
  }

  /** GETs the answer, retrying what can be retried before the body starts; returns its chunks. */
  private async open(url: URL, request: TransportRequest): Promise<AsyncIterable<Uint8Array>> {
    const s = this.settings;
    const where = { dataset: request.dataset, url: redact(url, s.secretInPath) };
    return withFeedRetries(
      async (attempts) => {
        // The timeout covers the wait for the headers only: a large body streams for longer, watched
        // by the idle limit instead.
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(new Error('timeout')), s.timeoutMs);
        const signal = request.signal
          ? AbortSignal.any([request.signal, controller.signal])
          : controller.signal;
        let timedOut = false;
        controller.signal.addEventListener('abort', () => {
          timedOut = true;
        });
        const details = { ...where, attempts };
        let response: Response;
        try {
          response = await s.fetch(url, {
            headers: { accept: 'application/json', authorization: `Bearer ${s.token}` },
            signal,
          });
        } catch (error) {
          if (request.signal?.aborted) throw request.signal.reason;
          const message = timedOut
            ? `the ${this.name} feed did not answer within ${s.timeoutMs} ms`
            : `the ${this.name} feed could not be reached: ${(error as Error).message}`;
          throw new RetryableFailure(new FeedUnavailableError(message, details), null);
        } finally {
          clearTimeout(timer);
        }
        const status = response.status;
        const type = response.headers.get('content-type') ?? '';
        if (status === 200 && /\bjson\b/i.test(type) && response.body) {
          return idleLimited(response.body, s.timeoutMs, request.signal);
        }
        await response.body?.cancel().catch(() => undefined);
        if (status === 429 || status === 503 || status === 408 || status >= 500) {
          const error = new FeedUnavailableError(`the ${this.name} feed answered ${status}`, details);
          throw new RetryableFailure(error, parseRetryAfter(response.headers.get('retry-after')));
        }
        // Refused credentials fail the run as an auth error; retrying cannot help.
        if (status === 401 || status === 403) {
          throw new FeedAuthError(`the ${this.name} feed refused the credentials (${status})`, {
            ...where,
            status,
          });
        }
        if (status >= 400) {
          throw new FeedRejectedError(`the ${this.name} feed refused the request (${status})`, {
            ...where,
            status,
          });
        }
        const error = new FeedBadResponseError(
          `the ${this.name} feed answered ${status} ${type || 'without a content type'}, not JSON`,
          details,
        );
        throw status === 200 ? new RetryableFailure(error, null) : error;
      },
      s,
      request.signal,
    );
  }
}

/** The body's chunks; a body that stays silent for `idleMs` is abandoned (a stalled transfer). */
async function* idleLimited(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no data for ${idleMs} ms`)), idleMs);
      });
      try {
        if (signal?.aborted) throw signal.reason;
        const next = await Promise.race([reader.read(), idle]);
        if (next.done) return;
        yield next.value;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** A URL for logs and errors: the ISB key in the path is not printed. */
function redact(url: URL, secret: string | null): string {
  const text = url.toString();
  return secret ? text.replaceAll(encodeURIComponent(secret), '***').replaceAll(secret, '***') : text;
}
