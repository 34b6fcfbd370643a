// Proves the hand-written migration SQL and schema.prisma agree: a freshly migrated database
// takes a write and a read of every model, every column, through the generated client.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { closeDb, prisma } from '../../src/lib/db.js';
import { migrate } from '../../src/lib/migrate.js';
import { createTestDatabase } from '../helpers/db.js';

let url: string;

/** Table -> column names, read from schema.prisma's model blocks (scalar and enum fields). */
function tablesInSchema(): Map<string, string[]> {
  const text = readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
  const blocks = [...text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)];
  const models = new Set(blocks.map((b) => b[1]!));
  const tables = new Map<string, string[]>();
  for (const [, name, body] of blocks) {
    const table = /@@map\("(\w+)"\)/.exec(body!)?.[1] ?? name!;
    const columns: string[] = [];
    for (const line of body!.split('\n')) {
      const field = /^\s+(\w+)\s+(\w+)(\[\])?\??/.exec(line);
      if (!field || models.has(field[2]!)) continue;
      columns.push(/@map\("(\w+)"\)/.exec(line)?.[1] ?? field[1]!);
    }
    tables.set(table, columns.sort());
  }
  return tables;
}

beforeAll(async () => {
  url = await createTestDatabase({ migrated: false });
  await migrate(url);
});
afterAll(closeDb);

