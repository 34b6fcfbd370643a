import {
  addDays,
  checkCalendarDate,
  isCalendarDate,
  jakartaDate,
  jakartaToday,
} from '../../src/lib/dates.js';
import { ValidationError } from '../../src/lib/errors.js';
import { DateScalar } from '../../src/schema/scalars.js';

describe('calendar dates (lib/dates)', () => {
  it('accepts YYYY-MM-DD days that exist and refuses impossible or other shapes', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2023-13-01')).toBe(false);
    expect(isCalendarDate('2023-1-05')).toBe(false);
    expect(isCalendarDate('2023-01-05T00:00:00Z')).toBe(false);
    expect(isCalendarDate(20230105)).toBe(false);
  });

  it('names the field of a bad date in a ValidationError and lets an absent one pass', () => {
    expect(() => checkCalendarDate('2023-02-30', 'input.asOf')).toThrow(ValidationError);
    expect(() => checkCalendarDate(null)).not.toThrow();
  });

  it('dates an instant in Asia/Jakarta (UTC+7): 17:00 UTC is already the next day', () => {
    expect(jakartaDate(new Date('2023-12-31T16:59:59Z'))).toBe('2023-12-31');
    expect(jakartaToday(Date.parse('2023-12-31T17:00:00Z'))).toBe('2024-01-01');
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2023-12-30', 3)).toBe('2024-01-02');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });

  it('the Date scalar passes the client text through and serialises a database date as its day', () => {
    expect(DateScalar.parseValue('2023-11-05')).toBe('2023-11-05');
    expect(() => DateScalar.parseValue('2023-11-31')).toThrow('YYYY-MM-DD');
    expect(DateScalar.serialize(new Date('2023-11-05T00:00:00Z'))).toBe('2023-11-05');
  });
});
