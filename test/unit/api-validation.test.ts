// The input rules of the admin writes: money, percentages, NIB, and the field a failure names.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { jakartaDate } from '../../src/lib/dates.js';
import { ValidationError } from '../../src/lib/errors.js';
import { moneyAmount, nib, parseInput, percent, z } from '../../src/services/validation.js';

describe('money amounts', () => {
  it('accepts every non-negative amount with at most 2 decimals, unchanged', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }),
        fc.integer({ min: 0, max: 2 }),
        (units, decimals) => {
          const text = decimals === 0 ? String(units) : `${units}.${'7'.repeat(decimals)}`;
          expect(moneyAmount.parse(text)).toBe(text);
        },
      ),
    );
  });

  it('rejects negatives and more than 2 decimals', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n }), (units) => {
        expect(moneyAmount.safeParse(`-${units}.00`).success).toBe(false);
        expect(moneyAmount.safeParse(`${units}.123`).success).toBe(false);
      }),
    );
    for (const bad of ['', '1,5', '1e6', 'Rp 100', '.5'])
      expect(moneyAmount.safeParse(bad).success).toBe(false);
  });
});

describe('percentages', () => {
  it('accept 0 to 100 with at most 2 decimals and reject the rest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (hundredths) => {
        expect(percent.safeParse(hundredths / 100).success).toBe(true);
      }),
    );
    for (const bad of [-0.01, 100.01, 12.345, Number.NaN]) expect(percent.safeParse(bad).success).toBe(false);
  });
});

describe('NIB', () => {
  it('is exactly 13 digits', () => {
    expect(nib.safeParse('8120000000001').success).toBe(true);
    for (const bad of ['812000000000', '81200000000012', '812000000000A'])
      expect(nib.safeParse(bad).success).toBe(false);
  });
});

describe('parseInput', () => {
  it('names the first bad field under the given root', () => {
    const schema = z.object({ nested: z.object({ value: moneyAmount }) });
    expect(() => parseInput(schema, { nested: { value: '-1' } })).toThrow(ValidationError);
    try {
      parseInput(schema, { nested: { value: '-1' } });
    } catch (err) {
      expect((err as ValidationError).field).toBe('input.nested.value');
    }
  });
});

describe('jakartaDate', () => {
  it('is the UTC+7 calendar day of an instant', () => {
    expect(jakartaDate(new Date('2023-05-07T16:59:59Z'))).toBe('2023-05-07');
    expect(jakartaDate(new Date('2023-05-07T17:00:00Z'))).toBe('2023-05-08');
  });
});
