// Exact money for the feed layer: amounts travel as decimal strings with two places ("1234.50"),
// are added as bigint cents, and never pass through a float that could round them.

/** A non-negative amount in Rupiah with exactly two decimals, e.g. "99800072.25". */
export type Money = string;

/** The store keeps money as DECIMAL(20,2): at most 18 integer digits. */
const MAX_INTEGER_DIGITS = 18;

/**
 * A double is guaranteed to reproduce a decimal text of at most 15 significant digits, so a JSON
 * number whose shortest form has more than that may already differ from what the source wrote.
 */
const MAX_FLOAT_DIGITS = 15;

const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const EXPONENT_DECIMAL = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/;

export type MoneyParse = { ok: true; value: Money | null } | { ok: false; reason: string };

/**
 * Reads an amount as the feed sends it: a JSON number, a numeric string, or null/empty for
 * unknown. Rejects (never rounds) negatives, more than two decimals, thousands separators,
 * amounts beyond DECIMAL(20,2) and numbers whose precision may have been lost in JSON parsing.
 */
export function parseMoney(input: unknown): MoneyParse {
  if (input === null || input === undefined) return { ok: true, value: null };
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, reason: 'not a finite number' };
    if (input < 0) return { ok: false, reason: 'negative amount' };
    text = expandExponent(String(input));
    if (!Number.isSafeInteger(input) && significantDigits(text) > MAX_FLOAT_DIGITS) {
      return { ok: false, reason: 'number too precise for JSON: the source must send it as a string' };
    }
  } else if (typeof input === 'string') {
    text = input.trim();
    if (text === '') return { ok: true, value: null };
    if (text.startsWith('-')) return { ok: false, reason: 'negative amount' };
  } else {
    return { ok: false, reason: `expected a number or numeric string, got ${typeof input}` };
  }
  const match = PLAIN_DECIMAL.exec(text);
  if (!match) return { ok: false, reason: `not a plain decimal number: ${JSON.stringify(text)}` };
  const integer = match[1]!.replace(/^0+(?=\d)/, '');
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > 2) return { ok: false, reason: 'more than two decimal places' };
  if (integer.length > MAX_INTEGER_DIGITS) return { ok: false, reason: 'amount too large' };
  return { ok: true, value: `${integer}.${fraction.padEnd(2, '0')}` };
}

/** Like parseMoney, for values the caller knows are valid (throws otherwise). */
export function toMoney(input: unknown): Money | null {
  const parsed = parseMoney(input);
  if (!parsed.ok) throw new RangeError(parsed.reason);
  return parsed.value;
}

export function moneyToCents(value: Money): bigint {
  const [integer, fraction = ''] = value.split('.');
  return BigInt(integer!) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
}

export function centsToMoney(cents: bigint): Money {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const text = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** Exact sum of known amounts; nulls (unknown) are skipped, never read as zero. */
export function sumMoney(values: Iterable<Money | null>): Money {
  let total = 0n;
  for (const value of values) if (value !== null) total += moneyToCents(value);
  return centsToMoney(total);
}

export function compareMoney(a: Money, b: Money): number {
  const diff = moneyToCents(a) - moneyToCents(b);
  return diff === 0n ? 0 : diff < 0n ? -1 : 1;
}

function significantDigits(text: string): number {
  return text.replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length || 1;
}

/** String(number) writes 1e21 and 1e-7 in exponent form; the money grammar wants plain digits. */
function expandExponent(text: string): string {
  const match = EXPONENT_DECIMAL.exec(text);
  if (!match) return text;
  const digits = match[1]! + (match[2] ?? '');
  const point = match[1]!.length + Number(match[3]);
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}
