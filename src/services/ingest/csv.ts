// Reading CSV snapshot files (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes)
// with csv-parse, as a stream: memory stays bounded whatever the file's size. The first record
// names the columns.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';

/**
 * The records of CSV text arriving in chunks. The delimiter is `,`, or `;` as Indonesian Excel
 * writes CSV, judged from the header line. Blank lines are no record; a record keeps the fields it
 * has (the caller compares their count with the header's); CRLF, LF and CR endings may mix.
 */
export async function* csvRecords(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<string[]> {
  const source = chunks[Symbol.asyncIterator]();
  const first = await source.next();
  if (first.done) return;
  const head = String(first.value);
  const parser = parse({
    delimiter: detectDelimiter(head.replace(/^\uFEFF/, '').split(/\r?\n|\r/, 1)[0] ?? ''),
    record_delimiter: ['\r\n', '\n', '\r'],
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    // A quote inside an unquoted field is text, as spreadsheets write it.
    relax_quotes: true,
  });
  async function* text() {
    yield head;
    for (let next = await source.next(); !next.done; next = await source.next()) yield String(next.value);
  }
  // Errors of either side surface through the parser's own iteration below.
  const feeding = pipeline(Readable.from(text()), parser).catch(() => undefined);
  try {
    for await (const record of parser) yield record as string[];
  } catch (error) {
    if (error instanceof CsvError && error.code === 'CSV_QUOTE_NOT_CLOSED')
      throw new Error('CSV ends inside a quoted field');
    throw error;
  } finally {
    parser.destroy();
    await feeding;
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
