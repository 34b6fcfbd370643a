// Runs before each test file: gives the file its own database and Redis key prefix, so files
// run in parallel and a failed run leaves nothing that breaks the next.
import { randomBytes } from 'node:crypto';

const id = randomBytes(4).toString('hex');
const run = process.env.BISMA_TEST_RUN ?? 'norun';
const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
base.pathname = `/bisma_test_${run}_${id}`;

process.env.NODE_ENV = 'test';
process.env.DATABASE_URL = base.toString();
process.env.REDIS_PREFIX = `bisma_test_${run}_${id}`;
process.env.LOG_LEVEL ??= 'silent';
process.env.DB_POOL_MAX ??= '5';
