// The KPI vocabulary and money text, shared word for word by the API (src/) and the dashboard
// (web/ imports this folder): plain TypeScript with no imports, so both builds take it as it is.

/** What agencies can be ranked by (the graph's KpiMetric). */
export const KPI_METRICS = [
  'REALISATION',
  'COMMITMENT',
  'ATTAINMENT',
  'PDN_SHARE',
  'UMK_SHARE',
  'TOTAL_VALUE',
  'ITEM_COUNT',
  'GAP_TO_DATE',
] as const;
export type KpiMetric = (typeof KPI_METRICS)[number];

/** Where a figure stands against its target (the graph's KpiStatus). */
export const KPI_STATUSES = ['ACHIEVED', 'ON_TRACK', 'BEHIND', 'NO_TARGET', 'NO_DATA'] as const;
export type KpiStatus = (typeof KPI_STATUSES)[number];

/** How realisation can be split (the graph's KpiBreakdownBy). */
export const KPI_BREAKDOWN_BY = ['CHANNEL', 'AGENCY', 'VENDOR_SCALE'] as const;
export type KpiBreakdownBy = (typeof KPI_BREAKDOWN_BY)[number];

/** The languages of text for readers. */
export type KpiLocale = 'id' | 'en';

export const SEPARATORS: Record<KpiLocale, { decimal: string; group: string }> = {
  id: { decimal: ',', group: '.' },
  en: { decimal: '.', group: ',' },
};

/**
 * Amounts from a million up are written in these units, the words Indonesian press releases and
 * LKPP's dashboards use. Not Intl's compact notation: it writes amounts under a million as `ribu`
 * (docs/kpi.md: in full), rounds to two significant digits unless told otherwise, and works on
 * floats, which cannot hold every amount in cents.
 */
export const MONEY_UNITS = [
  { exponent: 12n, id: 'triliun', en: 'trillion', short: { id: 'T', en: 'T' } },
  { exponent: 9n, id: 'miliar', en: 'billion', short: { id: 'M', en: 'B' } },
  { exponent: 6n, id: 'juta', en: 'million', short: { id: 'jt', en: 'M' } },
] as const;

/** n ÷ d of magnitudes (n ≥ 0, d > 0), rounded half-up. */
function roundDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return (n % d) * 2n >= d ? q + 1n : q;
}

/** An integer scaled by 10^decimals → decimal text: (8291, 2) → "82.91". */
export function fixedText(scaled: bigint, decimals: number): string {
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  if (decimals === 0) return `${negative ? '-' : ''}${abs}`;
  const text = abs.toString().padStart(decimals + 1, '0');
  return `${negative ? '-' : ''}${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
}

/** Decimal text "13.100" → locale text, trailing fraction zeros dropped unless kept: "13,1". */
export function localeDecimal(text: string, locale: KpiLocale, keepZeros = false): string {
  const { decimal, group } = SEPARATORS[locale];
  const negative = text.startsWith('-');
  const [int, frac = ''] = (negative ? text.slice(1) : text).split('.');
  const fraction = keepZeros ? frac : frac.replace(/0+$/, '');
  return `${negative ? '-' : ''}${int!.replace(/\B(?=(\d{3})+(?!\d))/g, group)}${fraction ? decimal + fraction : ''}`;
}

/**
 * Money for readers, from integer cents: from a million up in juta/miliar/triliun
 * (million/billion/trillion) with at most 3 decimals, rounded half-up, trailing zeros dropped:
 * `Rp13,1 triliun`, `IDR 13.1 trillion`; below a million in full: `Rp950.000`, `IDR 950,000.50`.
 */
export function formatMoneyCents(cents: bigint, locale: KpiLocale): string {
  const prefix = locale === 'id' ? 'Rp' : 'IDR ';
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const sign = negative ? '-' : '';
  for (const unit of MONEY_UNITS) {
    const unitCents = 10n ** unit.exponent * 100n;
    if (abs >= unitCents) {
      const thousandths = roundDiv(abs * 1000n, unitCents);
      return `${sign}${prefix}${localeDecimal(fixedText(thousandths, 3), locale)} ${unit[locale]}`;
    }
  }
  const whole = abs % 100n === 0n;
  return `${sign}${prefix}${localeDecimal(fixedText(abs, 2), locale, !whole)}`;
}
