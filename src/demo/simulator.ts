// The feed simulator: a plain node:http server that answers like LKPP's open-data API from the
// deterministic generator in sim-data.ts, and injects faults on request.
//
// Endpoints
//   GET /healthz                                   → 200 {"status":"ok"} (no token needed)
//   GET /api/v1/{group}/{dataset}?kode_klpd=&tahun=&limit=&cursor=&as_of=&size=
//     with `Authorization: Bearer <token>`; answers {"data":[…],"meta":{"cursor","has_more","as_of"}}:
//     `as_of` is the date the answer stands as of (the one asked, else the data's latest date).
//   - kode_klpd is required; a KLPD other than the simulated one answers an empty snapshot.
//   - tahun (fiscal year, 2000–2100) is required except for rup/master-satker.
//   - limit defaults to 100 and is clamped to 1000.
//   - cursor is opaque (base64url); it is bound to the query it came from (a cursor replayed with
//     another dataset, year, as_of or size is refused with 400 INVALID_CURSOR).
//   - as_of=YYYY-MM-DD answers the data as it stood that day: rows dated after it do not exist,
//     RUP plans show the revision state of that day. Without as_of: everything, all revisions.
//   - size=N scales each (dataset, year) to N rows (1…20 000 000); without it (or the size
//     option) the default data set, which reproduces the reported figures (see sim-data.ts).
//   GET /api/legacy/{group}/{dataset}?kode_klpd=&tahun=&size=   (INAPROC legacy)
//     with `Authorization: Bearer <token>`; answers the whole snapshot as one bare JSON array,
//     streamed (no envelope, no paging, no as_of).
//   GET /isb-2/api/{key}/json/{serviceId}/{DatasetName}/tipe/4:12/parameter/{year}:{KLPD}   (ISB)
//     the key in the path is the credential (option isbKey, default 'demo-key'); DatasetName is
//     ISB's name (transports/index.ts); answers a bare JSON array like legacy; ?size= works too.
//   With the `dumps` option, a dataset's rows are the given rows (a dump as published, filtered by
//     its kd_klpd and year) on every route, instead of the generator's.
//   Errors use {"success":false,"error":{"code","message","details"}}: 400 BAD_REQUEST /
//   INVALID_CURSOR, 401 UNAUTHORIZED, 404 NOT_FOUND, 405 METHOD_NOT_ALLOWED, 429 RATE_LIMITED,
//   503 SERVICE_UNAVAILABLE.
//
// Faults: set for the whole server with `options.faults`, or per request with query parameters
// `fault_<name>=<value>` or a header `x-feed-faults: <name>=<value>, <name>=<value>`; a request's
// faults override the server's. All are off by default.
//   slowPageMs=<ms>          delay the answer of each data request by ms (with slowOnPage: only
//                            that page, and only the first faultTimes requests for it)
//   slowOnPage=<n>           restrict slowPageMs to page n (1-based; page 1 has no cursor)
//   failEveryNth5xx=<n>      every nth data request of the server answers 503 (1 = always)
//   rateLimitEveryNth=<n>    every nth data request answers 429 with Retry-After
//   retryAfterSeconds=<s>    the Retry-After of 429 answers (default 1)
//   retryAfterAsDate=1       send Retry-After as an HTTP date instead of seconds
//   truncateJsonOnPage=<n>   page n answers 200 with its JSON body cut in half
//   htmlChallengeOnPage=<n>  page n answers 200 text/html (a bot-challenge page)
//   faultTimes=<n>           how often a page fault fires for the same page of the same query
//                            before the page is served normally (default 1; 0 = every time)
//   invalidRowsEvery=<n>     every nth row (by row index) has an impossible date: a row to reject
//   changedRowsSeed=<s>      about one row in ten (chosen by s) shows changed amounts and title:
//                            two snapshots with different seeds differ in those rows only
//   disappearingRows=<n>     about one row in n is missing from the snapshot (always the same rows)
//   failOnPage=<n>           page n answers 503 (faultTimes times; 0 = for good)
//   forbiddenOnPage=<n>      page n answers 403 FORBIDDEN (faultTimes times; 0 = for good)
//   endEarlyOnPage=<n>       page n says has_more: false (the snapshot ends there, short)
//   emptySnapshot=1          every data request answers an empty, complete snapshot
//   loopCursorOnPage=<n>     page n's cursor points back to page 2 (the paging loops)
//   nullCursorOnPage=<n>     page n says has_more: true without a cursor
//   emptyPagesFromPage=<n>   page n and every page after it are empty, say has_more and give a fresh cursor
//   keylessRows=<n>          the first n rows of the snapshot lose their natural key (null, "", absent, in turn)
//   announceTotal=1          meta.total states the snapshot's row count (as it would be without faults
//                            that end or empty it)
// The nth-request counters are per server and count data requests only (not /healthz).
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  errorEnvelope,
  type FeedDataset,
  isFeedDataset,
  MAX_PAGE_LIMIT,
  NATURAL_KEY_FIELDS,
  type ProcurementDataset,
  parseFeedDate,
} from '../feed/contract.js';
import { centsToMoney, moneyToCents, parseMoney } from '../feed/money.js';
import { ISB_DATASET_NAMES } from '../feed/transports/index.js';
import { isCalendarDate } from '../lib/dates.js';
import {
  DEFAULT_KLPD,
  DEFAULT_SEED,
  dataAsOf,
  dayOf,
  FAULT_FIELDS,
  MAX_SIZE,
  MAX_YEAR,
  MIN_YEAR,
  mix,
  type RawRow,
  SimData,
} from './sim-data.js';

