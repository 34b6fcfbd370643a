// Agencies (Perangkat Daerah / work units): listing and filters, and the admin's create and
// rename (agencies normally come from the source's master-satker: services/ingest/agencies.ts).
import type { AgencyKind, Prisma } from '../generated/prisma/client.js';
import { pool, prisma } from '../lib/db.js';
import { NotFoundError } from '../lib/errors.js';
import { likeEscape } from '../lib/text.js';
import { attributeItems } from './ingest/agencies.js';
import { parseInput, rethrowUnique, text, z } from './validation.js';

export interface AgencyFilter {
  /** Part of the name or code, any case. */
  search?: string | null;
  kinds?: AgencyKind[] | null;
  active?: boolean | null;
}

export type AgencyOrderField = 'CODE' | 'NAME';

export function agencyWhere(filter: AgencyFilter): Prisma.AgencyWhereInput {
  const and: Prisma.AgencyWhereInput[] = [];
  const search = filter.search?.trim();
  if (search) {
    and.push({
      OR: [
        { name: { contains: likeEscape(search), mode: 'insensitive' } },
        { code: { contains: likeEscape(search), mode: 'insensitive' } },
      ],
    });
  }
  if (filter.kinds?.length) and.push({ kind: { in: filter.kinds } });
  if (filter.active != null) and.push({ active: filter.active });
  return { AND: and };
}

export function agencyOrderBy(
  field: AgencyOrderField,
  direction: 'ASC' | 'DESC',
): Prisma.AgencyOrderByWithRelationInput[] {
  const dir = direction === 'DESC' ? 'desc' : 'asc';
  return field === 'NAME' ? [{ name: dir }, { id: dir }] : [{ code: dir }, { id: dir }];
}

export function listAgencies<Q extends object>(
  query: Q,
  filter: AgencyFilter,
  order: { field: AgencyOrderField; direction: 'ASC' | 'DESC' },
) {
  return prisma.agency.findMany({
    ...query,
    where: agencyWhere(filter),
    orderBy: agencyOrderBy(order.field, order.direction),
  });
}

export function countAgencies(filter: AgencyFilter): Promise<number> {
  return prisma.agency.count({ where: agencyWhere(filter) });
}

const KINDS = [
  'PROVINCE',
  'DINAS',
  'BADAN',
  'BIRO',
  'KOTA_ADMINISTRASI',
  'SEKRETARIAT',
  'RSUD',
  'UPT',
  'OTHER',
] as const;

export const createAgencyInput = z.object({
  code: text(64),
  name: text(300),
  kind: z.enum(KINDS).nullish(),
  klpdCode: text(16).nullish(),
  numericCode: z
    .string()
    .trim()
    .regex(/^\d{1,20}$/, 'must be digits')
    .nullish(),
  parentId: z.number().int().positive().nullish(),
});
export type CreateAgencyInput = z.input<typeof createAgencyInput>;

/**
 * Creates an agency the source does not list (yet); items already waiting for its code (or its
 * numeric code) are attributed to it at once and their KPI buckets marked for the recompute.
 */
export async function createAgency(raw: CreateAgencyInput) {
  const input = parseInput(createAgencyInput, raw);
  if (input.parentId != null && !(await prisma.agency.findUnique({ where: { id: input.parentId } }))) {
    throw new NotFoundError('Agency', input.parentId);
  }
  const agency = await prisma.agency
    .create({
      data: {
        code: input.code,
        name: input.name,
        kind: input.kind ?? 'OTHER',
        klpdCode: input.klpdCode ?? null,
        numericCode: input.numericCode ?? null,
        parentId: input.parentId ?? null,
      },
    })
    .catch((err: unknown) => rethrowUnique(err, 'input.code', `an agency with code ${input.code} exists`));
  await attributeItems(pool, null);
  return agency;
}

export const renameAgencyInput = z.object({ name: text(300) });

/** Renames an agency (a master-satker import later brings the source's name back). */
export async function renameAgency(id: number, raw: z.input<typeof renameAgencyInput>) {
  const input = parseInput(renameAgencyInput, raw);
  if (!(await prisma.agency.findUnique({ where: { id }, select: { id: true } }))) {
    throw new NotFoundError('Agency', id);
  }
  return prisma.agency.update({ where: { id }, data: { name: input.name } });
}
