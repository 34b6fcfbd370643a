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

/** Bytes per buffer of CopyLines: also what one write to the COPY stream sends. */
const COPY_CHUNK_BYTES = 1024 * 1024;

/**
 * COPY lines collected as UTF-8 bytes in large buffers. A batch waits for the write of the one
 * before it; kept as strings, its lines (and the pieces they were concatenated from) survive
 * garbage collection after garbage collection and are copied each time, while bytes outside the
 * JS heap cost the collector nothing.
 */
export class CopyLines {
  private readonly full: Buffer[] = [];
  private current = Buffer.alloc(0);
  private used = 0;
  /** Lines pushed. */
  count = 0;

  push(line: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8: only near a buffer's end is the exact size
    // worth measuring.
    if (this.current.length - this.used < line.length * 3) {
      const bytes = Buffer.byteLength(line);
      if (this.current.length - this.used < bytes) this.seal(bytes);
    }
    this.used += this.current.write(line, this.used);
    this.count += 1;
  }

  /** The bytes of every line, in order, in buffers of about COPY_CHUNK_BYTES. */
  chunks(): Buffer[] {
    return this.used > 0 ? [...this.full, this.current.subarray(0, this.used)] : [...this.full];
  }

  private seal(nextBytes: number): void {
    if (this.used > 0) this.full.push(this.current.subarray(0, this.used));
    this.current = Buffer.allocUnsafe(Math.max(COPY_CHUNK_BYTES, nextBytes));
    this.used = 0;
  }
}