describe('schema.prisma and the migrations', () => {
  it('declare the same tables with the same columns', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1, 2`,
    );
    await client.end();
    const inDatabase = new Map<string, string[]>();
    for (const r of rows)
      inDatabase.set(r.table_name, [...(inDatabase.get(r.table_name) ?? []), r.column_name]);
    for (const columns of inDatabase.values()) columns.sort();
    expect(Object.fromEntries(inDatabase)).toEqual(Object.fromEntries(tablesInSchema()));
  });

  it('write and read back every model with every field through the client', async () => {
    const province = await prisma.agency.create({
      data: { code: 'P', name: 'Province', kind: 'PROVINCE', klpdCode: 'D1' },
    });
    const agency = await prisma.agency.create({
      data: { code: 'A', name: 'Dinas A', kind: 'DINAS', parentId: province.id, active: false },
      include: { parent: true },
    });
    expect(agency.parent?.code).toBe('P');

    const target = await prisma.fiscalTarget.create({
      data: { fiscalYear: 2023, agencyId: province.id, officialCommitment: '15800000000000.00', note: 'n' },
    });
    expect(target.officialCommitment?.toFixed(2)).toBe('15800000000000.00');
    expect(target.pdnShareTarget.toFixed(2)).toBe('95.00');

    const source = await prisma.feedSource.create({
      data: {
        key: 'rup:D1:2023',
        dataset: 'rup/paket-penyedia-terumumkan',
        klpdCode: 'D1',
        fiscalYear: 2023,
        catchUp: 'BACKFILL',
      },
    });
    const run = await prisma.ingestRun.create({
      data: {
        sourceId: source.id,
        dataset: source.dataset,
        trigger: 'MANUAL',
        status: 'SUCCEEDED',
        asOf: new Date('2023-11-05'),
        jobId: 'j1',
        fileName: null,
        cursor: '98765432109876543210',
        pages: 1,
        fetched: 2,
        inserted: 1,
        updated: 0,
        unchanged: 0,
        rejected: 1,
        withdrawn: 0,
        contentHash: 'abc',
        error: null,
        startedAt: new Date(),
        finishedAt: new Date(),
      },
    });
    await prisma.feedSource.update({
      where: { id: source.id },
      data: {
        lastRunAt: new Date(),
        lastSuccessAt: new Date(),
        lastSnapshotAsOf: new Date('2023-11-05'),
        lastSnapshotRunId: run.id,
      },
    });
    await prisma.rejectedRow.create({
      data: { runId: run.id, rowNumber: 2, sourceKey: 'k2', reason: 'bad date', raw: '{}' },
    });
    const item = await prisma.procurementItem.create({
      data: {
        dataset: 'tender/tender-ekontrak-kontrak',
        sourceKey: 'k1',
        kind: 'REALISATION',
        channel: 'TENDER',
        fiscalYear: 2023,
        agencyCode: 'A',
        agencyId: agency.id,
        title: 't',
        vendorCode: 'v',
        vendorName: 'PT V',
        vendorNpwp: '0',
        vendorScale: 'SMALL',
        value: '912024840.00',
        pdnValue: '912024840.00',
        umkValue: null,
        isPdn: true,
        isUmk: null,
        tkdn: '40.50',
        itemDate: new Date('2023-04-19'),
        status: 'Selesai',
        counted: true,
        contentHash: 'h',
        raw: { kd_tender: 1 },
        firstRunId: run.id,
        lastRunId: run.id,
        withdrawnAt: null,
      },
    });
    expect(item.umkValue).toBeNull();
    expect(item.pdnValue?.toFixed(2)).toBe('912024840.00');

    const version = await prisma.kpiVersion.create({
      data: {
        asOf: new Date('2023-11-05'),
        runIds: [run.id],
        inputsHash: 'x',
        touchedBuckets: 1,
        full: true,
      },
    });
    await prisma.kpiAggregate.create({
      data: {
        versionFrom: version.id,
        versionTo: null,
        fiscalYear: 2023,
        month: 4,
        agencyId: agency.id,
        channel: 'TENDER',
        totalValue: '1.00',
        pdnValue: '1.00',
        umkValue: '0.00',
        itemCount: 1,
        unknownCount: 0,
      },
    });
    await prisma.kpiCommitment.create({
      data: {
        versionFrom: version.id,
        fiscalYear: 2023,
        agencyId: agency.id,
        value: '2.00',
        packageCount: 1,
        unknownCount: 0,
      },
    });

    const event = await prisma.event.create({
      data: {
        year: 2023,
        batchNumber: 3,
        title: 'Batch III',
        venue: 'Balai Kota',
        startDate: new Date('2023-05-08'),
        endDate: new Date('2023-05-11'),
        status: 'PUBLISHED',
        description: 'd',
      },
    });
    await prisma.session.create({
      data: {
        eventId: event.id,
        kind: 'BIMBINGAN_TEKNIS',
        topic: 'e-Katalog',
        startsAt: new Date('2023-05-09T02:00:00Z'),
        endsAt: new Date('2023-05-09T05:00:00Z'),
        location: 'Balai Kota',
        cancelled: false,
      },
    });
    const exhibitor = await prisma.exhibitor.create({
      data: {
        name: 'Café A',
        searchName: 'cafe a',
        nib: '9120000000001',
        npwp: '1',
        vendorCode: 'v',
        scale: 'KOPERASI',
        sector: 'Makanan',
        city: 'Jakarta Pusat',
        siinasRegistered: true,
      },
    });
    await prisma.product.create({
      data: {
        exhibitorId: exhibitor.id,
        name: 'Kopi',
        category: 'Makanan',
        tkdn: '87.25',
        halal: true,
        ekatalogListed: true,
      },
    });
    await prisma.participation.create({
      data: { eventId: event.id, exhibitorId: exhibitor.id, booth: 'A-1' },
    });
    await prisma.deal.create({
      data: {
        eventId: event.id,
        agencyId: agency.id,
        exhibitorId: exhibitor.id,
        value: '1500000.50',
        description: 'd',
        signedOn: new Date('2023-05-10'),
      },
    });
    await prisma.apiKey.create({
      data: { name: 'k', role: 'ADMIN', prefix: 'bsm_1', hash: 'h1', lastUsedAt: new Date() },
    });

    // Read every model back, with its relations, in one go.
    const [
      agencies,
      targets,
      items,
      sources,
      runs,
      rejected,
      versions,
      aggregates,
      commitments,
      events,
      exhibitors,
      keys,
    ] = await Promise.all([
      prisma.agency.findMany({
        include: {
          children: true,
          targets: true,
          deals: true,
          aggregates: true,
          commitments: true,
        },
      }),
      prisma.fiscalTarget.findMany({ include: { agency: true } }),
      prisma.procurementItem.findMany(),
      prisma.feedSource.findMany({ include: { runs: true } }),
      prisma.ingestRun.findMany({ include: { rejectedRows: true, source: true } }),
      prisma.rejectedRow.findMany({ include: { run: true } }),
      prisma.kpiVersion.findMany(),
      prisma.kpiAggregate.findMany({ include: { agency: true } }),
      prisma.kpiCommitment.findMany({ include: { agency: true } }),
      prisma.event.findMany({ include: { sessions: true, participations: true, deals: true } }),
      prisma.exhibitor.findMany({ include: { products: true, participations: true, deals: true } }),
      prisma.apiKey.findMany(),
    ]);
    expect(agencies.find((a) => a.code === 'P')?.children).toHaveLength(1);
    expect(targets[0]?.agency.code).toBe('P');
    expect(items[0]?.raw).toEqual({ kd_tender: 1 });
    expect(items[0]?.agencyId).toBe(agency.id);
    expect(items[0]?.itemDate).toEqual(new Date('2023-04-19T00:00:00Z'));
    expect(sources[0]?.runs).toHaveLength(1);
    expect(runs[0]?.cursor).toBe('98765432109876543210');
    expect(runs[0]?.rejectedRows[0]?.reason).toBe('bad date');
    expect(rejected[0]?.run.id).toBe(run.id);
    expect(versions[0]?.runIds).toEqual([run.id]);
    expect(aggregates[0]?.agency?.id).toBe(agency.id);
    expect(commitments[0]?.value.toFixed(2)).toBe('2.00');
    expect(events[0]?.sessions).toHaveLength(1);
    expect(events[0]?.participations[0]?.booth).toBe('A-1');
    expect(events[0]?.deals[0]?.value.toFixed(2)).toBe('1500000.50');
    expect(exhibitors[0]?.products[0]?.tkdn.toFixed(2)).toBe('87.25');
    expect(keys[0]?.role).toBe('ADMIN');
  });

  it('write and read back the staged rows, the item journal and the attempts of a held run', async () => {
    const run = await prisma.ingestRun.create({
      data: {
        dataset: 'tender/tender-ekontrak-kontrak',
        trigger: 'FILE',
        status: 'HELD',
        heldReason: 'the snapshot is empty',
        expectedRows: 10,
        keylessRows: 1,
        decidedAt: new Date(),
        decisionNote: 'approved',
        appliedAt: new Date(),
        revertedAt: new Date(),
      },
    });
    await prisma.ingestRunAttempt.create({
      data: { runId: run.id, attempt: 1, finishedAt: new Date(), outcome: 'HELD', error: 'note' },
    });
    await prisma.ingestStageRow.create({
      data: {
        runId: run.id,
        rowNumber: 1,
        sourceKey: 'k1',
        kind: 'REALISATION',
        channel: 'TENDER',
        fiscalYear: 2023,
        agencyCode: 'A',
        klpdCode: 'D1',
        title: 't',
        vendorCode: 'v',
        vendorName: 'n',
        vendorNpwp: '01',
        vendorScale: 'SMALL',
        value: '10.00',
        pdnValue: '5.00',
        umkValue: null,
        isPdn: true,
        isUmk: false,
        tkdn: '40.00',
        itemDate: new Date('2023-04-19'),
        status: 'selesai',
        counted: true,
        contentHash: 'h',
        raw: { kd_tender: 1 },
      },
    });
    await prisma.ingestItemJournal.create({
      data: { runId: run.id, itemId: 1, action: 'UPDATED', previous: { title: 'before' } },
    });
    const found = await prisma.ingestRun.findUniqueOrThrow({
      where: { id: run.id },
      include: { attemptLog: true },
    });
    expect(found).toMatchObject({ status: 'HELD', expectedRows: 10, keylessRows: 1 });
    expect(found.attemptLog[0]?.outcome).toBe('HELD');
    const staged = await prisma.ingestStageRow.findMany({ where: { runId: run.id } });
    expect(staged[0]?.value?.toFixed(2)).toBe('10.00');
    expect(staged[0]?.raw).toEqual({ kd_tender: 1 });
    const journal = await prisma.ingestItemJournal.findMany({ where: { runId: run.id } });
    expect(journal[0]?.previous).toEqual({ title: 'before' });
  });
});