export interface FeedFaults {
  slowPageMs?: number;
  slowOnPage?: number;
  failEveryNth5xx?: number;
  rateLimitEveryNth?: number;
  retryAfterSeconds?: number;
  retryAfterAsDate?: boolean;
  truncateJsonOnPage?: number;
  htmlChallengeOnPage?: number;
  faultTimes?: number;
  invalidRowsEvery?: number;
  changedRowsSeed?: number;
  disappearingRows?: number;
  failOnPage?: number;
  forbiddenOnPage?: number;
  endEarlyOnPage?: number;
  emptySnapshot?: number;
  loopCursorOnPage?: number;
  nullCursorOnPage?: number;
  emptyPagesFromPage?: number;
  keylessRows?: number;
  announceTotal?: number;
}

export interface FeedSimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** The bearer token clients must send (default 'demo-token', as FEED_TOKEN's default). */
  token?: string;
  seed?: number;
  klpd?: string;
  /** Rows per (dataset, year); absent = the default data set. */
  size?: number;
  /** Page size when a request gives no limit. */
  defaultLimit?: number;
  faults?: FeedFaults;
  /** The ISB key the /isb-2 routes accept (default 'demo-key'). */
  isbKey?: string;
  /** Rows to serve instead of generated ones, per dataset (e.g. a real dump). */
  dumps?: Partial<Record<FeedDataset, readonly unknown[]>>;
}

export const DEFAULT_SIM_ISB_KEY = 'demo-key';

export interface RunningFeedSimulator {
  /** Base URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  /** Data requests answered so far (any status), for tests that count retries. */
  requestCount(): number;
  close(): Promise<void>;
}

export const DEFAULT_SIM_TOKEN = 'demo-token';
const DEFAULT_LIMIT = 100;
/** A page scans at most this many missing rows before answering short (has_more stays true). */
const MAX_SKIPPED_PER_PAGE = 200_000;

