// An ingest run has one shape in the services: raw SQL through RUN_COLUMNS and a Prisma row through
// runOf give the same Run, with every column of ingest_run and its calendar dates as YYYY-MM-DD.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb, pool, prisma } from '../../src/lib/db.js';
import { RUN_COLUMNS, type Run, runOf } from '../../src/services/ingest/runs.js';
import { createTestDatabase } from '../helpers/db.js';

beforeAll(async () => {
  await createTestDatabase();
});
afterAll(async () => {
  await closeDb();
});

describe('the ingest run shape', () => {
  it('reads the same Run through RUN_COLUMNS as through runOf, every column included', async () => {
    const created = await prisma.ingestRun.create({
      data: {
        dataset: 'tender/tender-ekontrak-kontrak',
        trigger: 'FILE',
        status: 'HELD',
        asOf: new Date('2023-09-09T00:00:00Z'),
        requestedAsOf: new Date('2023-09-01T00:00:00Z'),
        startedAt: new Date('2023-09-09T03:04:05.678Z'),
        heldReason: 'a test',
        expectedRows: 12,
      },
    });
    const { rows } = await pool.query<Run>(`SELECT ${RUN_COLUMNS} FROM ingest_run WHERE id = $1`, [
      created.id,
    ]);
    const raw = rows[0]!;
    expect(raw).toEqual(runOf(created));
    expect(raw).toMatchObject({ asOf: '2023-09-09', requestedAsOf: '2023-09-01', heldReason: 'a test' });
    expect(raw.startedAt).toEqual(new Date('2023-09-09T03:04:05.678Z'));
    const { rows: columns } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = 'ingest_run'`,
    );
    expect(Object.keys(raw)).toHaveLength(columns[0]!.n);
  });
});
