// Business Matching events: who may see which, how they are filtered and ordered, and the admin
// writes (create, update, publish, complete, cancel) with their rules.
import type { EventStatus, Prisma } from '../generated/prisma/client.js';
import { type CalendarDate, fromDbDate, toDbDate } from '../lib/dates.js';
import { prisma } from '../lib/db.js';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.js';
import { readMany } from '../lib/select-reader.js';
import { likeEscape } from '../lib/text.js';
import { calendarDate, optionalText, parseInput, rethrowUnique, text, z } from './validation.js';

/** The public sees published and finished events; drafts and cancelled ones need an analyst key. */
export const PUBLIC_EVENT_STATUSES: EventStatus[] = ['PUBLISHED', 'DONE'];

export interface Visibility {
  /** Analysts and admins see drafts and cancelled events too. */
  includeDrafts: boolean;
}

export function visibleEventWhere(v: Visibility): Prisma.EventWhereInput {
  return v.includeDrafts ? {} : { status: { in: PUBLIC_EVENT_STATUSES } };
}

export interface EventFilter {
  year?: number | null;
  batchNumber?: number | null;
  statuses?: EventStatus[] | null;
  /** Events that overlap [from, to] (calendar dates, inclusive). */
  from?: CalendarDate | null;
  to?: CalendarDate | null;
  /** Words in the title, venue or description (case ignored; every word must appear). */
  search?: string | null;
}

export type EventOrderField = 'START_DATE' | 'BATCH_NUMBER' | 'TITLE';
export type Direction = 'ASC' | 'DESC';

const SEARCH_MAX_LENGTH = 200;

export function eventWhere(filter: EventFilter, v: Visibility): Prisma.EventWhereInput {
  const and: Prisma.EventWhereInput[] = [visibleEventWhere(v)];
  if (filter.year != null) and.push({ year: filter.year });
  if (filter.batchNumber != null) and.push({ batchNumber: filter.batchNumber });
  if (filter.statuses?.length) and.push({ status: { in: filter.statuses } });
  if (filter.from) and.push({ endDate: { gte: toDbDate(filter.from) } });
  if (filter.to) and.push({ startDate: { lte: toDbDate(filter.to) } });
  if (filter.search != null && filter.search.length > SEARCH_MAX_LENGTH)
    throw new ValidationError('filter.search', `must be at most ${SEARCH_MAX_LENGTH} characters`);
  for (const word of (filter.search ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 10)) {
    const contains = { contains: likeEscape(word), mode: 'insensitive' as const };
    and.push({ OR: [{ title: contains }, { venue: contains }, { description: contains }] });
  }
  return { AND: and };
}

export function eventOrderBy(
  field: EventOrderField,
  direction: Direction,
): Prisma.EventOrderByWithRelationInput[] {
  const dir = direction === 'DESC' ? 'desc' : 'asc';
  const primary: Prisma.EventOrderByWithRelationInput =
    field === 'BATCH_NUMBER' ? { batchNumber: dir } : field === 'TITLE' ? { title: dir } : { startDate: dir };
  // The id breaks ties so that cursor pagination is stable.
  return field === 'BATCH_NUMBER' ? [{ year: dir }, primary, { id: dir }] : [primary, { id: dir }];
}

/** Lists events; `query` carries the graph's include/select and the page's cursor/take/skip. */
export function listEvents<Q extends object>(
  query: Q,
  filter: EventFilter,
  order: { field: EventOrderField; direction: Direction },
  v: Visibility,
) {
  const args = {
    ...query,
    where: eventWhere(filter, v),
    orderBy: eventOrderBy(order.field, order.direction),
  };
  // The select reader answers what it translates (the events page) in one statement; Prisma the rest.
  return readMany('Event', args, () => prisma.event.findMany(args));
}

export function countEvents(filter: EventFilter, v: Visibility): Promise<number> {
  return prisma.event.count({ where: eventWhere(filter, v) });
}

// ---------------------------------------------------------------- writes

