// Exhibitors (providers): search and filters, and the admin writes. The search column
// `search_name` is the accent-free, lower-case name (searchForm) and is kept in step on every write.
import type { ExhibitorScale, Prisma } from '../generated/prisma/client.js';
import { prisma } from '../lib/db.js';
import { NotFoundError } from '../lib/errors.js';
import { likeEscape, searchForm } from '../lib/text.js';
import { type Visibility, visibleEventWhere } from './events.js';
import { nib, optionalText, parseInput, rethrowUnique, text, z } from './validation.js';

export interface ExhibitorFilter {
  /** Part of the name, any case, accents ignored. */
  search?: string | null;
  scales?: ExhibitorScale[] | null;
  sector?: string | null;
  siinasRegistered?: boolean | null;
  /** Exhibitors that attended at least one of these events. */
  attendedEventIds?: number[] | null;
  /** Exhibitors that attended at least this many (visible) events. */
  minEventsAttended?: number | null;
  /** Exhibitors with at least one product whose TKDN is at least this. */
  minProductTkdn?: number | null;
}

export type ExhibitorOrderField = 'NAME' | 'CREATED_AT';

/** Escapes LIKE wildcards: a search for "50%" means the text "50%". */
export async function exhibitorWhere(
  filter: ExhibitorFilter,
  v: Visibility,
): Promise<Prisma.ExhibitorWhereInput> {
  const and: Prisma.ExhibitorWhereInput[] = [];
  const search = filter.search ? searchForm(filter.search) : '';
  if (search) and.push({ searchName: { contains: likeEscape(search) } });
  if (filter.scales?.length) and.push({ scale: { in: filter.scales } });
  if (filter.sector) and.push({ sector: { equals: filter.sector.trim(), mode: 'insensitive' } });
  if (filter.siinasRegistered != null) and.push({ siinasRegistered: filter.siinasRegistered });
  if (filter.attendedEventIds?.length) {
    and.push({
      participations: { some: { eventId: { in: filter.attendedEventIds }, event: visibleEventWhere(v) } },
    });
  }
  if (filter.minProductTkdn != null)
    and.push({ products: { some: { tkdn: { gte: filter.minProductTkdn } } } });
  if (filter.minEventsAttended != null && filter.minEventsAttended > 0) {
    and.push({ id: { in: await exhibitorsWithAtLeast(filter.minEventsAttended, v) } });
  }
  return { AND: and };
}

// Prisma cannot filter on a relation count; one grouped query answers it for all exhibitors.
async function exhibitorsWithAtLeast(events: number, v: Visibility): Promise<number[]> {
  const groups = await prisma.participation.groupBy({
    by: ['exhibitorId'],
    where: { event: visibleEventWhere(v) },
    _count: { eventId: true },
    having: { eventId: { _count: { gte: events } } },
  });
  return groups.map((g) => g.exhibitorId);
}

export function exhibitorOrderBy(
  field: ExhibitorOrderField,
  direction: 'ASC' | 'DESC',
): Prisma.ExhibitorOrderByWithRelationInput[] {
  const dir = direction === 'DESC' ? 'desc' : 'asc';
  return field === 'CREATED_AT' ? [{ createdAt: dir }, { id: dir }] : [{ searchName: dir }, { id: dir }];
}

export async function listExhibitors<Q extends object>(
  query: Q,
  filter: ExhibitorFilter,
  order: { field: ExhibitorOrderField; direction: 'ASC' | 'DESC' },
  v: Visibility,
) {
  return prisma.exhibitor.findMany({
    ...query,
    where: await exhibitorWhere(filter, v),
    orderBy: exhibitorOrderBy(order.field, order.direction),
  });
}

export async function countExhibitors(filter: ExhibitorFilter, v: Visibility): Promise<number> {
  return prisma.exhibitor.count({ where: await exhibitorWhere(filter, v) });
}

// ---------------------------------------------------------------- writes

const SCALES = ['MICRO', 'SMALL', 'MEDIUM', 'LARGE', 'KOPERASI'] as const satisfies readonly ExhibitorScale[];

const npwp = z
  .string()
  .trim()
  .transform((v) => v.replace(/[.\-\s]/g, ''))
  .refine((v) => /^\d{15,16}$/.test(v), 'must be 15 or 16 digits (NPWP)');

export const createExhibitorInput = z.object({
  name: text(200),
  nib: nib.nullish(),
  npwp: npwp.nullish(),
  vendorCode: optionalText(50),
  scale: z.enum(SCALES),
  sector: text(100),
  city: optionalText(100),
  siinasRegistered: z.boolean().nullish(),
});
export type CreateExhibitorInput = z.input<typeof createExhibitorInput>;

export const updateExhibitorInput = z.object({
  name: text(200).nullish(),
  nib: nib.nullish(),
  npwp: npwp.nullish(),
  vendorCode: optionalText(50),
  scale: z.enum(SCALES).nullish(),
  sector: text(100).nullish(),
  city: optionalText(100),
  siinasRegistered: z.boolean().nullish(),
});
export type UpdateExhibitorInput = z.input<typeof updateExhibitorInput>;

const DUPLICATE_NIB = 'another exhibitor already has this NIB';

export async function createExhibitor(raw: CreateExhibitorInput) {
  const input = parseInput(createExhibitorInput, raw);
  try {
    return await prisma.exhibitor.create({
      data: {
        ...input,
        nib: input.nib ?? null,
        npwp: input.npwp ?? null,
        siinasRegistered: input.siinasRegistered ?? false,
        searchName: searchForm(input.name),
      },
    });
  } catch (err) {
    rethrowUnique(err, 'input.nib', DUPLICATE_NIB);
  }
}

export async function updateExhibitor(id: number, raw: UpdateExhibitorInput) {
  const input = parseInput(updateExhibitorInput, raw);
  if (!(await prisma.exhibitor.findUnique({ where: { id }, select: { id: true } }))) {
    throw new NotFoundError('Exhibitor', id);
  }
  // Left out: unchanged. Explicit null: cleared (optional fields only).
  const data: Prisma.ExhibitorUpdateInput = {
    ...(input.name ? { name: input.name, searchName: searchForm(input.name) } : {}),
    ...(raw.nib !== undefined ? { nib: input.nib ?? null } : {}),
    ...(raw.npwp !== undefined ? { npwp: input.npwp ?? null } : {}),
    ...(raw.vendorCode !== undefined ? { vendorCode: input.vendorCode } : {}),
    ...(input.scale ? { scale: input.scale } : {}),
    ...(input.sector ? { sector: input.sector } : {}),
    ...(raw.city !== undefined ? { city: input.city } : {}),
    ...(input.siinasRegistered != null ? { siinasRegistered: input.siinasRegistered } : {}),
  };
  try {
    return await prisma.exhibitor.update({ where: { id }, data });
  } catch (err) {
    rethrowUnique(err, 'input.nib', DUPLICATE_NIB);
  }
}
