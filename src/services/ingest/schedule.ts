// Cron arithmetic for source schedules: validation, the next slot, and the slots that fell in a
// period (the runs missed while no worker ran). Pure functions over an explicit clock.
import { CronExpressionParser } from 'cron-parser';
import { ValidationError } from '../../lib/errors.js';

export interface Schedule {
  cron: string;
  timezone: string;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Throws a ValidationError naming the field when the pattern or the zone is not usable. */
export function validateSchedule(schedule: Schedule, fieldPrefix = 'input'): void {
  if (!isTimeZone(schedule.timezone)) {
    throw new ValidationError(`${fieldPrefix}.timezone`, `unknown IANA time zone: ${schedule.timezone}`);
  }
  try {
    CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, strict: false }).next();
  } catch (err) {
    throw new ValidationError(`${fieldPrefix}.cron`, `invalid cron pattern: ${(err as Error).message}`);
  }
}

/** The first slot strictly after `after`. */
export function nextSlot(schedule: Schedule, after: Date): Date {
  return CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: after })
    .next()
    .toDate();
}

/** The latest slot at or before `at`, or null if the pattern has none (never, in practice). */
export function previousSlot(schedule: Schedule, at: Date): Date | null {
  try {
    return CronExpressionParser.parse(schedule.cron, {
      tz: schedule.timezone,
      currentDate: new Date(at.getTime() + 1),
    })
      .prev()
      .toDate();
  } catch {
    return null;
  }
}

/**
 * Slots in (from, to], oldest first: the latest `limit` of them, and how many there were in all
 * (counting stops at `countLimit`, so a long outage on a per-minute pattern stays cheap).
 */
export function slotsBetween(
  schedule: Schedule,
  from: Date,
  to: Date,
  limit: number,
  countLimit = 100_000,
): { slots: Date[]; total: number } {
  const slots: Date[] = [];
  let total = 0;
  if (to <= from) return { slots, total };
  const expr = CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: from });
  while (total < countLimit) {
    const slot = expr.next().toDate();
    if (slot > to) break;
    total++;
    if (limit > 0) {
      slots.push(slot);
      if (slots.length > limit) slots.shift();
    }
  }
  return { slots, total };
}

/** The calendar date of an instant in a zone, YYYY-MM-DD (the as-of date of a slot). */
export function dateInZone(at: Date, timezone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/**
 * What a BACKFILL pulls for its missed slots, oldest first: each earlier slot a replay as of its
 * calendar day in the source's zone, the latest one the feed's current data (that slot is "now"),
 * so a catch-up ends on the source's live snapshot.
 */
export function backfillPlan(
  slots: string[],
  timezone: string,
): Array<{ at: Date; requestedAsOf: string | null }> {
  return slots.map((slot, i) => {
    const at = new Date(slot);
    return { at, requestedAsOf: i === slots.length - 1 ? null : dateInZone(at, timezone) };
  });
}
