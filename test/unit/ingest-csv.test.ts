// The CSV reader of file imports: RFC 4180 quoting, whatever the chunk boundaries.

import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { csvObject, csvRecords } from '../../src/services/ingest/csv.js';

async function readAll(text: string, cuts: number[] = []): Promise<string[][]> {
  const chunks: string[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    chunks.push(text.slice(at, cut));
    at = cut;
  }
  chunks.push(text.slice(at));
  const records: string[][] = [];
  for await (const record of csvRecords(Readable.from(chunks.filter((c) => c !== '')))) records.push(record);
  return records;
}

const encode = (records: string[][], eol: string) =>
  records
    .map((r) => r.map((f) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replaceAll('"', '""')}"` : f)).join(','))
    .join(eol);

describe('the CSV reader', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and CRLF or LF endings', async () => {
    const text = 'a,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\nlines",\n';
    expect(await readAll(text)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\nlines', ''],
    ]);
  });

  it('skips blank lines and reads a last line without a line break', async () => {
    expect(await readAll('a,b\n\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('refuses a file that ends inside quotes', async () => {
    await expect(readAll('a,"b\n')).rejects.toThrow(/inside a quoted field/);
  });

  it('reads back any table it was given, however the text is cut into chunks', async () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é'),
      maxLength: 6,
    });
    const table = fc.array(fc.array(field, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(
        table,
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.constantFrom('\n', '\r\n'),
        async (records, cuts, eol) => {
          const text = encode(records, eol);
          expect(
            await readAll(
              text,
              cuts.map((c) => c % (text.length + 1)),
            ),
          ).toEqual(records);
        },
      ),
    );
  });

  it('maps a record to an object by the header, empty cells as null', () => {
    expect(csvObject(['kd_paket', 'total_harga', 'status_pdn'], ['12', '1500.50', ''])).toEqual({
      kd_paket: '12',
      total_harga: '1500.50',
      status_pdn: null,
    });
  });
});
