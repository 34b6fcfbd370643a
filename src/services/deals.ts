// Deals: business agreements recorded at an event between an agency and an exhibitor.
import type { Prisma } from '../generated/prisma/client.js';
import { type CalendarDate, fromDbDate, toDbDate } from '../lib/dates.js';
import { prisma } from '../lib/db.js';
import { NotFoundError, ValidationError } from '../lib/errors.js';
import { calendarDate, moneyAmount, optionalText, parseInput, z } from './validation.js';

export interface DealFilter {
  eventIds?: number[] | null;
  agencyIds?: number[] | null;
  exhibitorIds?: number[] | null;
  signedFrom?: CalendarDate | null;
  signedTo?: CalendarDate | null;
  /** Rupiah, exact decimal string. */
  minValue?: string | null;
}

export type DealOrderField = 'SIGNED_ON' | 'VALUE';

export function dealWhere(filter: DealFilter): Prisma.DealWhereInput {
  const and: Prisma.DealWhereInput[] = [];
  if (filter.eventIds?.length) and.push({ eventId: { in: filter.eventIds } });
  if (filter.agencyIds?.length) and.push({ agencyId: { in: filter.agencyIds } });
  if (filter.exhibitorIds?.length) and.push({ exhibitorId: { in: filter.exhibitorIds } });
  if (filter.signedFrom) and.push({ signedOn: { gte: toDbDate(filter.signedFrom) } });
  if (filter.signedTo) and.push({ signedOn: { lte: toDbDate(filter.signedTo) } });
  if (filter.minValue != null) and.push({ value: { gte: filter.minValue } });
  return { AND: and };
}

export function dealOrderBy(
  field: DealOrderField,
  direction: 'ASC' | 'DESC',
): Prisma.DealOrderByWithRelationInput[] {
  const dir = direction === 'DESC' ? 'desc' : 'asc';
  return field === 'VALUE' ? [{ value: dir }, { id: dir }] : [{ signedOn: dir }, { id: dir }];
}

export function listDeals<Q extends object>(
  query: Q,
  filter: DealFilter,
  order: { field: DealOrderField; direction: 'ASC' | 'DESC' },
) {
  return prisma.deal.findMany({
    ...query,
    where: dealWhere(filter),
    orderBy: dealOrderBy(order.field, order.direction),
  });
}

export function countDeals(filter: DealFilter): Promise<number> {
  return prisma.deal.count({ where: dealWhere(filter) });
}

// ---------------------------------------------------------------- writes

export const recordDealInput = z.object({
  value: moneyAmount,
  signedOn: calendarDate,
  description: optionalText(2000),
});
export type RecordDealInput = z.input<typeof recordDealInput>;

export const updateDealInput = z.object({
  value: moneyAmount.nullish(),
  signedOn: calendarDate.nullish(),
  description: optionalText(2000),
});
export type UpdateDealInput = z.input<typeof updateDealInput>;

interface DealParties {
  eventId: number;
  agencyId: number;
  exhibitorId: number;
}

/** A deal needs a published or held event, a known agency and an exhibitor registered there. */
async function checkParties(p: DealParties, signedOn: Date) {
  const [event, agency, registered] = await Promise.all([
    prisma.event.findUnique({ where: { id: p.eventId } }),
    prisma.agency.findUnique({ where: { id: p.agencyId }, select: { id: true } }),
    prisma.participation.findUnique({
      where: { eventId_exhibitorId: { eventId: p.eventId, exhibitorId: p.exhibitorId } },
      select: { id: true },
    }),
  ]);
  if (!event) throw new NotFoundError('Event', p.eventId);
  if (!agency) throw new NotFoundError('Agency', p.agencyId);
  if (event.status !== 'PUBLISHED' && event.status !== 'DONE') {
    throw new ValidationError(
      'eventId',
      `deals are recorded at published or held events, not ${event.status}`,
    );
  }
  if (!registered) throw new ValidationError('exhibitorId', 'the exhibitor is not registered at this event');
  if (signedOn.getTime() < event.startDate.getTime()) {
    throw new ValidationError(
      'input.signedOn',
      `must be on or after the event's first day, ${fromDbDate(event.startDate)}`,
    );
  }
}

export async function recordDeal(parties: DealParties, raw: RecordDealInput) {
  const input = parseInput(recordDealInput, raw);
  await checkParties(parties, input.signedOn);
  return prisma.deal.create({ data: { ...parties, ...input } });
}

async function getDeal(id: number) {
  const deal = await prisma.deal.findUnique({ where: { id } });
  if (!deal) throw new NotFoundError('Deal', id);
  return deal;
}

export async function updateDeal(id: number, raw: UpdateDealInput) {
  const input = parseInput(updateDealInput, raw);
  const deal = await getDeal(id);
  if (input.signedOn) await checkParties(deal, input.signedOn);
  return prisma.deal.update({
    where: { id },
    data: {
      ...(input.value != null ? { value: input.value } : {}),
      ...(input.signedOn ? { signedOn: input.signedOn } : {}),
      ...(raw.description !== undefined ? { description: input.description } : {}),
    },
  });
}

/**
 * Deletes a deal and returns it as it was, read with the caller's `query` (the graph's
 * include/select) before the delete: its relations cannot be loaded afterwards.
 */
export async function deleteDeal<Q extends Omit<Prisma.DealFindUniqueArgs, 'where'>>(id: number, query?: Q) {
  const deal = await prisma.deal.findUnique({ ...(query ?? {}), where: { id } });
  if (!deal) throw new NotFoundError('Deal', id);
  await prisma.deal.delete({ where: { id } });
  return deal;
}
