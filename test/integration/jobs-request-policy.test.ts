// One failure policy for every request that records a row and queues its job (an admin's ingest
// run, an analyst's KPI export): with Redis known to be down the request is refused with
// QUEUE_UNAVAILABLE and nothing is recorded; when Redis does not take the job the row is marked
// FAILED with the reason and the caller still gets QUEUE_UNAVAILABLE. No row waits for a job that
// was never queued.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { Producer } from '../../src/jobs/producer.js';
import { closeDb, pool, prisma } from '../../src/lib/db.js';
import { triggerReplay, triggerRun } from '../../src/services/ingest/requests.js';
import { requestRun } from '../../src/services/ingest/runs.js';
import { ensureSources, listSources } from '../../src/services/ingest/sources.js';
import { requestExport } from '../../src/services/kpi/exports.js';
import { createAgency } from '../factories/kpi-items.js';
import { createTestDatabase } from '../helpers/db.js';

/** A "Redis" that accepts connections and refuses every command. */
let refusing: Server;
let refusingPort: number;
let sourceKey: string;

beforeAll(async () => {
  await createTestDatabase();
  await ensureSources();
  await createAgency({ code: 'RQ', name: 'Dinas Antrian' });
  sourceKey = (await listSources())[0]!.key;
  refusing = createServer((socket) => {
    socket.on('data', () => socket.write('-ERR this server takes no jobs\r\n'));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  refusingPort = (refusing.address() as { port: number }).port;
});
afterAll(async () => {
  refusing?.close();
  await closeDb();
});

/** A producer on a connection that has been lost (nothing listens on its port). */
async function downProducer(): Promise<{ producer: Producer; close(): void }> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const connection = new Redis({
    host: '127.0.0.1',
    port,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 200,
  });
  connection.on('error', () => undefined);
  const producer = new Producer(connection);
  await new Promise((resolve) => connection.once('close', resolve));
  return { producer, close: () => connection.disconnect() };
}

/** A producer whose Redis answers every command with an error. */
function refusedProducer(): { producer: Producer; close(): void } {
  const connection = new Redis({ host: '127.0.0.1', port: refusingPort, maxRetriesPerRequest: 1 });
  connection.on('error', () => undefined);
  return { producer: new Producer(connection), close: () => connection.disconnect() };
}

const EXPORT = { kind: 'SUMMARY' as const, args: { year: 2024 }, locale: 'id' as const, requestedBy: null };

const counts = async () => ({
  runs: await prisma.ingestRun.count(),
  exports: Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM kpi_export')).rows[0]!.n),
});

describe('Redis known to be down', () => {
  it('refuses an ingest run and an export with QUEUE_UNAVAILABLE and records neither', async () => {
    const down = await downProducer();
    try {
      const before = await counts();
      await expect(triggerRun(down.producer, { sourceKey })).rejects.toMatchObject({
        code: 'QUEUE_UNAVAILABLE',
      });
      await expect(requestExport(down.producer, EXPORT)).rejects.toMatchObject({ code: 'QUEUE_UNAVAILABLE' });
      expect(await counts()).toEqual(before);
    } finally {
      down.close();
    }
  });
});

describe('Redis refusing the job', () => {
  it('marks the ingest run FAILED with the reason and answers QUEUE_UNAVAILABLE', async () => {
    const refused = refusedProducer();
    try {
      const before = await counts();
      await expect(triggerRun(refused.producer, { sourceKey })).rejects.toMatchObject({
        code: 'QUEUE_UNAVAILABLE',
      });
      const runs = await prisma.ingestRun.findMany({ orderBy: { id: 'desc' }, take: 1 });
      expect((await counts()).runs).toBe(before.runs + 1);
      expect(runs[0]).toMatchObject({
        status: 'FAILED',
        error: expect.stringMatching(/^could not be queued: /),
      });
      expect(runs[0]!.finishedAt).not.toBeNull();
    } finally {
      refused.close();
    }
  });

  it('marks every run of a year’s replay FAILED with the reason when none could be queued', async () => {
    const refused = refusedProducer();
    try {
      const fiscalYear = (await listSources())[0]!.fiscalYear;
      const before = await prisma.ingestRun.count();
      await expect(triggerReplay(refused.producer, { fiscalYear, asOf: '2023-06-30' })).rejects.toMatchObject(
        {
          code: 'QUEUE_UNAVAILABLE',
        },
      );
      const runs = await prisma.ingestRun.findMany({ where: { trigger: 'REPLAY' } });
      expect(runs.length).toBeGreaterThan(1);
      expect(await prisma.ingestRun.count()).toBe(before + runs.length);
      expect(runs.every((r) => r.status === 'FAILED' && /^could not be queued: /.test(r.error ?? ''))).toBe(
        true,
      );
    } finally {
      refused.close();
    }
  });

  it('marks the export FAILED with the reason and answers QUEUE_UNAVAILABLE, as an ingest run', async () => {
    const refused = refusedProducer();
    try {
      const before = await counts();
      await expect(requestExport(refused.producer, EXPORT)).rejects.toMatchObject({
        code: 'QUEUE_UNAVAILABLE',
      });
      const { rows } = await pool.query<{ status: string; error: string; finished_at: Date | null }>(
        'SELECT status::text AS status, error, finished_at FROM kpi_export ORDER BY created_at DESC LIMIT 1',
      );
      expect((await counts()).exports).toBe(before.exports + 1);
      expect(rows[0]).toMatchObject({
        status: 'FAILED',
        error: expect.stringMatching(/^could not be queued: /),
      });
      expect(rows[0]!.finished_at).not.toBeNull();
    } finally {
      refused.close();
    }
  });

  it('leaves a bad request refused as before, recording nothing (the question is checked first)', async () => {
    const refused = refusedProducer();
    try {
      const before = await counts();
      await expect(
        requestExport(refused.producer, { ...EXPORT, locale: 'fr' as 'id' }),
      ).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
      });
      await expect(requestRun({ sourceKey: 'no.such.source' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await counts()).toEqual(before);
    } finally {
      refused.close();
    }
  });
});
