// The KPI models added by migration 20261123111500_kpi_recompute, written and read back through
// the generated client with every field (the shared agreement test checks their columns).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb, prisma } from '../../src/lib/db.js';
import { createTestDatabase } from '../helpers/db.js';

beforeAll(async () => {
  await createTestDatabase();
});
afterAll(closeDb);

describe('KPI models', () => {
  it('write and read back versions with their years, aggregates, commitments and target phases', async () => {
    const agency = await prisma.agency.create({ data: { code: 'K', name: 'Dinas K' } });
    const version = await prisma.kpiVersion.create({
      data: {
        asOf: new Date('2023-11-05'),
        runIds: [1, 2],
        touchedBuckets: 3,
        reason: 'ingest run 2',
        fiscalYears: [2023],
        startedAt: new Date('2026-01-01T00:00:00Z'),
        years: {
          create: {
            fiscalYear: 2023,
            asOf: new Date('2023-11-05'),
            runIds: [2],
            fetchedAt: new Date('2026-01-01T00:00:01Z'),
          },
        },
      },
      include: { years: true },
    });
    expect(version.years[0]).toMatchObject({ fiscalYear: 2023, runIds: [2] });
    await prisma.kpiAggregate.create({
      data: {
        versionFrom: version.id,
        fiscalYear: 2023,
        month: 0,
        agencyId: null,
        channel: 'TOKO_DARING',
        vendorScale: 'KOPERASI',
        totalValue: '10.00',
        pdnValue: '9.00',
        umkValue: '1.00',
        itemCount: 2,
        unknownCount: 1,
        unknownValueCount: 1,
        unknownUmkCount: 0,
        pdnShareBase: '5.00',
        pdnSharePart: '4.00',
        umkShareBase: '5.00',
        umkSharePart: '1.00',
      },
    });
    await prisma.kpiCommitment.create({
      data: {
        versionFrom: version.id,
        versionTo: version.id + 1,
        fiscalYear: 2023,
        agencyId: agency.id,
        value: '0.00',
        packageCount: 0,
        unknownCount: 0,
        officialValue: '15800000000000.00',
      },
    });
    await prisma.kpiTargetPhase.create({
      data: { fiscalYear: 2023, agencyId: agency.id, month: 3, cumulativePercent: '25.50' },
    });
    const [aggregate, commitment, phase, year] = await Promise.all([
      prisma.kpiAggregate.findFirstOrThrow({ include: { agency: true } }),
      prisma.kpiCommitment.findFirstOrThrow({ include: { agency: true } }),
      prisma.kpiTargetPhase.findFirstOrThrow({ include: { agency: true } }),
      prisma.kpiVersionYear.findFirstOrThrow({ include: { version: true } }),
    ]);
    expect(aggregate).toMatchObject({ agency: null, vendorScale: 'KOPERASI', unknownValueCount: 1 });
    expect(aggregate.pdnSharePart.toFixed(2)).toBe('4.00');
    expect(commitment.officialValue?.toFixed(2)).toBe('15800000000000.00');
    expect(commitment.agency?.code).toBe('K');
    expect(phase.cumulativePercent.toFixed(2)).toBe('25.50');
    expect(phase.agency?.code).toBe('K');
    expect(year.version.reason).toBe('ingest run 2');
    expect(year.asOf).toEqual(new Date('2023-11-05T00:00:00Z'));
  });
});
