// Every job of the queue contract (src/jobs/queues.ts) has a handler, and a worker missing one
// refuses to start rather than failing that job at run time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { demoHistoryJob } from '../../src/demo/jobs.js';
import { jobNames } from '../../src/jobs/queues.js';
import { closeDb } from '../../src/lib/db.js';
import { jobHandlers, missingHandlers } from '../../src/worker/processors.js';
import { startWorkers } from '../../src/worker/workers.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

beforeAll(async () => {
  await createTestDatabase();
});
afterAll(async () => {
  await flushTestPrefix();
  await closeDb();
});

describe('job handlers', () => {
  it('cover every job of every queue once the demo wing is wired in', () => {
    expect(jobNames().length).toBeGreaterThanOrEqual(7);
    expect(missingHandlers(jobHandlers({ demoHistory: demoHistoryJob(async () => undefined) }))).toEqual([]);
  });

  it('lack only the demo history without the demo wing', () => {
    expect(missingHandlers(jobHandlers())).toEqual(['ingest/demo-history']);
  });

  it('a worker without a handler for a job refuses to start and names the job', async () => {
    await expect(startWorkers()).rejects.toThrow('no handler for job(s): ingest/demo-history');
  });
});
