// The only reader of process.env: every setting is parsed and checked here, once, at start.
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

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgresql://postgres@127.0.0.1:5432/bisma'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key (BullMQ queues, caches): lets several deployments share a Redis. */
  REDIS_PREFIX: z.string().min(1).default('bisma'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),
  FEED_URL: url(['http:', 'https:']).default('http://127.0.0.1:4010'),
  FEED_TOKEN: z.string().default('demo-token'),
  /** DKI Jakarta's real KLPD code was not found in public sources: a placeholder by default. */
  FEED_KLPD: z.string().min(1).default('D999'),
  FEED_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  /** Address the feed simulator listens on (0.0.0.0 inside a container). */
  FEED_SIM_HOST: z.string().min(1).default('127.0.0.1'),
  /** Run the feed simulator as a child of the main job (`npm start`). */
  FEED_SIM: bool.default(true),
  INGEST_CRON: z.string().min(1).default('0 * * * *'),
  INGEST_TZ: z.string().min(1).default('Asia/Jakarta'),
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
  /** A scheduled slot not started within this time counts as missed. */
  INGEST_MISSED_GRACE_MS: z.coerce.number().int().min(0).default(300_000),
  /** How often each worker checks that every source's job scheduler is alive. */
  SCHEDULER_WATCHDOG_MS: z.coerce.number().int().min(100).default(60_000),
  /** BullMQ job lock: a worker that stops renewing it (killed) loses its job after this. */
  WORKER_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  /** How often BullMQ looks for jobs whose worker died (stalled) and hands them to another. */
  WORKER_STALLED_MS: z.coerce.number().int().min(500).default(30_000),
  /** Load the demo data set into an empty database when the main job starts. */
  DEMO_SEED: bool.default(true),
  /** An admin API key to create at start if none exists (development convenience). */
  BOOTSTRAP_ADMIN_KEY: z.string().min(16).optional(),
});

export type Config = z.infer<typeof envSchema>;

/** Parses an environment; throws one ConfigError naming every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`, problems);
}

let cached: Config | undefined;

/** The process's configuration, parsed from process.env on first use. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
