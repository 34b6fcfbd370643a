// Picks the transport of a dataset (per deployment, overridable per dataset) and builds it:
// the cursor envelope at its configured path, INAPROC legacy or ISB.
import type { Config } from '../../config/env.js';
import { ConfigError } from '../../lib/errors.js';
import { createFeedClient, FEED_CLIENT_DEFAULTS, type FeedClientOptions } from '../client.js';
import { type FeedDataset, isFeedDataset } from '../contract.js';
import { BareArrayTransport } from './bare-array.js';
import {
  type FeedTransport,
  TRANSPORT_NAMES,
  type TransportName,
  type TransportPage,
  type TransportRequest,
} from './types.js';

export type { FeedTransport, TransportName, TransportPage, TransportRequest } from './types.js';

/** ISB's names of the datasets (the path segment after the service id). */
export const ISB_DATASET_NAMES: Record<FeedDataset, string> = {
  'rup/master-satker': 'RUP-MasterSatker',
  'rup/paket-penyedia-terumumkan': 'RUP-PaketPenyedia-Terumumkan',
  'tender/tender-ekontrak-kontrak': 'SPSE-TenderEkontrak-Kontrak',
  'tender/non-tender-ekontrak-kontrak': 'SPSE-NonTenderEkontrak-Kontrak',
  'tender/pencatatan-non-tender': 'SPSE-PencatatanNonTender',
  'ekatalog/paket-e-purchasing': 'Ecat-PaketEPurchasing',
  'legacy/bela/toko-daring-realisasi': 'Bela-TokoDaringRealisasi',
};

export interface TransportConfig {
  baseUrl: string;
  token: string;
  transport: TransportName;
  /** Datasets that use another transport than the deployment's. */
  overrides: Partial<Record<FeedDataset, TransportName>>;
  cursorPath: string;
  legacyPath: string;
  isbKey: string;
  isbServiceId: string;
  isbNames: Partial<Record<FeedDataset, string>>;
}

/** `dataset=value,…` → a map; a dataset or value that is not known is a configuration error. */
export function parseAssignments<V extends string>(
  variable: string,
  text: string,
  check: (value: string) => value is V,
): Partial<Record<FeedDataset, V>> {
  const out: Partial<Record<FeedDataset, V>> = {};
  const problems: string[] = [];
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const at = part.indexOf('=');
    const dataset = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (at < 0 || !isFeedDataset(dataset)) problems.push(`${variable}: ${part.trim()} names no feed dataset`);
    else if (!check(value)) problems.push(`${variable}: ${value} is not allowed for ${dataset}`);
    else out[dataset] = value;
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '), problems);
  return out;
}

const isTransport = (v: string): v is TransportName => (TRANSPORT_NAMES as readonly string[]).includes(v);
const isName = (v: string): v is string => /^[A-Za-z0-9._-]+$/.test(v);

export function transportConfig(cfg: Config): TransportConfig {
  return {
    baseUrl: cfg.FEED_URL,
    token: cfg.FEED_TOKEN,
    transport: cfg.FEED_TRANSPORT,
    overrides: parseAssignments('FEED_TRANSPORTS', cfg.FEED_TRANSPORTS, isTransport),
    cursorPath: cfg.FEED_CURSOR_PATH,
    legacyPath: cfg.FEED_LEGACY_PATH,
    isbKey: cfg.FEED_ISB_KEY,
    isbServiceId: cfg.FEED_ISB_SERVICE_ID,
    isbNames: parseAssignments('FEED_ISB_DATASETS', cfg.FEED_ISB_DATASETS, isName),
  };
}

export function transportName(dataset: FeedDataset, tc: Pick<TransportConfig, 'transport' | 'overrides'>) {
  return tc.overrides[dataset] ?? tc.transport;
}

const base = (url: string) => url.replace(/\/+$/, '');

/** The transport that reads `dataset`; client settings (timeouts, retries) apply to all three. */
export function transportFor(
  dataset: FeedDataset,
  tc: TransportConfig,
  client: Partial<FeedClientOptions> = {},
): FeedTransport {
  const name = transportName(dataset, tc);
  const baseUrl = base(client.baseUrl ?? tc.baseUrl);
  const token = client.token ?? tc.token;
  if (name === 'cursor') {
    const feed = createFeedClient({ ...client, baseUrl, token, path: client.path ?? tc.cursorPath });
    return {
      name,
      pages: (request: TransportRequest): AsyncIterable<TransportPage> =>
        feed.pages(request.dataset, {
          klpd: request.klpd,
          ...(request.year !== undefined ? { year: request.year } : {}),
          ...(request.asOf ? { asOf: request.asOf } : {}),
          ...(request.limit ? { limit: request.limit } : {}),
          startCursor: request.startCursor ?? null,
          ...(request.firstPageNumber ? { firstPageNumber: request.firstPageNumber } : {}),
          ...(request.params ? { params: request.params } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
          ...(request.maxPages !== undefined ? { maxPages: request.maxPages } : {}),
          ...(request.maxEmptyPages !== undefined ? { maxEmptyPages: request.maxEmptyPages } : {}),
        }),
    };
  }
  const settings = {
    token,
    timeoutMs: client.timeoutMs ?? FEED_CLIENT_DEFAULTS.timeoutMs,
    retries: client.retries ?? FEED_CLIENT_DEFAULTS.retries,
    backoffBaseMs: client.backoffBaseMs ?? FEED_CLIENT_DEFAULTS.backoffBaseMs,
    backoffMaxMs: client.backoffMaxMs ?? FEED_CLIENT_DEFAULTS.backoffMaxMs,
    maxRetryAfterMs: client.maxRetryAfterMs ?? FEED_CLIENT_DEFAULTS.maxRetryAfterMs,
    fetch: client.fetch ?? globalThis.fetch,
    random: client.random ?? Math.random,
    sleep: client.sleep ?? sleep,
    secretInPath: name === 'isb' && tc.isbKey ? tc.isbKey : null,
  };
  if (name === 'legacy') {
    return new BareArrayTransport(name, settings, (r) => {
      const url = new URL(`${baseUrl}${tc.legacyPath.replaceAll('{dataset}', r.dataset)}`);
      url.searchParams.set('kode_klpd', r.klpd);
      if (r.year !== undefined) url.searchParams.set('tahun', String(r.year));
      return url;
    });
  }
  return new BareArrayTransport(name, settings, (r) => {
    const dataset = encodeURIComponent(tc.isbNames[r.dataset] ?? ISB_DATASET_NAMES[r.dataset]);
    const key = encodeURIComponent(tc.isbKey);
    const service = encodeURIComponent(tc.isbServiceId);
    const parameter = `${r.year ?? new Date().getFullYear()}:${encodeURIComponent(r.klpd)}`;
    return new URL(`${baseUrl}/isb-2/api/${key}/json/${service}/${dataset}/tipe/4:12/parameter/${parameter}`);
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
