// The demo data set: the programme's published facts, and loading it twice changes nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROVINCE_CODE } from '../../src/demo/agencies.js';
import { loadDemoData } from '../../src/demo/seed.js';
import { closeDb, pool, prisma } from '../../src/lib/db.js';
import { createTestDatabase } from '../helpers/db.js';

const TABLES = [
  'agency',
  'fiscal_target',
  'event',
  'session',
  'exhibitor',
  'product',
  'participation',
  'deal',
];

async function dump(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) out[table] = (await pool.query(`SELECT * FROM "${table}" ORDER BY id`)).rows;
  return out;
}

beforeAll(async () => {
  await createTestDatabase();
  await loadDemoData();
});
afterAll(closeDb);

describe('demo data', () => {
  it('loads twice without changing a single row', async () => {
    const before = await dump();
    const second = await loadDemoData();
    expect(Object.values(second.created).every((n) => n === 0)).toBe(true);
    expect(await dump()).toEqual(before);
  });

  it('holds the official commitments of 2022 and 2023 and the 95 % / 40 % targets', async () => {
    const targets = await prisma.fiscalTarget.findMany({
      where: { agency: { code: PROVINCE_CODE } },
      orderBy: { fiscalYear: 'asc' },
    });
    const byYear = Object.fromEntries(targets.map((t) => [t.fiscalYear, t]));
    expect(byYear[2022]?.officialCommitment?.toFixed(2)).toBe('11334000000000.00');
    expect(byYear[2023]?.officialCommitment?.toFixed(2)).toBe('15800000000000.00');
    expect(
      targets.every(
        (t) => t.pdnShareTarget.toFixed(2) === '95.00' && t.umkShareTarget.toFixed(2) === '40.00',
      ),
    ).toBe(true);
  });

  it('has nine four-day batches with batch III at Balai Kota on 8-11 May 2023 and batch 9 on 6-9 Nov 2023', async () => {
    const events = await prisma.event.findMany({ where: { year: 2023 }, orderBy: { batchNumber: 'asc' } });
    expect(events.map((e) => e.batchNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const e of events) expect((e.endDate.getTime() - e.startDate.getTime()) / 86_400_000).toBe(3);
    expect(events[2]).toMatchObject({
      startDate: new Date('2023-05-08T00:00:00Z'),
      endDate: new Date('2023-05-11T00:00:00Z'),
    });
    expect(events[2]?.venue).toMatch(/Balai Kota/);
    expect(events[8]).toMatchObject({
      startDate: new Date('2023-11-06T00:00:00Z'),
      endDate: new Date('2023-11-09T00:00:00Z'),
    });
    expect(events[0]?.startDate.getUTCMonth()).toBe(1);
  });

  it('has 18 exhibitors in batch 9 and about 200 unique exhibitors over the batches', async () => {
    const batch9 = await prisma.participation.count({ where: { event: { year: 2023, batchNumber: 9 } } });
    expect(batch9).toBe(18);
    const unique = await prisma.participation.groupBy({
      by: ['exhibitorId'],
      where: { event: { year: 2023 } },
    });
    expect(unique.length).toBeGreaterThanOrEqual(190);
    expect(unique.length).toBeLessThanOrEqual(210);
  });

  it('gives every batch its sosialisasi, technical guidance, Siinas registration and consultation sessions', async () => {
    const sessions = await prisma.session.groupBy({ by: ['eventId', 'kind'] });
    const kindsPerEvent = new Map<number, Set<string>>();
    for (const s of sessions)
      kindsPerEvent.set(s.eventId, (kindsPerEvent.get(s.eventId) ?? new Set()).add(s.kind));
    expect(kindsPerEvent.size).toBe(9);
    for (const kinds of kindsPerEvent.values()) {
      for (const k of ['SOSIALISASI', 'BIMBINGAN_TEKNIS', 'SIINAS_REGISTRATION', 'CONSULTATION'])
        expect(kinds.has(k)).toBe(true);
    }
  });
});
