// Factories: rows built straight through Prisma, with defaults a test can override.
import type { Prisma } from '../../src/generated/prisma/client.js';
import { prisma } from '../../src/lib/db.js';
import { searchForm } from '../../src/lib/text.js';

let seq = 0;
const next = () => ++seq;

export async function makeAgency(overrides: Partial<Prisma.AgencyUncheckedCreateInput> = {}) {
  const n = next();
  return prisma.agency.create({
    data: { code: `T${n}`, name: `Dinas Uji ${n}`, kind: 'DINAS', ...overrides },
  });
}

export async function makeEvent(overrides: Partial<Prisma.EventUncheckedCreateInput> = {}) {
  const n = next();
  return prisma.event.create({
    data: {
      year: 2030,
      batchNumber: n,
      title: `Business Matching Uji ${n}`,
      venue: 'Balai Kota',
      startDate: new Date('2030-05-06'),
      endDate: new Date('2030-05-09'),
      status: 'PUBLISHED',
      ...overrides,
    },
  });
}

export async function makeExhibitor(overrides: Partial<Prisma.ExhibitorUncheckedCreateInput> = {}) {
  const n = next();
  const name = overrides.name ?? `CV Uji Sejahtera ${n}`;
  return prisma.exhibitor.create({
    data: {
      scale: 'SMALL',
      sector: 'Makanan dan Minuman',
      nib: String(9_000_000_000_000 + n),
      ...overrides,
      name,
      searchName: searchForm(name),
    },
  });
}

export async function makeProduct(
  exhibitorId: number,
  overrides: Partial<Prisma.ProductUncheckedCreateInput> = {},
) {
  return prisma.product.create({
    data: { exhibitorId, name: `Produk ${next()}`, tkdn: '50.00', ...overrides },
  });
}

export async function register(eventId: number, exhibitorId: number, booth: string | null = null) {
  return prisma.participation.create({ data: { eventId, exhibitorId, booth } });
}

export async function makeDeal(
  parties: { eventId: number; agencyId: number; exhibitorId: number },
  overrides: Partial<Prisma.DealUncheckedCreateInput> = {},
) {
  return prisma.deal.create({
    data: { ...parties, value: '1000000.00', signedOn: new Date('2030-05-07'), ...overrides },
  });
}

/** A fingerprint of every table's content: equal before and after means nothing was written. */
export async function databaseFingerprint(): Promise<Record<string, string>> {
  const tables = await prisma.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'api_key'
    ORDER BY table_name`;
  const result: Record<string, string> = {};
  for (const { table_name } of tables) {
    const [row] = await prisma.$queryRawUnsafe<{ digest: string | null }[]>(
      `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${table_name}" t`,
    );
    result[table_name] = row?.digest ?? '';
  }
  return result;
}
