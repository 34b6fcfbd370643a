// The only reader of process.env: every setting is parsed and checked here, once, at start.
import { readFileSync } from 'node:fs';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { ConfigError } from '../lib/errors.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const timeZone = z
  .string()
  .min(1)
  .refine(isTimeZone, { message: 'must be an IANA time zone, e.g. Asia/Jakarta' });

/** Checked here, at start, so a bad pattern is one line naming INGEST_CRON, not a failed job later. */
function cronProblem(pattern: string, zone: string): string | undefined {
  try {
    CronExpressionParser.parse(pattern, { tz: zone, strict: false }).next();
    return undefined;
  } catch (err) {
    return `must be a cron pattern such as '0 * * * *' (${(err as Error).message})`;
  }
}

const settings = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** The path a reverse proxy publishes Bisma under (e.g. /bisma); pages and links then use it. */
  BASE_PATH: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)*\/?$/, { message: 'must be a path such as /bisma' })
    .default('')
    .transform((v) => v.replace(/\/$/, '')),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgresql://postgres@127.0.0.1:5432/bisma'),
  /** Where the API's content-version listener connects (LISTEN needs a session of its own): set it
   *  when DATABASE_URL goes through a transaction-pooling PgBouncer. Default: DATABASE_URL. */
  DATABASE_LISTEN_URL: url(['postgres:', 'postgresql:']).optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  // API protection (docs/security.md). A rate limit of 0 turns that limit off.
  /** Largest request body the API reads. */
  API_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** Executing one operation past this time fails its remaining fields with QUERY_TIMEOUT. */
  API_QUERY_TIMEOUT_MS: z.coerce.number().int().min(1).default(15_000),
  /** Whether callers without a key may introspect the schema (analysts and admins always may). */
  API_PUBLIC_INTROSPECTION: bool.default(true),
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (per-address limits). */
  API_TRUST_PROXY: bool.default(false),
  /** The window of every rate limit. */
  RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).default(60),
  /** Requests per window from one client address to /graphql, whoever the caller is. */
  RATE_LIMIT_ADDRESS_REQUESTS: z.coerce.number().int().min(0).default(3_000),
  /** Query cost per window for callers without a key, per address. */
  RATE_LIMIT_PUBLIC_POINTS: z.coerce.number().int().min(0).default(200_000),
  /** Query cost per window for each API key. */
  RATE_LIMIT_KEY_POINTS: z.coerce.number().int().min(0).default(1_000_000),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key (BullMQ queues, caches): lets several deployments share a Redis. */
  REDIS_PREFIX: z.string().min(1).default('bisma'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),
  /** Bearer token Prometheus sends to scrape /metrics (API and worker); admin API keys also may. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Port of the worker's own /metrics (0: a free port; absent: the worker serves none). */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  WORKER_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  /** The feed (default: the simulator, on FEED_SIM_PORT). */
  FEED_URL: url(['http:', 'https:']).optional(),
  FEED_TOKEN: z.string().default('demo-token'),
  /** DKI Jakarta's real KLPD code was not found in public sources: a placeholder by default. */
  FEED_KLPD: z.string().min(1).default('D999'),
  /** Whether the feed answers `as_of=YYYY-MM-DD` (LKPP's cursor API and the simulator do; the INAPROC
   *  legacy and ISB transports do not): without it a BACKFILL catch-up runs as RUN_ONCE. */
  FEED_ANSWERS_AS_OF: bool.default(true),
  /**
   * How the feed answers (src/feed/transports): `cursor` (LKPP's paged envelope), `legacy`
   * (INAPROC's bare arrays) or `isb` (Inaproc Service Bus, bare arrays, key in the path).
   */
  FEED_TRANSPORT: z.enum(['cursor', 'legacy', 'isb']).default('cursor'),
  /** Per-dataset transport overrides: `dataset=transport,…` (e.g. `legacy/bela/toko-daring-realisasi=legacy`). */
  FEED_TRANSPORTS: z.string().default(''),
  /** Path of the cursor envelope under FEED_URL; `{dataset}` is the feed dataset path. */
  FEED_CURSOR_PATH: z.string().min(1).default('/api/v1/{dataset}'),
  /** Path of INAPROC's legacy API under FEED_URL. */
  FEED_LEGACY_PATH: z.string().min(1).default('/api/legacy/{dataset}'),
  /** The ISB key (part of the path, not a header). */
  FEED_ISB_KEY: z.string().default(''),
  /** The ISB service id of the deployment. */
  FEED_ISB_SERVICE_ID: z.string().default('1'),
  /** ISB dataset names that differ from the built-in table: `dataset=Name,…`. */
  FEED_ISB_DATASETS: z.string().default(''),
  /** Pull rup/master-satker (the agencies) as a source per KLPD, for the latest configured year. */
  INGEST_AGENCIES: bool.default(false),
  /**
   * e-Katalog v6 orders paid outside the system (`status_pkt` = PAYMENT_OUTSIDE_SYSTEM) whose
   * delivery is COMPLETED: `count` them as realisation (default) or `exclude` them.
   */
  EKATALOG_OUTSIDE_SYSTEM: z.enum(['count', 'exclude']).default('count'),
  FEED_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  /** Address the feed simulator listens on (0.0.0.0 inside a container). */
  FEED_SIM_HOST: z.string().min(1).default('127.0.0.1'),
  /** Run the feed simulator as a child of the main job (`npm start`); off by default in production. */
  FEED_SIM: bool.optional(),
  INGEST_CRON: z.string().min(1).default('0 * * * *'),
  INGEST_TZ: timeZone.default('Asia/Jakarta'),
  /** What a worker does at start about scheduled runs missed while none ran (new sources). */
  INGEST_CATCH_UP: z.enum(['SKIP', 'RUN_ONCE', 'BACKFILL']).default('RUN_ONCE'),
  /** Pull every enabled source once when a worker starts. */
  INGEST_PULL_ON_START: bool.default(true),
  /** Fiscal years with a feed source per dataset (comma-separated). */
  INGEST_YEARS: z
    .string()
    .regex(/^\d{4}(,\d{4})*$/, { message: 'must be years separated by commas, e.g. 2022,2023,2024' })
    .default('2022,2023,2024')
    .transform((v) => v.split(',').map(Number)),
  /** Pull jobs one worker process runs at once (different sources; one run per source at a time). */
  INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  /** Rows written per transaction (whole pages are never split). */
  INGEST_BATCH_ROWS: z.coerce.number().int().min(1).max(100_000).default(5_000),
  /** Rows asked for per feed page (the feed clamps at 1000). */
  INGEST_PAGE_LIMIT: z.coerce.number().int().min(1).max(1000).default(1000),
  /** Attempts of a pull job before its run is marked failed (each resumes from the cursor). */
  INGEST_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  /** A run whose source is busy (another run in progress) is tried again after this. */
  INGEST_BUSY_RETRY_MS: z.coerce.number().int().min(10).default(5_000),
  /** At most this many missed slots are backfilled per source (policy BACKFILL). */
  INGEST_BACKFILL_MAX: z.coerce.number().int().min(1).max(10_000).default(48),
  /**
   * A complete snapshot that would withdraw more than this share (0–1) of its source's live items
   * is held for an operator instead of applied.
   */
  INGEST_MAX_WITHDRAW_SHARE: z.coerce.number().min(0).max(1).default(0.05),
  /** A pull that reads more pages than this ends FAILED (a feed that never ends). */
  INGEST_MAX_PAGES: z.coerce.number().int().min(1).default(100_000),
  /** A pull that reads more empty pages in a row (each saying has_more) than this ends FAILED. */
  INGEST_MAX_EMPTY_PAGES: z.coerce.number().int().min(0).default(5),
  /**
   * The longest Retry-After a pull honours: its job is delayed that long (not retried early); a
   * feed that asks for longer fails the run with that reason.
   */
  INGEST_MAX_RETRY_AFTER_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** A scheduled slot not started within this time counts as missed. */
  INGEST_MISSED_GRACE_MS: z.coerce.number().int().min(0).default(300_000),
  /** How often each worker checks that every source's job scheduler is alive. */
  SCHEDULER_WATCHDOG_MS: z.coerce.number().int().min(100).default(60_000),
  /** BullMQ job lock: a worker that stops renewing it (killed) loses its job after this. */
  WORKER_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  /** How often BullMQ looks for jobs whose worker died (stalled) and hands them to another. */
  WORKER_STALLED_MS: z.coerce.number().int().min(500).default(30_000),
  /** Drift rules (defaults; admins change them with setKpiDriftRules): a recompute whose year's
   *  realisation falls by more than this percent is held (0 or less: rule off). */
  KPI_DRIFT_MAX_FALL_PERCENT: z.coerce.number().default(20),
  /** …or whose runs rejected more than this percent of the rows they read (0 or less: off). */
  KPI_DRIFT_MAX_REJECTED_PERCENT: z.coerce.number().default(10),
  /** …or in which an agency that had realisation items has none. */
  KPI_DRIFT_AGENCY_ZERO: bool.default(true),
  /** Load the demo data set into an empty database when the main job starts; off by default in
   *  production (set DEMO_SEED=true there to have it anyway). */
  DEMO_SEED: bool.optional(),
  /** An admin API key to create at start if none exists (development convenience). */
  BOOTSTRAP_ADMIN_KEY: z.string().min(16).optional(),
  /** Answer read-mostly queries from the shared response cache (default: on, off under NODE_ENV=test). */
  RESPONSE_CACHE: bool.optional(),
  /** How long a cached answer is kept (keys name their data versions; this only bounds memory). */
  RESPONSE_CACHE_TTL_S: z.coerce.number().int().min(1).default(600),
  /** How long browsers and shared proxies may keep a cacheable public GraphQL answer
   *  (`Cache-Control: public, max-age=…`), in seconds; 0: they revalidate every time. */
  PUBLIC_MAX_AGE_S: z.coerce.number().int().min(0).default(60),
  /** How long an automatic persisted query stays in Redis after it was registered, in seconds
   *  (default 7 days; 0: no expiry). */
  GRAPHQL_APQ_TTL_S: z.coerce.number().int().min(0).default(604_800),
  /** The longest query text registered as an automatic persisted query, in bytes (longer ones run
   *  but are not stored). */
  GRAPHQL_APQ_MAX_BYTES: z.coerce.number().int().min(0).default(16_384),
  /** Persisted queries kept in Redis in total: past it the least recently used are evicted. */
  GRAPHQL_APQ_MAX_ENTRIES: z.coerce.number().int().min(1).default(2_000),
  /** Persisted queries one client address may register per rate-limit window. */
  GRAPHQL_APQ_ADDRESS_REGISTRATIONS: z.coerce.number().int().min(0).default(100),
  /** graphql-ws connections open at once, in total and per client address. */
  API_WS_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(1_000),
  API_WS_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  /** Subscriptions (and in-flight operations) at once on one graphql-ws connection. */
  API_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(20),
  /** Production mode: run only the operations of the manifest below (docs/operations-cli.md). */
  GRAPHQL_ALLOWLIST: bool.default(false),
  /** The allow-list manifest (Apollo's format); default schema/operations.json. */
  GRAPHQL_ALLOWLIST_MANIFEST: z.string().min(1).optional(),
});

