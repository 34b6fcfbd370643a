// Per fiscal year and agency: the official PDN commitment (Rp) and the share targets (percent).
import type { Prisma } from '../generated/prisma/client.js';
import { prisma } from '../lib/db.js';
import { NotFoundError } from '../lib/errors.js';
import { moneyAmount, optionalText, parseInput, percent, z } from './validation.js';

export const setFiscalTargetInput = z.object({
  fiscalYear: z.number().int().min(2000, 'must be 2000 or later').max(2100, 'must be 2100 or earlier'),
  officialCommitment: moneyAmount.nullish(),
  pdnShareTarget: percent.nullish(),
  umkShareTarget: percent.nullish(),
  note: optionalText(2000),
});
export type SetFiscalTargetInput = z.input<typeof setFiscalTargetInput>;

/**
 * Creates or changes the targets of (year, agency). Fields left out keep their value (or the
 * defaults, 95 % and 40 %, for a new row); an explicit null commitment clears it.
 */
export async function setFiscalTarget(agencyId: number, raw: SetFiscalTargetInput) {
  const input = parseInput(setFiscalTargetInput, raw);
  if (!(await prisma.agency.findUnique({ where: { id: agencyId }, select: { id: true } }))) {
    throw new NotFoundError('Agency', agencyId);
  }
  const changes: Prisma.FiscalTargetUncheckedUpdateInput = {
    ...(raw.officialCommitment !== undefined ? { officialCommitment: input.officialCommitment ?? null } : {}),
    ...(input.pdnShareTarget != null ? { pdnShareTarget: input.pdnShareTarget.toFixed(2) } : {}),
    ...(input.umkShareTarget != null ? { umkShareTarget: input.umkShareTarget.toFixed(2) } : {}),
    ...(raw.note !== undefined ? { note: input.note } : {}),
  };
  return prisma.fiscalTarget.upsert({
    where: { fiscalYear_agencyId: { fiscalYear: input.fiscalYear, agencyId } },
    create: {
      fiscalYear: input.fiscalYear,
      agencyId,
      officialCommitment: input.officialCommitment ?? null,
      ...(input.pdnShareTarget != null ? { pdnShareTarget: input.pdnShareTarget.toFixed(2) } : {}),
      ...(input.umkShareTarget != null ? { umkShareTarget: input.umkShareTarget.toFixed(2) } : {}),
      note: input.note,
    },
    update: changes,
  });
}

export function listFiscalTargets<Q extends object>(
  query: Q,
  filter: { fiscalYear?: number | null; agencyIds?: number[] | null },
) {
  return prisma.fiscalTarget.findMany({
    ...query,
    where: {
      ...(filter.fiscalYear != null ? { fiscalYear: filter.fiscalYear } : {}),
      ...(filter.agencyIds?.length ? { agencyId: { in: filter.agencyIds } } : {}),
    },
    orderBy: [{ fiscalYear: 'asc' }, { agencyId: 'asc' }],
  });
}
