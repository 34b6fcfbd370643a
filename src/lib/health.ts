// Reachability checks for PostgreSQL and Redis, shared by start-up and /readyz.
import type { Redis } from 'ioredis';
import { config } from '../config/env.js';
import { redactUrl } from './boot.js';
import { pool } from './db.js';
import { AppError } from './errors.js';

export async function checkDatabase(): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    throw new AppError(
      'DATABASE_UNREACHABLE',
      `cannot reach PostgreSQL at ${redactUrl(config().DATABASE_URL)}: ${(err as Error).message}`,
    );
  }
}

export async function checkRedis(redis: Redis): Promise<void> {
  try {
    await redis.ping();
  } catch (err) {
    throw new AppError(
      'REDIS_UNREACHABLE',
      `cannot reach Redis at ${redactUrl(config().REDIS_URL)}: ${(err as Error).message}`,
    );
  }
}
