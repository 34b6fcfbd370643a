// Time-phased commitment targets: per fiscal year (and agency, or for every agency) the share of
// the year's commitment expected by the end of each month. Read live by the KPI answers.
import { prisma } from '../../lib/db.js';
import { NotFoundError } from '../../lib/errors.js';
import { parseInput, percent, z } from '../validation.js';

export interface TargetPhases {
  fiscalYear: number;
  /** The agency code, or null for the default of every agency without its own phases. */
  agencyCode: string | null;
  /** Cumulative percent of the commitment due by the end of months 1…12; empty when unset. */
  cumulativePercents: number[];
}

const phasesInput = z.object({
  fiscalYear: z.number().int().min(2000, 'must be 2000 or later').max(2100, 'must be 2100 or earlier'),
  agency: z.string().trim().min(1).nullish(),
  cumulativePercents: z
    .array(percent)
    .refine((v) => v.length === 0 || v.length === 12, 'must give 12 months (January first), or none to clear')
    .refine(
      (v) => v.every((p, i) => i === 0 || p >= v[i - 1]!),
      'must not decrease from one month to the next',
    )
    .refine((v) => v.length === 0 || v[11] === 100, 'must reach 100 in December'),
});

async function agencyId(code: string | null | undefined): Promise<number | null> {
  if (!code) return null;
  const agency = await prisma.agency.findUnique({ where: { code }, select: { id: true } });
  if (!agency) throw new NotFoundError('Agency', code);
  return agency.id;
}

export async function getTargetPhases(fiscalYear: number, agencyCode?: string | null): Promise<TargetPhases> {
  const id = await agencyId(agencyCode);
  const rows = await prisma.kpiTargetPhase.findMany({
    where: { fiscalYear, agencyId: id },
    orderBy: { month: 'asc' },
  });
  return {
    fiscalYear,
    agencyCode: agencyCode ?? null,
    cumulativePercents: rows.length === 12 ? rows.map((r) => r.cumulativePercent.toNumber()) : [],
  };
}

/**
 * Replaces the phases of (year, agency): 12 cumulative percentages, non-decreasing, ending at 100;
 * an empty list clears them (targets then pro-rate by calendar days).
 */
export async function setTargetPhases(raw: z.input<typeof phasesInput>): Promise<TargetPhases> {
  const input = parseInput(phasesInput, raw);
  const id = await agencyId(input.agency);
  await prisma.$transaction(async (tx) => {
    await tx.kpiTargetPhase.deleteMany({ where: { fiscalYear: input.fiscalYear, agencyId: id } });
    if (input.cumulativePercents.length) {
      await tx.kpiTargetPhase.createMany({
        data: input.cumulativePercents.map((p, i) => ({
          fiscalYear: input.fiscalYear,
          agencyId: id,
          month: i + 1,
          cumulativePercent: p.toFixed(2),
        })),
      });
    }
  });
  return {
    fiscalYear: input.fiscalYear,
    agencyCode: input.agency ?? null,
    cumulativePercents: input.cumulativePercents,
  };
}
