// Calendar dates have one representation in Bisma: `YYYY-MM-DD` text, from the graph's Date
// scalar through the services to SQL. A JS Date stands only at the Prisma boundary, where a
// `@db.Date` column takes and gives UTC midnight of the day.
import { z } from 'zod';
import { ValidationError } from './errors.js';

/** A calendar date, `YYYY-MM-DD`. */
export type CalendarDate = string;

/** Programme and KPI dates are Asia/Jakarta dates: UTC+7 all year (no daylight saving). */
export const JAKARTA_ZONE = 'Asia/Jakarta';
const JAKARTA_OFFSET_MS = 7 * 3_600_000;

const SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `value` is `YYYY-MM-DD` naming a day that exists (not `2023-02-30`). */
export function isCalendarDate(value: unknown): value is CalendarDate {
  if (typeof value !== 'string' || !SHAPE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export const CALENDAR_DATE_MESSAGE = 'must be a calendar date, YYYY-MM-DD';

/** Throws a ValidationError naming `field` unless `value` is absent or a calendar date. */
export function checkCalendarDate(
  value: string | null | undefined,
  field = 'asOf',
  message = CALENDAR_DATE_MESSAGE,
): void {
  if (value != null && !isCalendarDate(value)) throw new ValidationError(field, message);
}

/** The zod form of a calendar date, for service input schemas. */
export const calendarDateText = z.string().refine(isCalendarDate, CALENDAR_DATE_MESSAGE);

/** The day a `@db.Date` value (UTC midnight, as Prisma and pg give it) stands for. */
export function fromDbDate(date: Date): CalendarDate {
  return date.toISOString().slice(0, 10);
}

/** The `@db.Date` value of a day, for Prisma. */
export function toDbDate(date: CalendarDate): Date {
  return new Date(`${date}T00:00:00Z`);
}

/** The Asia/Jakarta calendar date of an instant. */
export function jakartaDate(at: Date | number): CalendarDate {
  return new Date(new Date(at).getTime() + JAKARTA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Today's date in Asia/Jakarta. */
export function jakartaToday(now: Date | number = Date.now()): CalendarDate {
  return jakartaDate(now);
}

/** The date `days` days after `date` (before, when negative). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromDbDate(new Date(toDbDate(date).getTime() + days * 86_400_000));
}
