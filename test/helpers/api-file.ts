// The preamble API test files share: before the file's tests, a database of its own, the data the
// file asks for, the API on a free port and the test keys; after them, the server, the database
// pool and the file's Redis keys are closed.
import { afterAll, beforeAll } from '@jest/globals';
import { closeDb } from '../../src/lib/db.js';
import { type Api, createKeys, type Keys, startApi } from '../factories/api.js';
import { createTestDatabase } from './db.js';
import { flushTestPrefix } from './redis.js';

export interface ApiFileOptions {
  /** Loads the file's data into its fresh database, before the API starts. */
  seed?: () => Promise<unknown>;
  /** Options of buildServer, as production passes them. */
  server?: Parameters<typeof startApi>[0];
}

/**
 * Registers the hooks and returns the API and the keys as they will be once the tests run (each a
 * stand-in that reads the real object, which exists only after `beforeAll`).
 */
export function apiTestFile(options: ApiFileOptions = {}): { api: Api; keys: Keys } {
  let api: Api | undefined;
  let keys: Keys | undefined;
  beforeAll(async () => {
    await createTestDatabase();
    await options.seed?.();
    api = await startApi(options.server);
    keys = await createKeys();
  });
  afterAll(async () => {
    await api?.close();
    await closeDb();
    await flushTestPrefix();
  });
  return { api: lateBound(() => api, 'api'), keys: lateBound(() => keys, 'keys') };
}

function lateBound<T extends object>(current: () => T | undefined, name: string): T {
  const target = (): T => {
    const value = current();
    if (!value) throw new Error(`${name} is only there once the file's beforeAll has run`);
    return value;
  };
  return new Proxy({} as T, {
    get: (_stub, prop) => {
      const value = Reflect.get(target(), prop);
      return typeof value === 'function' ? value.bind(target()) : value;
    },
    has: (_stub, prop) => Reflect.has(target(), prop),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_stub, prop) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), prop);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}
