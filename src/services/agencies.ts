// Agencies (Perangkat Daerah / work units): listing and filters.
import type { AgencyKind, Prisma } from '../generated/prisma/client.js';
import { prisma } from '../lib/db.js';
import { likeEscape } from '../lib/text.js';

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
