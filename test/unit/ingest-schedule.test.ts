// Cron arithmetic of source schedules, in their IANA time zone.
import { describe, expect, it } from '@jest/globals';
import {
  backfillPlan,
  dateInZone,
  nextSlot,
  previousSlot,
  slotsBetween,
  validateSchedule,
} from '../../src/services/ingest/schedule.js';

const hourly = { cron: '0 * * * *', timezone: 'Asia/Jakarta' };

describe('source schedules', () => {
  it('place a daily 02:00 in Jakarta at 19:00 UTC the day before', () => {
    const daily = { cron: '0 2 * * *', timezone: 'Asia/Jakarta' };
    expect(nextSlot(daily, new Date('2026-01-01T00:00:00Z'))).toEqual(new Date('2026-01-01T19:00:00Z'));
    expect(previousSlot(daily, new Date('2026-01-01T19:00:00Z'))).toEqual(new Date('2026-01-01T19:00:00Z'));
  });

  it('list the slots of a period, keeping the latest ones and counting them all', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const to = new Date('2026-01-01T05:00:00Z');
    expect(slotsBetween(hourly, from, to, 10)).toEqual({
      total: 5,
      slots: [1, 2, 3, 4, 5].map((h) => new Date(Date.UTC(2026, 0, 1, h))),
    });
    expect(slotsBetween(hourly, from, to, 2)).toEqual({
      total: 5,
      slots: [new Date('2026-01-01T04:00:00Z'), new Date('2026-01-01T05:00:00Z')],
    });
    expect(slotsBetween(hourly, to, from, 2)).toEqual({ total: 0, slots: [] });
  });

  it('give the calendar date of an instant in a zone', () => {
    expect(dateInZone(new Date('2023-11-04T17:30:00Z'), 'Asia/Jakarta')).toBe('2023-11-05');
    expect(dateInZone(new Date('2023-11-04T17:30:00Z'), 'UTC')).toBe('2023-11-04');
  });

  it('refuse an invalid pattern or an unknown zone, naming the field', () => {
    expect(() => validateSchedule({ cron: '0 25 * * *', timezone: 'UTC' })).toThrow(
      expect.objectContaining({ field: 'input.cron' }),
    );
    expect(() => validateSchedule({ cron: '0 * * * *', timezone: 'Asia/Atlantis' })).toThrow(
      expect.objectContaining({ field: 'input.timezone' }),
    );
    expect(() => validateSchedule({ cron: '*/2 * * * * *', timezone: 'Asia/Jakarta' })).not.toThrow();
  });

  it('plan a backfill as replays of the earlier missed slots and a pull of the current data for the latest', () => {
    const slots = ['2026-03-08T19:00:00.000Z', '2026-03-09T19:00:00.000Z', '2026-03-10T19:00:00.000Z'];
    expect(backfillPlan(slots, 'Asia/Jakarta')).toEqual([
      { at: new Date(slots[0]!), requestedAsOf: '2026-03-09' },
      { at: new Date(slots[1]!), requestedAsOf: '2026-03-10' },
      { at: new Date(slots[2]!), requestedAsOf: null },
    ]);
    expect(backfillPlan(slots.slice(0, 1), 'Asia/Jakarta')).toEqual([
      { at: new Date(slots[0]!), requestedAsOf: null },
    ]);
  });
});
