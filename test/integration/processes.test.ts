// The API and worker entry points as real processes: clean start, clear failures, clean stop.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '../helpers/db.js';
import { freePort, spawnEntry, waitForHttp, waitForOutput } from '../helpers/process.js';
import { flushTestPrefix } from '../helpers/redis.js';

beforeAll(async () => {
  await createTestDatabase();
});
afterAll(flushTestPrefix);

describe('the API process', () => {
  it('exits non-zero with one clear line when DATABASE_URL points nowhere', async () => {
    const api = spawnEntry('src/api/main.ts', {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere',
      PORT: '0',
    });
    const { code } = await api.exited;
    expect(code).not.toBe(0);
    const lines = api.output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^bisma api failed to start: DATABASE_UNREACHABLE: cannot reach PostgreSQL at .*127\.0\.0\.1:1/,
    );
  });

  it('exits non-zero naming each invalid variable when the configuration is bad', async () => {
    const api = spawnEntry('src/api/main.ts', { DATABASE_URL: 'not a url', PORT: 'eighty' });
    const { code } = await api.exited;
    expect(code).toBe(1);
    const stderr = api.output().stderr.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/PORT:/);
    expect(stderr).toMatch(/DATABASE_URL:/);
  });

  it('serves health, readiness and GraphQL, then exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const api = spawnEntry('src/api/main.ts', { PORT: String(port), HOST: '127.0.0.1' });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ serverInfo { version } }' }),
      });
      expect(await res.json()).toMatchObject({
        data: { serverInfo: { version: expect.stringMatching(/^\d+\.\d+\.\d+/) } },
      });
    } finally {
      api.child.kill('SIGTERM');
    }
    expect(await api.exited).toEqual({ code: 0, signal: null });
  });
});

describe('the worker process', () => {
  it('starts against PostgreSQL and Redis and exits 0 on SIGTERM', async () => {
    const worker = spawnEntry('src/worker/main.ts', { LOG_LEVEL: 'info' });
    await waitForOutput(worker, (out) => out.includes('worker started'));
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.output().stdout).toMatch(/worker stopped/);
  });
});
