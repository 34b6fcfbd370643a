// A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes)
// for snapshot files; the first record names the columns.

/** Splits CSV text arriving in chunks into records of fields. */
export class CsvRecords {
  /** `,`, or `;` as Indonesian Excel writes CSV. */
  constructor(private readonly delimiter: ',' | ';' = ',') {}

  private field = '';
  private record: string[] = [];
  private quoted = false;
  /** Inside quotes, or right after a quote that may be the first of a doubled pair. */
  private inQuotes = false;
  private quotePending = false;
  private lastWasCr = false;

  /** Feeds a chunk; returns the records it completed. */
  push(chunk: string): string[][] {
    const done: string[][] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.quotePending) {
        this.quotePending = false;
        if (c === '"') {
          this.field += '"';
          continue;
        }
        this.inQuotes = false;
      }
      if (this.inQuotes) {
        if (c === '"') this.quotePending = true;
        else this.field += c;
        continue;
      }
      if (this.lastWasCr && c === '\n') {
        this.lastWasCr = false;
        continue;
      }
      this.lastWasCr = false;
      if (c === '"' && this.field === '' && !this.quoted) {
        this.inQuotes = true;
        this.quoted = true;
      } else if (c === this.delimiter) {
        this.endField();
      } else if (c === '\n' || c === '\r') {
        this.lastWasCr = c === '\r';
        this.endRecord(done);
      } else {
        this.field += c;
      }
    }
    return done;
  }

  /** Ends the input: returns the last record when the text did not end with a line break. */
  end(): string[][] {
    if (this.quotePending) {
      this.quotePending = false;
      this.inQuotes = false;
    }
    if (this.inQuotes) throw new Error('CSV ends inside a quoted field');
    const done: string[][] = [];
    if (this.field !== '' || this.record.length > 0 || this.quoted) this.endRecord(done);
    return done;
  }

  private endField(): void {
    this.record.push(this.field);
    this.field = '';
    this.quoted = false;
  }

  private endRecord(done: string[][]): void {
    this.endField();
    // A blank line is no record.
    if (!(this.record.length === 1 && this.record[0] === '')) done.push(this.record);
    this.record = [];
  }
}

/**
 * The delimiter of a CSV text from its first line (the header): whichever of `;` and `,` occurs
 * more often outside quotes; `,` on a tie.
 */
export function detectDelimiter(firstLine: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const c of firstLine) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === ',') commas += 1;
    else if (!quoted && c === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}

/**
 * Turns records into objects keyed by the header. An empty cell is absent (null), the way a JSON
 * feed leaves out what it does not know; numbers stay strings, which the row schemas accept.
 */
export function csvObject(
  header: readonly string[],
  record: readonly string[],
): Record<string, string | null> {
  const row: Record<string, string | null> = {};
  header.forEach((name, i) => {
    const cell = record[i];
    row[name] = cell === undefined || cell === '' ? null : cell;
  });
  return row;
}
