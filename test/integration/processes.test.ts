// The API and worker entry points as real processes: clean start, clear failures, clean stop.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '../helpers/db.js';
import { freePort, spawnEntry, waitForHttp, waitForOutput } from '../helpers/process.js';
import { flushTestPrefix } from '../helpers/redis.js';

beforeAll(async () => {
  await createTestDatabase();
});
afterAll(flushTestPrefix);

/** Starts the API from `entry`; it serves health, readiness and GraphQL, then exits 0 on SIGTERM. */
async function servesThenStops(entry: string): Promise<void> {
  const port = await freePort();
  const api = spawnEntry(entry, { PORT: String(port), HOST: '127.0.0.1' });
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
}

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
    await servesThenStops('src/api/main.ts');
  });

  it('logs "api stopped" and exits 0 on SIGTERM outside tests too (development mode)', async () => {
    const port = await freePort();
    const api = spawnEntry('src/api/main.ts', {
      NODE_ENV: 'development',
      LOG_PRETTY: 'false',
      LOG_LEVEL: 'info',
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    await waitForOutput(api, (out) => out.includes('api listening on http://127.0.0.1:'));
    api.child.kill('SIGTERM');
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(api.output().stdout).toMatch(/"msg":"api stopped"/);
  });

  it('says in one line which setting names a port already in use', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const api = spawnEntry('src/api/main.ts', { PORT: String(port), HOST: '127.0.0.1' });
      expect((await api.exited).code).toBe(1);
      expect(api.output().stderr.trimEnd()).toBe(
        `bisma api failed to start: PORT_IN_USE: port ${port} on 127.0.0.1 is already in use: ` +
          'stop what listens there or set PORT to another port',
      );
    } finally {
      taken.close();
    }
  });
});

describe('the worker process', () => {
  it('waits for a Redis that is down with one line, no stack, and still stops cleanly', async () => {
    const worker = spawnEntry('src/worker/main.ts', { LOG_LEVEL: 'info', REDIS_URL: 'redis://127.0.0.1:1' });
    await waitForOutput(worker, (out) => out.includes('worker waiting'));
    // Several retries (every 2 s) pass without another line.
    await new Promise((r) => setTimeout(r, 4_500));
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    const { stdout, stderr } = worker.output();
    expect(stderr).toBe('');
    const waiting = stdout.split('\n').filter((line) => line.includes('waiting'));
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toContain('cannot reach Redis at redis://127.0.0.1:1 (REDIS_URL)');
    expect(stdout).not.toMatch(/\n\s+at /);
    expect(stdout).toMatch(/worker stopped/);
  });

  it('starts against PostgreSQL and Redis and exits 0 on SIGTERM', async () => {
    const worker = spawnEntry('src/worker/main.ts', { LOG_LEVEL: 'info' });
    await waitForOutput(worker, (out) => out.includes('worker started'));
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.output().stdout).toMatch(/worker stopped/);
  });
});

describe('the compiled production processes (npm run build, as npm start runs them)', () => {
  beforeAll(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8' });
    expect(build.stderr + build.stdout).toBe('');
    expect(build.status).toBe(0);
  }, 120_000);

  it('compiles every entry to dist/ with the SQL files the ingest reads beside it', () => {
    for (const entry of ['main', 'api/main', 'worker/main', 'demo/simulator-main', 'cli/bisma']) {
      expect(existsSync(`dist/${entry}.js`)).toBe(true);
    }
    expect(readFileSync('dist/services/ingest/sql/merge.sql', 'utf8')).toBe(
      readFileSync('src/services/ingest/sql/merge.sql', 'utf8'),
    );
  });

  it("runs the compiled main job (npm start) on an empty database: demo data, history replayed, FEED.md's 2023 figure, then SIGTERM stops it all with 0", async () => {
    const [port, simPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const main = spawnEntry('dist/main.js', {
      LOG_LEVEL: 'info',
      PORT: String(port),
      HOST: '127.0.0.1',
      FEED_SIM_PORT: String(simPort),
      FEED_URL: `http://127.0.0.1:${simPort}`,
      WORKER_METRICS_PORT: String(metricsPort),
    });
    try {
      await waitForOutput(main, (out) => out.includes('bisma ready'), 120_000);
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ kpiSummary(year: 2023) { asOf realisation attainment } }' }),
      });
      const body = (await res.json()) as { data: { kpiSummary: { asOf: string; realisation: string } } };
      expect(body.data.kpiSummary.asOf).toBe('2023-11-05');
      expect(Number(body.data.kpiSummary.realisation) / 1e12).toBeCloseTo(13.1, 1);
    } finally {
      main.child.kill('SIGTERM');
    }
    expect(await main.exited).toEqual({ code: 0, signal: null });
  }, 150_000);
});
