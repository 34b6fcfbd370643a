// The dashboard's number and date text: Indonesian and English, and word for word the same as the
// API's own formatter (src/services/kpi/numbers.ts) for every amount and percentage.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  formatMoney as apiFormatMoney,
  formatPercent as apiFormatPercent,
  centsToMoney,
  Percent,
} from '../../src/services/kpi/numbers.js';
import {
  formatCount,
  formatDate,
  formatDateRange,
  formatMoney,
  formatMoneyShort,
  formatPercent,
  formatPoints,
  moneyToCents,
  monthName,
  roman,
} from '../../web/src/format.js';

describe('dashboard money text', () => {
  it('reads the programme figures as the press releases write them', () => {
    expect(formatMoney('13100000000000.00', 'id')).toBe('Rp13,1 triliun');
    expect(formatMoney('15800000000000.00', 'id')).toBe('Rp15,8 triliun');
    expect(formatMoney('11334000000000.00', 'id')).toBe('Rp11,334 triliun');
    expect(formatMoney('20454000000000.00', 'en')).toBe('IDR 20.454 trillion');
  });

  it('uses miliar and juta below a trillion and writes small amounts in full', () => {
    expect(formatMoney('750000000000', 'id')).toBe('Rp750 miliar');
    expect(formatMoney('2500000.00', 'id')).toBe('Rp2,5 juta');
    expect(formatMoney('2500000.00', 'en')).toBe('IDR 2.5 million');
    expect(formatMoney('950000.00', 'id')).toBe('Rp950.000');
    expect(formatMoney('950000.50', 'en')).toBe('IDR 950,000.50');
    expect(formatMoney('-1500000000000.00', 'id')).toBe('-Rp1,5 triliun');
  });

  it('rounds half-up at the third decimal of the unit', () => {
    expect(formatMoney('13099500000000.00', 'id')).toBe('Rp13,1 triliun');
    expect(formatMoney('13099499999999.99', 'id')).toBe('Rp13,099 triliun');
  });

  it('agrees with the API formatter on every amount', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }),
        fc.constantFrom('id', 'en'),
        (cents, locale) => {
          const money = centsToMoney(cents);
          expect(moneyToCents(money)).toBe(cents);
          expect(formatMoney(money, locale)).toBe(apiFormatMoney(cents, locale));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('writes short axis labels with Indonesian unit letters', () => {
    expect(formatMoneyShort(15.8e12, 'id')).toBe('Rp15,8 T');
    expect(formatMoneyShort(750e9, 'id')).toBe('Rp750 M');
    expect(formatMoneyShort(750e9, 'en')).toBe('IDR 750 B');
    expect(formatMoneyShort(3e6, 'id')).toBe('Rp3 jt');
    expect(formatMoneyShort(0, 'en')).toBe('IDR 0');
  });
});

describe('dashboard percentage text', () => {
  it('writes 82,9 % in Indonesian and 82.9% in English', () => {
    expect(formatPercent(82.9114, 'id')).toBe('82,9 %');
    expect(formatPercent(82.9114, 'en')).toBe('82.9%');
    expect(formatPercent(180.4658, 'id')).toBe('180,5 %');
    expect(formatPercent(95, 'id')).toBe('95,0 %');
  });

  it('rounds half-up from the decimal value, not its binary float', () => {
    // 82.95 is stored as 82.9499999…; naive rounding gives 82.9.
    expect(formatPercent(82.95, 'en')).toBe('83.0%');
    expect(formatPercent(-0.05, 'en')).toBe('-0.1%');
  });

  it('agrees with the API formatter on every four-decimal percentage', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5_000_000, max: 5_000_000 }),
        fc.constantFrom('id', 'en'),
        (n, locale) => {
          // n / 10^4 percent, exactly: what the API's numeric fields carry.
          const exact = Percent.of(BigInt(n), 1_000_000n)!;
          expect(formatPercent(exact.toNumber(), locale)).toBe(apiFormatPercent(exact, locale));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('signs percentage points', () => {
    expect(formatPoints(-12.06, 'id')).toBe('-12,1 poin');
    expect(formatPoints(3, 'en')).toBe('+3.0 pp');
    expect(formatPoints(0, 'en')).toBe('0.0 pp');
  });
});

describe('dashboard counts and dates', () => {
  it('groups thousands by locale', () => {
    expect(formatCount(1234567, 'id')).toBe('1.234.567');
    expect(formatCount(1234567, 'en')).toBe('1,234,567');
  });

  it('names days and months in the reader’s language', () => {
    expect(formatDate('2023-11-05', 'id')).toBe('5 November 2023');
    expect(formatDate('2023-05-08', 'id', 'short')).toBe('8 Mei 2023');
    expect(formatDate('2023-05-08', 'en', 'short')).toBe('8 May 2023');
    expect(monthName(8, 'id')).toBe('Agu');
    expect(monthName(8, 'en')).toBe('Aug');
  });

  it('writes a four-day batch as one range', () => {
    expect(formatDateRange('2023-05-08', '2023-05-11', 'id')).toBe('8–11 Mei 2023');
    expect(formatDateRange('2023-05-08', '2023-05-11', 'en')).toBe('8–11 May 2023');
    expect(formatDateRange('2023-01-30', '2023-02-02', 'id')).toBe('30 Jan – 2 Feb 2023');
    expect(formatDateRange('2023-12-30', '2024-01-02', 'en')).toBe('30 Dec 2023 – 2 Jan 2024');
  });

  it('numbers batches in Roman numerals', () => {
    expect([1, 3, 4, 9, 10, 14, 39].map(roman)).toEqual(['I', 'III', 'IV', 'IX', 'X', 'XIV', 'XXXIX']);
    expect(roman(0)).toBe('0');
  });
});
