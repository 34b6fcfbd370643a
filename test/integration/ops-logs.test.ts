// Logs of real processes: JSON lines; every line written while serving a request (its database
// queries too) carries its id, and so do the lines of the ingest job that request queued, with
// the job id, in the worker process; API keys and passwords never appear; the level and the
// pretty output follow the configuration.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadDemoData } from '../../src/demo/seed.js';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { closeSharedProducer, sharedProducer } from '../../src/jobs/producer.js';
import { closeDb, pool } from '../../src/lib/db.js';
import { sourceKey } from '../../src/services/ingest/sources.js';
import { createKeys, type Keys } from '../factories/api.js';
import { createTestDatabase } from '../helpers/db.js';
import { KLPD } from '../helpers/ingest.js';
import {
  freePort,
  type Spawned,
  spawnEntry,
  waitFor,
  waitForHttp,
  waitForOutput,
} from '../helpers/process.js';
import { flushTestPrefix } from '../helpers/redis.js';

interface Line {
  level: number;
  time: number;
  msg: string;
  service: string;
  requestId?: string;
  jobId?: string;
  queue?: string;
  [field: string]: unknown;
}

const SOURCE = sourceKey('tender/pencatatan-non-tender', KLPD, 2023);
const DB_PASSWORD = 'db-pass-never-logged-7731';

let keys: Keys;
let sim: RunningFeedSimulator;
let api: Spawned;
let worker: Spawned;
let apiUrl: string;

function lines(spawned: Spawned): Line[] {
  return spawned
    .output()
    .stdout.split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);
}

const everything = () => [api, worker].map((p) => `${p.output().stdout}\n${p.output().stderr}`).join('\n');

beforeAll(async () => {
  await createTestDatabase();
  await loadDemoData();
  keys = await createKeys();
  sim = await startFeedSimulator({ klpd: KLPD });
  // PostgreSQL trusts local connections here: the password is accepted and ignored.
  const databaseUrl = new URL(process.env.DATABASE_URL!);
  databaseUrl.password = DB_PASSWORD;
  const common = { NODE_ENV: 'production', LOG_LEVEL: 'debug', DATABASE_URL: databaseUrl.toString() };
  worker = spawnEntry('src/worker/main.ts', {
    ...common,
    FEED_URL: sim.url,
    DEMO_SEED: 'false',
    INGEST_PULL_ON_START: 'false',
    INGEST_CRON: '0 0 1 1 *',
  });
  await waitForOutput(worker, (out) => out.includes('worker started'));
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  api = spawnEntry('src/api/main.ts', { ...common, HOST: '127.0.0.1', PORT: String(port) });
  await waitForHttp(`${apiUrl}/healthz`);
});
afterAll(async () => {
  for (const p of [api, worker]) if (p && p.child.exitCode === null) p.child.kill('SIGTERM');
  await Promise.all([api?.exited, worker?.exited]);
  await sim?.close();
  await closeSharedProducer();
  await flushTestPrefix();
  await closeDb();
});

describe('a request with a bearer key and the ingest run it queues', () => {
  const requestId = `ops-logs-${randomUUID()}`;
  let runId: number;

  beforeAll(async () => {
    const res = await fetch(`${apiUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${keys.admin}`,
        'x-request-id': requestId,
      },
      body: JSON.stringify({
        query: `mutation ($input: TriggerIngestRunInput!) {
          triggerIngestRun(input: $input) { ... on MutationTriggerIngestRunSuccess { data { runId } } }
        }`,
        variables: { input: { sourceKey: SOURCE } },
      }),
    });
    expect(res.headers.get('x-request-id')).toBe(requestId);
    runId = ((await res.json()) as { data: { triggerIngestRun: { data: { runId: number } } } }).data
      .triggerIngestRun.data.runId;
    await waitFor(async () => {
      const { rows } = await pool.query('SELECT 1 FROM kpi_version WHERE $1 = ANY(run_ids)', [runId]);
      return rows.length > 0;
    }, 'the run and its recompute');
    await waitForOutput(worker, (out) => out.includes('"queue":"kpi"') && out.includes('job finished'));
    await waitForOutput(api, (out) => out.includes(requestId) && out.includes('request completed'));
  });

  it('writes every line of both processes as JSON with a level, a time and a message', () => {
    for (const spawned of [api, worker]) {
      const parsed = lines(spawned);
      expect(parsed.length).toBeGreaterThan(3);
      for (const line of parsed) {
        expect(typeof line.level).toBe('number');
        expect(typeof line.time).toBe('number');
        expect(typeof line.msg).toBe('string');
        expect(line.service).toBe('bisma');
      }
    }
  });

  it("marks the service's lines written while serving the request with its id, unasked", () => {
    const mine = lines(api).filter((l) => l.requestId === requestId);
    const messages = mine.map((l) => l.msg);
    // Written by the producer (services/ingest/requests) deep inside the resolver, given no request id.
    expect(messages).toContain('ingest run queued');
    expect(mine.find((l) => l.msg === 'ingest run queued')).toMatchObject({ runId });
    const access = mine.find((l) => l.msg === 'request completed');
    expect(access).toMatchObject({ method: 'POST', url: '/graphql', statusCode: 200 });
    expect(lines(api).filter((l) => l.msg === 'ingest run queued')).toHaveLength(1);
  });

  it('marks the database queries run for the request with its id (SQL and duration, no parameters)', () => {
    const queries = lines(api).filter((l) => l.msg === 'database query' && l.requestId === requestId);
    const sql = queries.map((l) => (l.db as { query: string }).query);
    // The API key lookup and the run the mutation recorded.
    expect(sql.some((q) => /FROM "public"\."api_key"/.test(q))).toBe(true);
    expect(sql.some((q) => /INSERT INTO "public"\."ingest_run"/.test(q))).toBe(true);
    for (const line of queries) {
      expect(typeof (line.db as { durationMs: number }).durationMs).toBe('number');
      expect(line.db).not.toHaveProperty('params');
    }
  });

  it('carries the request id into the queued job and into every log line of that job', async () => {
    const job = await sharedProducer().queue('ingest').getJob(`run.${runId}`);
    expect(job?.data).toEqual({ runId, requestId });
    const jobLines = lines(worker).filter((l) => l.jobId === `run.${runId}`);
    const messages = jobLines.map((l) => l.msg);
    expect(messages).toEqual(
      expect.arrayContaining(['ingest run started', 'ingest run succeeded', 'job finished']),
    );
    for (const line of jobLines) expect(line).toMatchObject({ requestId, queue: 'ingest' });
    // The recompute the run chained keeps the originating request id, under its own job id.
    const recompute = lines(worker).filter((l) => l.queue === 'kpi' && l.msg === 'job finished');
    expect(recompute).toHaveLength(1);
    expect(recompute[0]!.requestId).toBe(requestId);
    expect(recompute[0]!.jobId).not.toBe(`run.${runId}`);
  });

  it('logs the request headers with the Authorization value redacted, and no key or password anywhere', () => {
    const headers = lines(api).find((l) => l.requestId === requestId && l.msg === 'request headers');
    expect(headers).toBeDefined();
    expect((headers!.headers as Record<string, string>).authorization).toBe('[redacted]');
    expect((headers!.headers as Record<string, string>)['x-request-id']).toBe(requestId);
    const all = everything();
    expect(all).not.toContain(keys.admin);
    expect(all).not.toContain(DB_PASSWORD);
  });
});