const FAULT_NAMES: ReadonlyArray<keyof FeedFaults> = [
  'slowPageMs',
  'slowOnPage',
  'failEveryNth5xx',
  'rateLimitEveryNth',
  'retryAfterSeconds',
  'retryAfterAsDate',
  'truncateJsonOnPage',
  'htmlChallengeOnPage',
  'faultTimes',
  'invalidRowsEvery',
  'changedRowsSeed',
  'disappearingRows',
  'failOnPage',
  'forbiddenOnPage',
  'endEarlyOnPage',
  'emptySnapshot',
  'loopCursorOnPage',
  'nullCursorOnPage',
  'emptyPagesFromPage',
  'keylessRows',
  'announceTotal',
];

const ISB_DATASETS = new Map(
  Object.entries(ISB_DATASET_NAMES).map(([dataset, name]) => [name, dataset as FeedDataset]),
);

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

interface Query {
  dataset: FeedDataset;
  klpd: string;
  year: number;
  asOf: string | null;
  limit: number;
  size: number | undefined;
  cursor: string | null;
}

/** Starts a simulator on 127.0.0.1 (port 0 = any free port). */
export async function startFeedSimulator(options: FeedSimulatorOptions = {}): Promise<RunningFeedSimulator> {
  const sim = new FeedSimulator(options);
  const server = createServer((req, res) => {
    sim.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, errorEnvelope('INTERNAL', (error as Error).message));
      else res.destroy();
    });
  });
  // Keep-alive sockets would hold close() open; they are closed explicitly below.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    requestCount: () => sim.dataRequests,
    close: () => closeServer(server, sim),
  };
}

