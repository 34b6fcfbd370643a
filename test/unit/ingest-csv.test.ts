// The CSV reader of file imports: RFC 4180 quoting, whatever the chunk boundaries.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CsvRecords, csvObject } from '../../src/services/ingest/csv.js';

function readAll(text: string, cuts: number[] = []): string[][] {
  const reader = new CsvRecords();
  const records: string[][] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    records.push(...reader.push(text.slice(at, cut)));
    at = cut;
  }
  records.push(...reader.push(text.slice(at)));
  records.push(...reader.end());
  return records;
}

const encode = (records: string[][], eol: string) =>
  records
    .map((r) => r.map((f) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replaceAll('"', '""')}"` : f)).join(','))
    .join(eol);

describe('the CSV reader', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and CRLF or LF endings', () => {
    const text = 'a,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\nlines",\n';
    expect(readAll(text)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\nlines', ''],
    ]);
  });

  it('skips blank lines and reads a last line without a line break', () => {
    expect(readAll('a,b\n\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('refuses a file that ends inside quotes', () => {
    expect(() => readAll('a,"b\n')).toThrow(/inside a quoted field/);
  });

  it('reads back any table it was given, however the text is cut into chunks', () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é'),
      maxLength: 6,
    });
    const table = fc.array(fc.array(field, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(
        table,
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.constantFrom('\n', '\r\n'),
        (records, cuts, eol) => {
          const text = encode(records, eol);
          expect(
            readAll(
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