export const envSchema = settings
  .superRefine((env, ctx) => {
    // A bad zone is reported on its own; the pattern is then checked in UTC.
    const problem = cronProblem(env.INGEST_CRON, isTimeZone(env.INGEST_TZ) ? env.INGEST_TZ : 'UTC');
    if (problem) ctx.addIssue({ code: 'custom', path: ['INGEST_CRON'], message: problem });
  })
  .transform((env) => {
    // Production never gets demo rows or the simulator unless they are asked for by name.
    const demo = env.NODE_ENV !== 'production';
    return {
      ...env,
      DEMO_SEED: env.DEMO_SEED ?? demo,
      FEED_SIM: env.FEED_SIM ?? demo,
      // Without a FEED_URL the feed is the simulator, wherever FEED_SIM_PORT puts it.
      FEED_URL: env.FEED_URL ?? `http://127.0.0.1:${env.FEED_SIM_PORT}`,
      /** Whether FEED_URL was given (otherwise it follows the simulator). */
      FEED_URL_GIVEN: env.FEED_URL !== undefined,
    };
  });

export type Config = z.infer<typeof envSchema>;

/** Secrets that may come from a file named by `<NAME>_FILE` (Docker and Kubernetes secrets). */
export const SECRET_FILE_VARIABLES = [
  'DATABASE_URL',
  'DATABASE_LISTEN_URL',
  'REDIS_URL',
  'FEED_TOKEN',
  'METRICS_TOKEN',
  'BOOTSTRAP_ADMIN_KEY',
] as const;

/** `<NAME>_FILE` turned into `<NAME>` (the file's content without its final newline). */
function readSecretFiles(env: Record<string, string>, problems: string[]): Record<string, string> {
  const read = { ...env };
  for (const name of SECRET_FILE_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (file === undefined) continue;
    if (env[name] !== undefined) {
      problems.push(`${name}_FILE: give ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      read[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      problems.push(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return read;
}

/** Parses an environment; throws one ConfigError naming every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
  const problems: string[] = [];
  const result = envSchema.safeParse(readSecretFiles(cleaned, problems));
  if (result.success && problems.length === 0) return result.data;
  if (!result.success) {
    problems.push(...result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`, problems);
}

let cached: Config | undefined;

/** The process's configuration, parsed from process.env on first use. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
