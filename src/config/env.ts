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
  INGEST_CRON: z.string().min(1).default('0 * * * *'),
  INGEST_TZ: z.string().min(1).default('Asia/Jakarta'),
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