describe('the logger in a process of its own', () => {
  const LOGGER = fileURLToPath(new URL('../../src/lib/logger.ts', import.meta.url));

  async function logWith(
    env: Record<string, string>,
    body: string,
  ): Promise<{ stdout: string; lines: string[] }> {
    const file = path.join(tmpdir(), `bisma-log-${randomUUID()}.mts`);
    await writeFile(file, `const { logger } = await import(${JSON.stringify(LOGGER)});\n${body}\n`);
    const spawned = spawnEntry(file, { LOG_PRETTY: '', LOG_LEVEL: '', ...env });
    const exited = await spawned.exited;
    expect(exited.code).toBe(0);
    const { stdout } = spawned.output();
    return { stdout, lines: stdout.split('\n').filter((l) => l.trim() !== '') };
  }

  it('writes only lines at or above the configured level', async () => {
    const { lines: out } = await logWith(
      { NODE_ENV: 'production', LOG_LEVEL: 'warn' },
      `logger.debug('a debug line'); logger.info('an info line'); logger.warn('a warn line'); logger.error('an error line');`,
    );
    expect(out.map((l) => JSON.parse(l).msg)).toEqual(['a warn line', 'an error line']);
  });

  it('writes pretty lines only in development', async () => {
    const dev = await logWith(
      { NODE_ENV: 'development', LOG_PRETTY: 'true' },
      `logger.info('pretty please');`,
    );
    expect(dev.stdout).toContain('pretty please');
    expect(dev.stdout).toMatch(/INFO/);
    expect(() => JSON.parse(dev.lines[0]!)).toThrow();
    const prod = await logWith(
      { NODE_ENV: 'production', LOG_PRETTY: 'true' },
      `logger.info('plain please');`,
    );
    expect(JSON.parse(prod.lines[0]!)).toMatchObject({ msg: 'plain please', level: 30 });
  });

  it('hides passwords in URLs and credentials in fields, messages and errors', async () => {
    const { stdout, lines: out } = await logWith(
      { NODE_ENV: 'production' },
      `logger.info({ DATABASE_URL: 'postgresql://bisma:pw-field-1@db/bisma', redis: { url: 'redis://:pw-nested-2@r:6379' },
         req: { headers: { authorization: 'Bearer key-header-3', cookie: 'session=cookie-4' } }, apiKey: 'key-field-5' },
         'connecting to postgresql://bisma:pw-message-6@db/bisma');
       logger.error({ err: new Error('refused postgresql://bisma:pw-error-7@db/bisma, sent Bearer key-error-8') }, 'failed');`,
    );
    for (const secret of [
      'pw-field-1',
      'pw-nested-2',
      'key-header-3',
      'cookie-4',
      'key-field-5',
      'pw-message-6',
      'pw-error-7',
      'key-error-8',
    ]) {
      expect(stdout).not.toContain(secret);
    }
    const [info, error] = out.map((l) => JSON.parse(l));
    expect(info).toMatchObject({
      DATABASE_URL: '[redacted]',
      redis: { url: 'redis://:***@r:6379' },
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
      apiKey: '[redacted]',
      msg: 'connecting to postgresql://bisma:***@db/bisma',
    });
    expect(error.err.message).toBe('refused postgresql://bisma:***@db/bisma, sent Bearer [redacted]');
  });
});