const eventFields = {
  batchNumber: z.number().int().min(1, 'must be 1 or more').max(99, 'must be at most 99'),
  title: text(200),
  venue: text(200),
  startDate: calendarDate,
  endDate: calendarDate,
  description: optionalText(5000),
};

const datesOrdered = (v: { startDate?: Date | null; endDate?: Date | null }) =>
  !v.startDate || !v.endDate || v.endDate.getTime() >= v.startDate.getTime();
const DATES_MESSAGE = { message: 'must be on or after startDate', path: ['endDate'] };

export const createEventInput = z.object(eventFields).refine(datesOrdered, DATES_MESSAGE);
export type CreateEventInput = z.input<typeof createEventInput>;

export const updateEventInput = z.object({
  batchNumber: eventFields.batchNumber.nullish(),
  title: eventFields.title.nullish(),
  venue: eventFields.venue.nullish(),
  startDate: calendarDate.nullish(),
  endDate: calendarDate.nullish(),
  description: eventFields.description,
});
export type UpdateEventInput = z.input<typeof updateEventInput>;

/** The programme year is the (Asia/Jakarta) calendar year of the first day. */
function programmeYear(startDate: Date): number {
  return Number(fromDbDate(startDate).slice(0, 4));
}

const DUPLICATE_BATCH = 'an event with this batch number already exists in that year';

export async function createEvent(raw: CreateEventInput) {
  const input = parseInput(createEventInput, raw);
  try {
    return await prisma.event.create({
      data: { ...input, year: programmeYear(input.startDate), status: 'DRAFT' },
    });
  } catch (err) {
    rethrowUnique(err, 'input.batchNumber', DUPLICATE_BATCH);
  }
}

async function getEvent(id: number) {
  const event = await prisma.event.findUnique({ where: { id } });
  if (!event) throw new NotFoundError('Event', id);
  return event;
}

export async function updateEvent(id: number, raw: UpdateEventInput) {
  const input = parseInput(updateEventInput, raw);
  const event = await getEvent(id);
  if (event.status === 'CANCELLED' || event.status === 'DONE') {
    throw new ConflictError(`a ${event.status.toLowerCase()} event can no longer be changed`, 'id');
  }
  const startDate = input.startDate ?? event.startDate;
  const endDate = input.endDate ?? event.endDate;
  if (!datesOrdered({ startDate, endDate }))
    throw new ValidationError('input.endDate', DATES_MESSAGE.message);
  const data: Prisma.EventUpdateInput = {
    ...(input.batchNumber != null ? { batchNumber: input.batchNumber } : {}),
    ...(input.title != null ? { title: input.title } : {}),
    ...(input.venue != null ? { venue: input.venue } : {}),
    ...(input.startDate ? { startDate, year: programmeYear(startDate) } : {}),
    ...(input.endDate ? { endDate } : {}),
    // An explicit null or empty string clears the description; leaving it out keeps it.
    ...(raw.description !== undefined ? { description: input.description } : {}),
  };
  try {
    return await prisma.event.update({ where: { id }, data });
  } catch (err) {
    rethrowUnique(err, 'input.batchNumber', DUPLICATE_BATCH);
  }
}

const TRANSITIONS: Record<'publish' | 'complete' | 'cancel', { from: EventStatus[]; to: EventStatus }> = {
  publish: { from: ['DRAFT'], to: 'PUBLISHED' },
  complete: { from: ['PUBLISHED'], to: 'DONE' },
  cancel: { from: ['DRAFT', 'PUBLISHED'], to: 'CANCELLED' },
};

/** Moves an event along DRAFT -> PUBLISHED -> DONE, or to CANCELLED; anything else is a conflict. */
export async function transitionEvent(id: number, action: keyof typeof TRANSITIONS) {
  const { from, to } = TRANSITIONS[action];
  // Conditional update: two admins racing cannot both move the same event.
  const { count } = await prisma.event.updateMany({
    where: { id, status: { in: from } },
    data: { status: to },
  });
  const event = await getEvent(id);
  if (count === 0) {
    throw new ConflictError(`cannot ${action} an event whose status is ${event.status}`, 'id');
  }
  return event;
}
