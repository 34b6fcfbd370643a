// Loads the demo data set: agencies, targets and the 2023 Business Matching programme.
// Idempotent: every row is found by its natural key first, so a second load writes nothing.
import { Prisma } from '../generated/prisma/client.js';
import { prisma } from '../lib/db.js';
import { searchForm } from '../lib/text.js';
import { DEMO_AGENCIES, PROVINCE } from './agencies.js';
import { demoProgramme, PROGRAMME_YEAR } from './programme.js';

/** Official commitments reported by the programme (Komitmen Aksi Afirmasi BBI). */
export const OFFICIAL_COMMITMENTS: Record<number, string> = {
  2022: '11334000000000.00',
  2023: '15800000000000.00',
};
export const TARGET_YEARS = [2022, 2023, 2024];
export const PDN_SHARE_TARGET = '95.00';
export const UMK_SHARE_TARGET = '40.00';

export interface SeedResult {
  created: Record<string, number>;
}

type Tx = Prisma.TransactionClient;

const SEED_LOCK = 72_616_002;

export async function isDatabaseEmpty(): Promise<boolean> {
  return (await prisma.agency.count()) === 0;
}

export async function loadDemoData(): Promise<SeedResult> {
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SEED_LOCK})`;
      const created: Record<string, number> = {};
      const count = (what: string, n: number) => {
        created[what] = (created[what] ?? 0) + n;
      };
      const agencyIds = await seedAgencies(tx, count);
      await seedTargets(tx, agencyIds, count);
      await seedProgramme(tx, agencyIds, count);
      return { created };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

async function seedAgencies(tx: Tx, count: (what: string, n: number) => void): Promise<Map<string, number>> {
  const province = await tx.agency.findUnique({ where: { code: PROVINCE.code } });
  let provinceId = province?.id;
  if (!provinceId) {
    provinceId = (
      await tx.agency.create({ data: { code: PROVINCE.code, name: PROVINCE.name, kind: PROVINCE.kind } })
    ).id;
    count('agencies', 1);
  }
  const { count: n } = await tx.agency.createMany({
    data: DEMO_AGENCIES.map((a) => ({ code: a.code, name: a.name, kind: a.kind, parentId: provinceId })),
    skipDuplicates: true,
  });
  count('agencies', n);
  const all = await tx.agency.findMany({ select: { id: true, code: true } });
  return new Map(all.map((a) => [a.code, a.id]));
}

async function seedTargets(
  tx: Tx,
  agencyIds: Map<string, number>,
  count: (what: string, n: number) => void,
): Promise<void> {
  const data = TARGET_YEARS.flatMap((fiscalYear) =>
    [PROVINCE, ...DEMO_AGENCIES].map((a) => ({
      fiscalYear,
      agencyId: agencyIds.get(a.code)!,
      officialCommitment: a === PROVINCE ? (OFFICIAL_COMMITMENTS[fiscalYear] ?? null) : null,
      pdnShareTarget: PDN_SHARE_TARGET,
      umkShareTarget: UMK_SHARE_TARGET,
    })),
  );
  const { count: n } = await tx.fiscalTarget.createMany({ data, skipDuplicates: true });
  count('fiscalTargets', n);
}

async function seedProgramme(
  tx: Tx,
  agencyIds: Map<string, number>,
  count: (what: string, n: number) => void,
): Promise<void> {
  const programme = demoProgramme();

  const events = await tx.event.createMany({
    data: programme.events.map((e) => ({
      year: PROGRAMME_YEAR,
      batchNumber: e.batchNumber,
      title: e.title,
      venue: e.venue,
      startDate: new Date(e.startDate),
      endDate: new Date(e.endDate),
      status: 'DONE' as const,
      description: e.description,
    })),
    skipDuplicates: true,
  });
  count('events', events.count);
  const eventRows = await tx.event.findMany({
    where: { year: PROGRAMME_YEAR },
    select: { id: true, batchNumber: true },
  });
  const eventIds = new Map(eventRows.map((e) => [e.batchNumber, e.id]));

  const existingSessions = await tx.session.findMany({
    where: { eventId: { in: [...eventIds.values()] } },
    select: { eventId: true, kind: true, startsAt: true },
  });
  const sessionKey = (eventId: number, kind: string, startsAt: Date) =>
    `${eventId}|${kind}|${startsAt.toISOString()}`;
  const haveSessions = new Set(existingSessions.map((s) => sessionKey(s.eventId, s.kind, s.startsAt)));
  const newSessions = programme.sessions
    .map((s) => ({
      eventId: eventIds.get(s.batchNumber)!,
      kind: s.kind,
      topic: s.topic,
      startsAt: new Date(s.startsAt),
      endsAt: new Date(s.endsAt),
      location: s.location,
    }))
    .filter((s) => !haveSessions.has(sessionKey(s.eventId, s.kind, s.startsAt)));
  count('sessions', (await tx.session.createMany({ data: newSessions })).count);

  const exhibitors = await tx.exhibitor.createMany({
    data: programme.exhibitors.map((x) => ({
      name: x.name,
      searchName: searchForm(x.name),
      nib: x.nib,
      npwp: x.npwp,
      vendorCode: x.vendorCode,
      scale: x.scale,
      sector: x.sector,
      city: x.city,
      siinasRegistered: x.siinasRegistered,
    })),
    skipDuplicates: true,
  });
  count('exhibitors', exhibitors.count);
  const exhibitorRows = await tx.exhibitor.findMany({
    where: { nib: { in: programme.exhibitors.map((x) => x.nib) } },
    select: { id: true, nib: true },
  });
  const exhibitorIds = new Map(exhibitorRows.map((x) => [x.nib!, x.id]));

  const existingProducts = await tx.product.findMany({
    where: { exhibitorId: { in: [...exhibitorIds.values()] } },
    select: { exhibitorId: true, name: true },
  });
  const haveProducts = new Set(existingProducts.map((p) => `${p.exhibitorId}|${p.name}`));
  const newProducts = programme.exhibitors
    .flatMap((x) => x.products.map((p) => ({ ...p, exhibitorId: exhibitorIds.get(x.nib)! })))
    .filter((p) => !haveProducts.has(`${p.exhibitorId}|${p.name}`));
  count('products', (await tx.product.createMany({ data: newProducts })).count);

  const participations = await tx.participation.createMany({
    data: programme.participations.map((p) => ({
      eventId: eventIds.get(p.batchNumber)!,
      exhibitorId: exhibitorIds.get(p.nib)!,
      booth: p.booth,
      registeredAt: new Date(`${programme.events[p.batchNumber - 1]!.startDate}T08:00:00+07:00`),
    })),
    skipDuplicates: true,
  });
  count('participations', participations.count);

  const existingDeals = await tx.deal.findMany({
    where: { eventId: { in: [...eventIds.values()] } },
    select: { eventId: true, agencyId: true, exhibitorId: true, value: true },
  });
  const dealKey = (d: {
    eventId: number;
    agencyId: number;
    exhibitorId: number;
    value: Prisma.Decimal | string;
  }) => `${d.eventId}|${d.agencyId}|${d.exhibitorId}|${new Prisma.Decimal(d.value).toFixed(2)}`;
  const haveDeals = new Set(existingDeals.map(dealKey));
  const newDeals = programme.deals
    .map((d) => ({
      eventId: eventIds.get(d.batchNumber)!,
      agencyId: agencyIds.get(d.agencyCode)!,
      exhibitorId: exhibitorIds.get(d.nib)!,
      value: d.value,
      description: d.description,
      signedOn: new Date(d.signedOn),
    }))
    .filter((d) => !haveDeals.has(dealKey(d)));
  count('deals', (await tx.deal.createMany({ data: newDeals })).count);
}
