// The feed client's retry policy and answer checks, against a scripted fetch (no network).
import { describe, expect, it } from '@jest/globals';
import {
  FeedBadResponseError,
  FeedClient,
  type FeedClientOptions,
  FeedPagingError,
  FeedRejectedError,
  FeedUnavailableError,
  parseRetryAfter,
} from '../../src/feed/client.js';

type Answer = Response | Error | (() => Promise<Response>);

function page(rows: unknown[], cursor: string | null, hasMore: boolean): Response {
  return json({ data: rows, meta: { cursor, has_more: hasMore } });
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function scripted(answers: Answer[], options: Partial<FeedClientOptions> = {}) {
  const urls: string[] = [];
  const sleeps: number[] = [];
  const client = new FeedClient({
    baseUrl: 'http://feed.test/',
    token: 't0ken',
    retries: 3,
    backoffBaseMs: 100,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    fetch: async (input) => {
      urls.push(String(input));
      const next = answers.shift();
      if (!next) throw new Error('no more scripted answers');
      if (next instanceof Error) throw next;
      return typeof next === 'function' ? next() : next;
    },
    ...options,
  });
  return { client, urls, sleeps };
}

const DATASET = 'tender/tender-ekontrak-kontrak';

describe('FeedClient', () => {
  it('builds the LKPP query and sends the bearer token', async () => {
    let seen: RequestInit | undefined;
    const client = new FeedClient({
      baseUrl: 'http://feed.test/prefix/',
      token: 't0ken',
      fetch: async (input, init) => {
        seen = init;
        expect(String(input)).toBe(
          'http://feed.test/prefix/api/v1/tender/tender-ekontrak-kontrak?kode_klpd=D999&tahun=2023&limit=50&as_of=2023-09-09&cursor=abc&size=10',
        );
        return page([], null, false);
      },
    });
    await client.page(DATASET, {
      klpd: 'D999',
      year: 2023,
      limit: 50,
      asOf: '2023-09-09',
      cursor: 'abc',
      params: { size: '10' },
    });
    expect((seen?.headers as Record<string, string> | undefined)?.authorization).toBe('Bearer t0ken');
  });

  it('retries 5xx and network errors with full-jitter exponential backoff', async () => {
    const { client, sleeps } = scripted([
      json({ success: false, error: { code: 'X', message: 'down' } }, 500),
      new TypeError('fetch failed'),
      json({}, 502),
      page([{ a: 1 }], null, false),
    ]);
    const result = await client.page(DATASET, { klpd: 'D999', year: 2023 });
    expect(result.rows).toEqual([{ a: 1 }]);
    // random() = 0.5 of a cap of 100 · 2^attempt.
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('waits the Retry-After of a 429 in seconds instead of its own backoff', async () => {
    const { client, sleeps } = scripted([json({}, 429, { 'retry-after': '2' }), page([], null, false)]);
    await client.page(DATASET, { klpd: 'D999', year: 2023 });
    expect(sleeps).toEqual([2000]);
  });

  it('waits the Retry-After of a 503 given as an HTTP date', async () => {
    const at = new Date(Date.now() + 3_000).toUTCString();
    const { client, sleeps } = scripted([json({}, 503, { 'retry-after': at }), page([], null, false)]);
    await client.page(DATASET, { klpd: 'D999', year: 2023 });
    expect(sleeps[0]).toBeGreaterThan(1_000);
    expect(sleeps[0]).toBeLessThanOrEqual(3_000);
  });

  it('gives up at once when Retry-After asks for longer than allowed', async () => {
    const { client, sleeps } = scripted([json({}, 429, { 'retry-after': '3600' })], {
      maxRetryAfterMs: 60_000,
    });
    const error = await client.page(DATASET, { klpd: 'D999', year: 2023 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedUnavailableError);
    expect((error as FeedUnavailableError).details).toMatchObject({ status: 429, retryAfterMs: 3_600_000 });
    expect(sleeps).toEqual([]);
  });

  it('surfaces FEED_UNAVAILABLE with the attempt count when the retries run out', async () => {
    const { client } = scripted([json({}, 503), json({}, 503), json({}, 503), json({}, 503)]);
    const error = await client.page(DATASET, { klpd: 'D999', year: 2023 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedUnavailableError);
    expect(error).toMatchObject({ code: 'FEED_UNAVAILABLE', details: { attempts: 4, status: 503 } });
  });

  it('does not retry a refused request and reports the upstream error', async () => {
    const { client, urls } = scripted([
      json({ success: false, error: { code: 'UNAUTHORIZED', message: 'bad token', details: null } }, 401),
    ]);
    const error = await client.page(DATASET, { klpd: 'D999', year: 2023 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedRejectedError);
    expect(error).toMatchObject({
      code: 'FEED_REJECTED',
      details: { status: 401, upstream: { code: 'UNAUTHORIZED' } },
    });
    expect(urls).toHaveLength(1);
  });

  it('treats a 200 HTML page as an error, retries it, and reads the next answer', async () => {
    const html = new Response('<html>Just a moment...</html>', { headers: { 'content-type': 'text/html' } });
    const { client, urls } = scripted([html, page([{ ok: true }], null, false)]);
    expect((await client.page(DATASET, { klpd: 'D999', year: 2023 })).rows).toEqual([{ ok: true }]);
    expect(urls).toHaveLength(2);
  });

  it('surfaces FEED_BAD_RESPONSE when the JSON stays truncated', async () => {
    const cut = () =>
      Promise.resolve(new Response('{"data":[{"a":', { headers: { 'content-type': 'application/json' } }));
    const { client } = scripted([cut, cut, cut, cut]);
    const error = await client.page(DATASET, { klpd: 'D999', year: 2023 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedBadResponseError);
    expect((error as Error).message).toContain('truncated or invalid JSON');
  });

  it('does not take an error envelope answered with 200 for data', async () => {
    const { client, urls } = scripted([json({ success: false, error: { code: 'OOPS', message: 'no' } })]);
    const error = await client.page(DATASET, { klpd: 'D999', year: 2023 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedBadResponseError);
    expect(urls).toHaveLength(1);
  });

  it('pages until has_more is false, passing each cursor back verbatim', async () => {
    const big = 'djEuOTAwNzE5OTI1NDc0MDk5My4y';
    const { client, urls } = scripted([
      page([1, 2], big, true),
      page([3], 'next', true),
      page([], null, false),
    ]);
    const pages = [];
    for await (const p of client.pages(DATASET, { klpd: 'D999', year: 2023, limit: 2 })) pages.push(p);
    expect(pages.map((p) => [p.pageNumber, p.rows, p.hasMore])).toEqual([
      [1, [1, 2], true],
      [2, [3], true],
      [3, [], false],
    ]);
    expect(new URL(urls[1]!).searchParams.get('cursor')).toBe(big);
  });

  it('stops a snapshot whose cursor does not advance', async () => {
    const { client } = scripted([page([1], 'same', true), page([2], 'same', true)]);
    const run = async () => {
      for await (const _ of client.pages(DATASET, { klpd: 'D999', year: 2023 })) {
        // drain
      }
    };
    await expect(run()).rejects.toBeInstanceOf(FeedPagingError);
  });

  it('ends a pull whose cursor points back to a page it already read', async () => {
    const { client } = scripted([page([1], 'a', true), page([2], 'b', true), page([3], 'a', true)]);
    const read: unknown[] = [];
    const run = async () => {
      for await (const p of client.pages(DATASET, { klpd: 'D999', year: 2023 })) read.push(...p.rows);
    };
    await expect(run()).rejects.toThrow(/seen before/);
    expect(read).toEqual([1, 2, 3]);
  });

  it('ends a pull after a chain of empty pages that say has_more, and past the page ceiling', async () => {
    const empty = scripted(Array.from({ length: 10 }, (_, i) => page([], `c${i}`, true)));
    const drain = async (
      client: typeof empty.client,
      options: { maxEmptyPages?: number; maxPages?: number },
    ) => {
      let pages = 0;
      for await (const _ of client.pages(DATASET, { klpd: 'D999', year: 2023, ...options })) pages += 1;
      return pages;
    };
    await expect(drain(empty.client, { maxEmptyPages: 3 })).rejects.toThrow(/empty pages/);
    const long = scripted(Array.from({ length: 10 }, (_, i) => page([i], `c${i}`, true)));
    await expect(drain(long.client, { maxPages: 4 })).rejects.toBeInstanceOf(FeedPagingError);
  });

  it('keeps at most `concurrency` requests in flight across callers', async () => {
    let inFlight = 0;
    let most = 0;
    const client = new FeedClient({
      baseUrl: 'http://feed.test',
      token: 't',
      concurrency: 2,
      fetch: async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight -= 1;
        return page([], null, false);
      },
    });
    await Promise.all(Array.from({ length: 7 }, () => client.page(DATASET, { klpd: 'D999', year: 2023 })));
    expect(most).toBe(2);
  });

  it('stops without retrying when the caller aborts', async () => {
    const controller = new AbortController();
    const client = new FeedClient({
      baseUrl: 'http://feed.test',
      token: 't',
      fetch: (_input, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
          setTimeout(() => controller.abort(new Error('shutting down')), 10);
        }),
    });
    await expect(
      client.page(DATASET, { klpd: 'D999', year: 2023, signal: controller.signal }),
    ).rejects.toThrow('shutting down');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Sun, 31 Dec 2023 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