function closeServer(server: Server, sim: FeedSimulator): Promise<void> {
  sim.shutdown();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

class FeedSimulator {
  dataRequests = 0;
  private readonly data: SimData;
  private readonly token: Buffer;
  /** How many times each page fault fired, by query fingerprint, page and fault. */
  private readonly fired = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: FeedSimulatorOptions) {
    this.data = new SimData({
      seed: options.seed ?? DEFAULT_SEED,
      klpd: options.klpd ?? DEFAULT_KLPD,
      ...(options.size !== undefined ? { size: options.size } : {}),
    });
    this.token = Buffer.from(`Bearer ${options.token ?? DEFAULT_SIM_TOKEN}`);
  }

  shutdown(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    try {
      if (req.method !== 'GET') {
        throw new HttpFailure(405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported`);
      }
      if (url.pathname === '/healthz') {
        send(res, 200, { status: 'ok' });
        return;
      }
      const route = this.route(url);
      if (route.kind === 'isb') this.authoriseKey(route.key);
      else this.authorise(req);
      const dataset = route.dataset;
      this.dataRequests += 1;
      const faults = { ...this.options.faults, ...requestFaults(req, url) };
      const n = this.dataRequests;
      if (faults.failEveryNth5xx && n % faults.failEveryNth5xx === 0) {
        throw new HttpFailure(503, 'SERVICE_UNAVAILABLE', 'the service is temporarily unavailable');
      }
      if (faults.rateLimitEveryNth && n % faults.rateLimitEveryNth === 0) {
        const seconds = faults.retryAfterSeconds ?? 1;
        const retryAfter = faults.retryAfterAsDate
          ? new Date(Date.now() + seconds * 1000).toUTCString()
          : String(seconds);
        send(res, 429, errorEnvelope('RATE_LIMITED', 'too many requests', { retry_after: seconds }), {
          'retry-after': retryAfter,
        });
        return;
      }
      if (route.kind !== 'cursor') {
        if (route.kind === 'isb') {
          url.searchParams.set('kode_klpd', route.klpd);
          url.searchParams.set('tahun', String(route.year));
        }
        const query = parseQuery(dataset, url);
        if (faults.htmlChallengeOnPage === 1 && this.fire(this.fingerprint(query), 'html', faults)) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(HTML_CHALLENGE);
          return;
        }
        const truncate =
          faults.truncateJsonOnPage === 1 && this.fire(this.fingerprint(query), 'truncate', faults);
        await this.streamArray(res, query, faults, truncate);
        return;
      }
      const query = parseQuery(dataset, url);
      const fingerprint = this.fingerprint(query);
      const position = decodeCursor(query.cursor, fingerprint);
      const page = position.page;
      const pageKey = `${fingerprint}:${page}`;

      const slow = faults.slowPageMs ?? 0;
      if (
        slow > 0 &&
        (faults.slowOnPage === undefined ||
          (faults.slowOnPage === page && this.fire(pageKey, 'slow', faults)))
      ) {
        await this.delay(slow, req);
        if (req.destroyed || res.destroyed) return;
      }
      if (faults.failOnPage === page && this.fire(pageKey, 'fail', faults)) {
        throw new HttpFailure(503, 'SERVICE_UNAVAILABLE', 'the service is temporarily unavailable');
      }
      if (faults.forbiddenOnPage === page && this.fire(pageKey, 'forbidden', faults)) {
        throw new HttpFailure(403, 'FORBIDDEN', 'the token may not read this dataset');
      }
      if (faults.htmlChallengeOnPage === page && this.fire(pageKey, 'html', faults)) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(HTML_CHALLENGE);
        return;
      }
      const body = JSON.stringify(this.page(query, position, fingerprint, faults));
      if (faults.truncateJsonOnPage === page && this.fire(pageKey, 'truncate', faults)) {
        const cut = Buffer.from(body).subarray(0, Math.floor(Buffer.byteLength(body) / 2));
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': cut.length,
        });
        res.end(cut);
        return;
      }
      sendText(res, 200, body);
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      const headers: Record<string, string> = error.status === 401 ? { 'www-authenticate': 'Bearer' } : {};
      send(res, error.status, errorEnvelope(error.code, error.message, error.details), headers);
    }
  }

  /** Which of the three transports a path asks, and for what. */
  private route(
    url: URL,
  ):
    | { kind: 'cursor' | 'legacy'; dataset: FeedDataset }
    | { kind: 'isb'; dataset: FeedDataset; key: string; year: number; klpd: string } {
    const path = url.pathname.replace(/\/+$/, '');
    for (const kind of ['cursor', 'legacy'] as const) {
      const prefix = kind === 'cursor' ? '/api/v1/' : '/api/legacy/';
      const dataset = path.slice(prefix.length);
      if (path.startsWith(prefix) && isFeedDataset(dataset)) return { kind, dataset };
    }
    const isb =
      /^\/isb-2\/api\/([^/]+)\/json\/([^/]+)\/([^/]+)\/tipe\/4:12\/parameter\/(\d{4}):([^/]+)$/.exec(path);
    const dataset = isb ? ISB_DATASETS.get(decodeURIComponent(isb[3]!)) : undefined;
    if (isb && dataset) {
      return {
        kind: 'isb',
        dataset,
        key: decodeURIComponent(isb[1]!),
        year: Number(isb[4]),
        klpd: decodeURIComponent(isb[5]!),
      };
    }
    throw new HttpFailure(404, 'NOT_FOUND', `no dataset at ${url.pathname}`);
  }

  private authoriseKey(key: string): void {
    const want = Buffer.from(this.options.isbKey ?? DEFAULT_SIM_ISB_KEY);
    const given = Buffer.from(key);
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      throw new HttpFailure(401, 'UNAUTHORIZED', 'a valid ISB key is required');
    }
  }

  /** The rows of one snapshot: a dump's, or the generator's with the row faults applied. */
  private *snapshotRows(query: Query, faults: FeedFaults): Generator<unknown> {
    const dump = this.options.dumps?.[query.dataset];
    if (dump) {
      for (const row of dump) if (inDump(row, query)) yield row;
      return;
    }
    if (query.klpd !== this.data.options.klpd) return;
    const plan = this.data.plan(query.dataset, query.year, query.size ?? this.data.options.size);
    const procurement = query.dataset !== 'rup/master-satker';
    for (const index of this.data.indices(plan, 0, null)) {
      const content = this.data.contentIndex(plan, index);
      if (procurement && faults.disappearingRows && mix(content, 0xd15a) % faults.disappearingRows === 0)
        continue;
      const row = this.data.row(plan, index, null);
      yield procurement ? alterRow(query.dataset as ProcurementDataset, row, content, faults) : row;
    }
  }

  /** Writes a whole snapshot as one JSON array, row by row, minding backpressure. */
  private async streamArray(res: ServerResponse, query: Query, faults: FeedFaults, truncate: boolean) {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    let chunk = '[';
    let count = 0;
    for (const row of this.snapshotRows(query, faults)) {
      chunk += (count === 0 ? '' : ',') + JSON.stringify(row);
      count += 1;
      if (truncate && count === 3) {
        res.end(chunk.slice(0, -5));
        return;
      }
      if (chunk.length >= 64 * 1024) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
        if (res.destroyed) return;
        chunk = '';
      }
    }
    res.end(`${chunk}]`);
  }

  private authorise(req: IncomingMessage): void {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== this.token.length || !timingSafeEqual(given, this.token)) {
      throw new HttpFailure(401, 'UNAUTHORIZED', 'a valid bearer token is required');
    }
  }

  /** Whether a page fault fires this time: the first faultTimes requests for the page. */
  private fire(pageKey: string, fault: string, faults: FeedFaults): boolean {
    const key = `${pageKey}:${fault}`;
    const count = this.fired.get(key) ?? 0;
    const limit = faults.faultTimes ?? 1;
    if (limit !== 0 && count >= limit) return false;
    this.fired.set(key, count + 1);
    return true;
  }

  private delay(ms: number, req: IncomingMessage): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        req.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.timers.add(timer);
      req.once('close', done);
    });
  }

  private fingerprint(query: Query): string {
    const text = [
      query.dataset,
      query.klpd,
      query.year,
      query.asOf ?? '',
      query.size ?? '',
      this.data.options.seed,
    ].join('|');
    let h = 0;
    for (let i = 0; i < text.length; i++) h = mix(h, text.charCodeAt(i));
    return h.toString(36);
  }

  private page(
    query: Query,
    position: { index: number; page: number },
    fingerprint: string,
    faults: FeedFaults,
  ) {
    const dump = this.options.dumps?.[query.dataset];
    if (dump) {
      const all = dump.filter((row) => inDump(row, query));
      const rows = all.slice(position.index, position.index + query.limit);
      const end = position.index + rows.length;
      const more = end < all.length;
      return {
        data: rows,
        meta: { cursor: more ? encodeCursor(end, position.page + 1, fingerprint) : null, has_more: more },
      };
    }
    if (query.klpd !== this.data.options.klpd || faults.emptySnapshot) {
      return { data: [], meta: { cursor: null, has_more: false } };
    }
    const page = position.page;
    if (faults.emptyPagesFromPage !== undefined && page >= faults.emptyPagesFromPage) {
      return {
        data: [],
        meta: { cursor: encodeCursor(position.index, page + 1, fingerprint), has_more: true },
      };
    }
    const plan = this.data.plan(query.dataset, query.year, query.size ?? this.data.options.size);
    const asOfDay = query.asOf === null ? null : dayOf(query.asOf);
    const rows: RawRow[] = [];
    let next: number | null = null;
    let skipped = 0;
    const procurement = query.dataset !== 'rup/master-satker';
    for (const index of this.data.indices(plan, position.index, asOfDay)) {
      const content = this.data.contentIndex(plan, index);
      if (procurement && faults.disappearingRows && mix(content, 0xd15a) % faults.disappearingRows === 0) {
        if (++skipped > MAX_SKIPPED_PER_PAGE) {
          next = index;
          break;
        }
        continue;
      }
      if (rows.length === query.limit) {
        next = index;
        break;
      }
      const row = this.data.row(plan, index, asOfDay);
      if (procurement && faults.keylessRows && index < faults.keylessRows) {
        const field = NATURAL_KEY_FIELDS[query.dataset as ProcurementDataset];
        if (index % 3 === 0) row[field] = null;
        else if (index % 3 === 1) row[field] = '';
        else delete row[field];
      }
      rows.push(procurement ? alterRow(query.dataset as ProcurementDataset, row, content, faults) : row);
    }
    let cursor = next === null ? null : encodeCursor(next, page + 1, fingerprint);
    let hasMore = next !== null;
    if (hasMore && faults.endEarlyOnPage === page) {
      cursor = null;
      hasMore = false;
    }
    if (hasMore && faults.loopCursorOnPage === page) cursor = encodeCursor(query.limit, 2, fingerprint);
    if (hasMore && faults.nullCursorOnPage === page) cursor = null;
    return {
      data: rows,
      meta: {
        cursor,
        has_more: hasMore,
        as_of: query.asOf ?? (query.year ? dataAsOf(query.year) : null),
        ...(faults.announceTotal ? { total: this.total(query, faults) } : {}),
      },
    };
  }

  /** The snapshot's row count, as announceTotal states it. */
  private total(query: Query, faults: FeedFaults): number {
    const plan = this.data.plan(query.dataset, query.year, query.size ?? this.data.options.size);
    const asOfDay = query.asOf === null ? null : dayOf(query.asOf);
    const procurement = query.dataset !== 'rup/master-satker';
    let count = 0;
    for (const index of this.data.indices(plan, 0, asOfDay)) {
      const content = this.data.contentIndex(plan, index);
      if (procurement && faults.disappearingRows && mix(content, 0xd15a) % faults.disappearingRows === 0)
        continue;
      count += 1;
    }
    return count;
  }
}

/** Whether a dump row belongs to the asked KLPD and year (master-satker has no year). */
function inDump(row: unknown, query: Query): boolean {
  if (typeof row !== 'object' || row === null) return false;
  const r = row as Record<string, unknown>;
  if (r.kd_klpd !== undefined && r.kd_klpd !== null && String(r.kd_klpd) !== query.klpd) return false;
  if (query.dataset === 'rup/master-satker' || !query.year) return true;
  const year = r.tahun_anggaran ?? r.tahun;
  return year === undefined || year === null || Number(year) === query.year;
}

/** Applies the row faults (invalid, changed) to a generated row. */
function alterRow(dataset: ProcurementDataset, row: RawRow, content: number, faults: FeedFaults): RawRow {
  const fields = FAULT_FIELDS[dataset];
  if (faults.changedRowsSeed !== undefined && mix(faults.changedRowsSeed, content) % 10 === 0) {
    for (const field of fields.amounts) {
      const parsed = parseMoney(row[field]);
      if (!parsed.ok || parsed.value === null) continue;
      // One percent more, in whole Rupiah: an exact change a content hash must notice.
      const cents = moneyToCents(parsed.value);
      row[field] = centsToMoney(cents + (cents / 100n / 100n) * 100n);
    }
    if (typeof row[fields.title] === 'string') row[fields.title] = `${row[fields.title]} (perubahan)`;
  }
  if (faults.invalidRowsEvery && (content + 1) % faults.invalidRowsEvery === 0) {
    row[fields.date] = '2023-02-30';
  }
  return row;
}

function requestFaults(req: IncomingMessage, url: URL): FeedFaults {
  const pairs: Array<[string, string]> = [];
  const header = req.headers['x-feed-faults'];
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(/[,;]/)) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (name) pairs.push([name, value ?? '']);
  }
  for (const [name, value] of url.searchParams) {
    if (name.startsWith('fault_')) pairs.push([name.slice('fault_'.length), value]);
  }
  const faults: FeedFaults = {};
  for (const [name, value] of pairs) {
    if (!(FAULT_NAMES as readonly string[]).includes(name)) {
      throw new HttpFailure(400, 'BAD_REQUEST', `unknown fault ${name}`, { faults: FAULT_NAMES });
    }
    if (name === 'retryAfterAsDate') {
      faults.retryAfterAsDate = value === '1' || value === 'true';
      continue;
    }
    const number = Number(value);
    if (value === '' || !Number.isInteger(number) || number < 0) {
      throw new HttpFailure(400, 'BAD_REQUEST', `fault ${name} needs a non-negative integer`);
    }
    (faults as Record<string, number>)[name] = number;
  }
  return faults;
}

function parseQuery(dataset: FeedDataset, url: URL): Query {
  const params = url.searchParams;
  const klpd = params.get('kode_klpd')?.trim();
  if (!klpd) throw new HttpFailure(400, 'BAD_REQUEST', 'kode_klpd is required', { field: 'kode_klpd' });
  const tahun = params.get('tahun');
  let year = 0;
  if (tahun !== null || dataset !== 'rup/master-satker') {
    year = Number(tahun);
    if (tahun === null || !/^\d{4}$/.test(tahun) || year < MIN_YEAR || year > MAX_YEAR) {
      throw new HttpFailure(400, 'BAD_REQUEST', `tahun must be a year between ${MIN_YEAR} and ${MAX_YEAR}`, {
        field: 'tahun',
      });
    }
  }
  let limit = DEFAULT_LIMIT;
  const limitText = params.get('limit');
  if (limitText !== null) {
    if (!/^\d+$/.test(limitText))
      throw new HttpFailure(400, 'BAD_REQUEST', 'limit must be a positive integer');
    limit = Math.min(Math.max(Number(limitText), 1), MAX_PAGE_LIMIT);
  }
  const asOfText = params.get('as_of');
  let asOf: string | null = null;
  if (asOfText !== null && asOfText !== '') {
    asOf = isCalendarDate(asOfText) ? parseFeedDate(asOfText) : null;
    if (asOf === null)
      throw new HttpFailure(400, 'BAD_REQUEST', 'as_of must be a date YYYY-MM-DD', { field: 'as_of' });
  }
  const sizeText = params.get('size');
  let size: number | undefined;
  if (sizeText !== null && sizeText !== '') {
    size = Number(sizeText);
    if (!/^\d+$/.test(sizeText) || size < 1 || size > MAX_SIZE) {
      throw new HttpFailure(400, 'BAD_REQUEST', `size must be between 1 and ${MAX_SIZE}`, { field: 'size' });
    }
  }
  return { dataset, klpd, year, asOf, limit, size, cursor: params.get('cursor') || null };
}

// The cursor names the next row's index as decimal text (so it could exceed 2^53), the page number
// and the query it belongs to. Clients never look inside.
function encodeCursor(index: number, page: number, fingerprint: string): string {
  return Buffer.from(`v1.${index}.${page}.${fingerprint}`).toString('base64url');
}

function decodeCursor(cursor: string | null, fingerprint: string): { index: number; page: number } {
  if (cursor === null) return { index: 0, page: 1 };
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  const [version, index, page, owner] = parts;
  if (parts.length !== 4 || version !== 'v1' || !/^\d+$/.test(index ?? '') || !/^\d+$/.test(page ?? '')) {
    throw new HttpFailure(400, 'INVALID_CURSOR', 'the cursor is not one this server issued');
  }
  if (owner !== fingerprint) {
    throw new HttpFailure(400, 'INVALID_CURSOR', 'the cursor belongs to another query');
  }
  const big = BigInt(index!);
  // Beyond any row: an empty last page rather than an error.
  return {
    index: big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big),
    page: Number(page),
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendText(res, status, JSON.stringify(body), headers);
}

function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

const HTML_CHALLENGE =
  '<!DOCTYPE html><html lang="en"><head><title>Just a moment...</title></head>' +
  '<body><h1>Checking your browser before accessing the site.</h1>' +
  '<noscript>Please enable JavaScript and cookies to continue.</noscript></body></html>';
