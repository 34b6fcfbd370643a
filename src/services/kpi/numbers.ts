// Exact KPI arithmetic and its display: money is bigint cents, a percentage is an exact ratio
// rounded half-up only when shown (4 decimals in numeric fields, 1 decimal in text).

import { fixedText, formatMoneyCents, type KpiLocale, localeDecimal } from '../../common/kpi.js';

/** Rupiah amounts as integer cents: sums and ratios never pass through a float. */
export type Cents = bigint;

export type { KpiLocale };

const MONEY_TEXT = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/** "1234.5" (PostgreSQL numeric text) → 123450n. */
export function toCents(text: string | null | undefined): Cents {
  if (text === null || text === undefined) return 0n;
  const money = text.trim();
  if (!MONEY_TEXT.test(money)) throw new RangeError(`not a money amount with at most 2 decimals: ${text}`);
  // One BigInt from the digits with the point taken out ("-12.5" → "-1250"): a KPI answer
  // converts a few hundred sums, and this is several times cheaper than matching out the parts.
  const point = money.indexOf('.');
  if (point === -1) return BigInt(money) * 100n;
  const decimals = money.length - point - 1;
  return BigInt(money.slice(0, point) + money.slice(point + 1) + (decimals === 1 ? '0' : ''));
}

/** 123450n → "1234.50": the Money scalar's form. */
export function centsToMoney(cents: Cents): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** Integer division rounded half away from zero (half-up on magnitudes). */
export function divRound(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = n / d;
  const rounded = (n % d) * 2n >= d ? q + 1n : q;
  return negative ? -rounded : rounded;
}

/**
 * A percentage kept as the exact fraction part ÷ whole × 100, so every rounding is done once,
 * from the exact value (no double rounding from 4 to 1 decimals).
 */
export class Percent {
  private constructor(
    readonly numerator: bigint,
    readonly denominator: bigint,
  ) {}

  /** part ÷ whole as a percentage; null when whole is zero (undefined, never 0 %). */
  static of(part: bigint, whole: bigint): Percent | null {
    if (whole === 0n) return null;
    return new Percent(part * 100n, whole);
  }

  /** A percentage given in percent, e.g. "95.00" (a stored target). */
  static fromText(text: string): Percent {
    return new Percent(toCents(text), 100n);
  }

  /** this − other, in percentage points. */
  minus(other: Percent): Percent {
    return new Percent(
      this.numerator * other.denominator - other.numerator * this.denominator,
      this.denominator * other.denominator,
    );
  }

  compare(other: Percent): number {
    const d = this.numerator * other.denominator - other.numerator * this.denominator;
    const sign = this.denominator * other.denominator < 0n ? -1n : 1n;
    const s = d * sign;
    return s === 0n ? 0 : s < 0n ? -1 : 1;
  }

  /** Rounded half-up to `decimals` places, as decimal text: "82.9114". */
  toFixed(decimals: number): string {
    const scale = 10n ** BigInt(decimals);
    const scaled = divRound(this.numerator * scale, this.denominator);
    return fixedText(scaled, decimals);
  }

  /** The numeric field: rounded half-up to 4 decimals. */
  toNumber(): number {
    return Number(this.toFixed(4));
  }

  /** Applies this percentage to an amount: amount × p / 100, rounded half-up to cents. */
  ofAmount(amount: Cents): Cents {
    return divRound(amount * this.numerator, this.denominator * 100n);
  }
}

/** Money for readers (`Rp13,1 triliun`): the one formatter the dashboard uses too (src/common/kpi.ts). */
export function formatMoney(cents: Cents, locale: KpiLocale): string {
  return formatMoneyCents(cents, locale);
}

/** A percentage for readers, rounded half-up to 1 decimal: `82,9 %` (id), `82.9%` (en). */
export function formatPercent(p: Percent, locale: KpiLocale): string {
  const text = localeDecimal(p.toFixed(1), locale, true);
  return locale === 'id' ? `${text} %` : `${text}%`;
}

/** Percentage points for readers: `-12,1 poin` (id), `-12.1 pp` (en). */
export function formatPoints(p: Percent, locale: KpiLocale): string {
  const text = localeDecimal(p.toFixed(1), locale, true);
  return locale === 'id' ? `${text} poin` : `${text} pp`;
}
