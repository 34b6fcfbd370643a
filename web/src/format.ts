// Number, money and date text for the dashboard, in Indonesian or English. Money arrives as the
// API's exact decimal text and is formatted by the API's own formatter (src/common/kpi.ts), as
// integers (never through a float), so a card reads exactly what the API's formatted fields say.
import { formatMoneyCents, type KpiLocale, MONEY_UNITS, SEPARATORS } from '../../src/common/kpi.js';

export type Locale = KpiLocale;

/** Intl tags: en-GB for day-month-year dates, like Indonesian. */
export const INTL_LOCALE: Record<Locale, string> = { id: 'id-ID', en: 'en-GB' };

const MONEY_TEXT = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/** "13100000000000.00" (the Money scalar) → integer cents. */
export function moneyToCents(text: string): bigint {
  const m = MONEY_TEXT.exec(text.trim());
  if (!m) throw new RangeError(`not a money amount: ${text}`);
  const cents = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -cents : cents;
}

/** Money text → a float, for charts only (their scale needs no cent precision). */
export function moneyToNumber(text: string | null | undefined): number | null {
  return text === null || text === undefined ? null : Number(text);
}

function roundDiv(n: bigint, d: bigint): bigint {
  // Half away from zero: n and d are magnitudes here.
  const q = n / d;
  return (n % d) * 2n >= d ? q + 1n : q;
}

function group(digits: string, separator: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

/** An integer scaled by 10^decimals → locale text, optionally without trailing fraction zeros. */
function scaledText(scaled: bigint, decimals: number, locale: Locale, trimZeros: boolean): string {
  const { decimal, group: sep } = SEPARATORS[locale];
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(decimals + 1, '0');
  const int = decimals === 0 ? digits : digits.slice(0, -decimals);
  let frac = decimals === 0 ? '' : digits.slice(-decimals);
  if (trimZeros) frac = frac.replace(/0+$/, '');
  return `${negative ? '-' : ''}${group(int, sep)}${frac ? decimal + frac : ''}`;
}

/**
 * Money for readers: from a million up in juta/miliar/triliun with at most three decimals,
 * rounded half-up, trailing zeros dropped (`Rp13,1 triliun`, `IDR 13.1 trillion`); smaller
 * amounts in full (`Rp950.000`, `IDR 950,000.50`).
 */
export function formatMoney(money: string, locale: Locale): string {
  return formatMoneyCents(moneyToCents(money), locale);
}

/** A short money label for chart axes: `Rp15 T`, `Rp750 M`, `IDR 750B` (one decimal at most). */
export function formatMoneyShort(value: number, locale: Locale): string {
  const prefix = locale === 'id' ? 'Rp' : 'IDR ';
  const abs = Math.abs(value);
  const sign = value < 0 ? '-' : '';
  for (const unit of MONEY_UNITS) {
    const size = 10 ** Number(unit.exponent);
    if (abs >= size) {
      return `${sign}${prefix}${formatNumber(abs / size, locale, 1)} ${unit.short[locale]}`;
    }
  }
  return `${sign}${prefix}${formatNumber(abs, locale, 0)}`;
}

/** A plain number with locale separators and at most `decimals` decimals: `1.234,5`. */
export function formatNumber(value: number, locale: Locale, decimals = 0): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], {
    maximumFractionDigits: decimals,
    minimumFractionDigits: 0,
  }).format(value);
}

/**
 * A float the API rounded to at most four decimals → that decimal exactly, as an integer scaled by
 * 10^4. toFixed(4) recovers it: the float is within far less than 0.00005 of the decimal.
 */
function tenThousandths(value: number): bigint {
  const [int, frac = ''] = Math.abs(value).toFixed(4).split('.');
  const scaled = BigInt(int!) * 10_000n + BigInt(frac.padEnd(4, '0'));
  return value < 0 ? -scaled : scaled;
}

/** Rounds a percentage half-up (on magnitudes) to one decimal, as an integer of tenths. */
function tenths(value: number): bigint {
  const scaled = tenThousandths(value);
  const abs = scaled < 0n ? -scaled : scaled;
  const rounded = roundDiv(abs, 1000n);
  return scaled < 0n ? -rounded : rounded;
}

/** A percentage rounded half-up to one decimal: `82,9 %` (id), `82.9%` (en). */
export function formatPercent(value: number, locale: Locale): string {
  const text = scaledText(tenths(value), 1, locale, false);
  return locale === 'id' ? `${text} %` : `${text}%`;
}

/** Percentage points, signed: `+12,1 poin`, `-3.0 pp`. */
export function formatPoints(value: number, locale: Locale): string {
  const t = tenths(value);
  const text = scaledText(t, 1, locale, false);
  const signed = t > 0n ? `+${text}` : text;
  return locale === 'id' ? `${signed} poin` : `${signed} pp`;
}

/** A whole count with locale grouping: `1.234` / `1,234`. */
export function formatCount(value: number, locale: Locale): string {
  return scaledText(BigInt(Math.round(value)), 0, locale, false);
}

function utcDate(isoDate: string): Date {
  const [y, m, d] = isoDate.slice(0, 10).split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!));
}

/** A calendar day `YYYY-MM-DD` → `5 November 2023` / `5 November 2023`. */
export function formatDate(isoDate: string, locale: Locale, month: 'long' | 'short' = 'long'): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    day: 'numeric',
    month,
    year: 'numeric',
    timeZone: 'UTC',
  }).format(utcDate(isoDate));
}

/**
 * Two calendar days as one range: `8–11 Mei 2023`, `30 Jan – 2 Feb 2023`. Built by hand, not by
 * Intl's formatRange, whose spacing differs between ICU versions (browser and Node alike).
 */
export function formatDateRange(from: string, to: string, locale: Locale): string {
  const [y1, m1, d1] = from.slice(0, 10).split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = to.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (y1 !== y2) return `${formatDate(from, locale, 'short')} – ${formatDate(to, locale, 'short')}`;
  if (m1 !== m2) return `${d1} ${monthName(m1, locale)} – ${d2} ${monthName(m2, locale)} ${y2}`;
  if (d1 === d2) return formatDate(from, locale, 'short');
  return `${d1}–${d2} ${monthName(m2, locale)} ${y2}`;
}

/** The short name of month 1–12: `Mei` / `May`. */
export function monthName(month: number, locale: Locale, style: 'short' | 'long' = 'short'): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { month: style, timeZone: 'UTC' }).format(
    new Date(Date.UTC(2000, month - 1, 1)),
  );
}

/** Roman numerals for batch numbers (batch III): 1–39 is all a year of monthly batches needs. */
export function roman(n: number): string {
  if (!Number.isInteger(n) || n <= 0 || n >= 40) return String(n);
  const tens = ['', 'X', 'XX', 'XXX'][Math.floor(n / 10)]!;
  const ones = ['', 'I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX'][n % 10]!;
  return tens + ones;
}
