// The published KPI data version, shared by every process through Redis: whoever publishes a
// version (the recompute, an approval, a rollback) announces it here; caches key their entries by
// it and subscriptions relay the announcement. Redis holds a copy, PostgreSQL the truth: a missing
// key is rebuilt from the database.
import type { Redis } from 'ioredis';
import { config } from '../../config/env.js';
import { pool } from '../../lib/db.js';
import { logger } from '../../lib/logger.js';
import { createRedis } from '../../lib/redis.js';

/** What a `kpiRefreshed` announcement carries. */
export interface KpiRefreshed {
  /** The data version now published. */
  version: number;
  /** Fiscal years whose figures changed. */
  years: number[];
  /** The snapshot date the version stands for (YYYY-MM-DD), when known. */
  asOf: string | null;
  /** When it was published (ISO timestamp). */
  publishedAt: string;
}

export function publishedVersionKey(): string {
  return `${config().REDIS_PREFIX}:kpi:published-version`;
}

export function kpiRefreshedChannel(): string {
  return `${config().REDIS_PREFIX}:kpi:refreshed`;
}

/** The published version according to PostgreSQL (0 before any version is published). */
export async function publishedVersionFromDatabase(): Promise<number> {
  const { rows } = await pool.query<{ id: number | null }>(
    `SELECT max(id) AS id FROM kpi_version WHERE status = 'PUBLISHED'`,
  );
  return rows[0]?.id ?? 0;
}

/** The published version: Redis's copy, rebuilt from the database when it is missing. */
export async function readPublishedVersion(redis: Redis): Promise<number> {
  const cached = await redis.get(publishedVersionKey());
  if (cached !== null) return Number(cached);
  const version = await publishedVersionFromDatabase();
  // NX: a concurrent announcement of a newer version wins over this rebuild.
  await redis.set(publishedVersionKey(), String(version), 'EX', KEY_TTL_S, 'NX');
  return Number((await redis.get(publishedVersionKey())) ?? version);
}

/** A lost announcement (Redis down at the wrong moment) is corrected within this many seconds. */
const KEY_TTL_S = 300;

/**
 * Records `event.version` as the published version and tells every subscriber. Called after the
 * publishing transaction commits; a failure is logged, not thrown (the data is already
 * committed; readers rebuild the key from the database once it expires). Publications are rare
 * (one per recompute), so each opens its own short connection and nothing lingers.
 */
export async function announceKpiRefreshed(event: Omit<KpiRefreshed, 'publishedAt'>): Promise<void> {
  const redis = createRedis('producer');
  const message: KpiRefreshed = { ...event, publishedAt: new Date().toISOString() };
  try {
    await redis.set(publishedVersionKey(), String(event.version), 'EX', KEY_TTL_S);
    await redis.publish(kpiRefreshedChannel(), JSON.stringify(message));
  } catch (err) {
    logger.warn({ err: (err as Error).message, version: event.version }, 'could not announce a kpi version');
  } finally {
    redis.disconnect();
  }
}
