// The CSV export's number formats and quoting: Indonesian `;` and `1.234.567,89`, English `,` and
// `1234567.89`, fields with separators or quotes quoted, provenance lines first.
import { describe, expect, it } from '@jest/globals';
import { formatCell, toCsv } from '../../src/services/kpi/exports.js';
import type { Column, KpiTable } from '../../src/services/kpi/tables.js';

const money: Column = {
  key: 'realisation',
  type: 'money',
  en: 'Realisation (IDR)',
  id: 'Realisasi PDN (Rp)',
};
const percent: Column = { key: 'attainment', type: 'percent', en: 'Attainment (%)', id: 'Capaian (%)' };
const text: Column = { key: 'agencyName', type: 'text', en: 'Agency', id: 'Perangkat daerah' };

describe('formatCell', () => {
  it('groups thousands with dots and uses a decimal comma in Indonesian', () => {
    expect(formatCell('1234567.89', money, 'id')).toBe('1.234.567,89');
    expect(formatCell('-1000.00', money, 'id')).toBe('-1.000,00');
    expect(formatCell(82.9114, percent, 'id')).toBe('82,9114');
    expect(formatCell(100, percent, 'id')).toBe('100');
  });

  it('writes plain numbers with a decimal point in English', () => {
    expect(formatCell('1234567.89', money, 'en')).toBe('1234567.89');
    expect(formatCell(82.9114, percent, 'en')).toBe('82.9114');
  });

  it('neutralises text a spreadsheet would run as a formula, and leaves negative numbers as numbers', () => {
    for (const hostile of ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) {
      expect(formatCell(hostile, text, 'en')).toBe(`'${hostile}`);
    }
    expect(formatCell('Dinas = Satu', text, 'en')).toBe('Dinas = Satu');
    expect(formatCell('-1000.00', money, 'en')).toBe('-1000.00');
  });

  it('leaves an unknown value empty and text as it is', () => {
    expect(formatCell(null, money, 'id')).toBe('');
    expect(formatCell('1.000', text, 'id')).toBe('1.000');
  });
});

describe('toCsv', () => {
  const table: KpiTable = {
    kind: 'RANKING',
    args: { year: 2024 },
    version: 7,
    asOf: '2024-06-30',
    columns: [text, money],
    rows: [['Dinas "A"; Satu', '1500.50']],
  };

  it('writes provenance, the localised header and quoted fields', () => {
    expect(toCsv(table, 'id').split('\r\n')).toEqual([
      '# Versi data: 7',
      '# Per tanggal: 2024-06-30',
      '# Pertanyaan: RANKING',
      '# Argumen: {"year":2024}',
      'Perangkat daerah;Realisasi PDN (Rp)',
      '"Dinas ""A""; Satu";1.500,50',
      '',
    ]);
    expect(toCsv(table, 'en').split('\r\n').slice(4, 6)).toEqual([
      'Agency,Realisation (IDR)',
      '"Dinas ""A""; Satu",1500.50',
    ]);
  });

  it('quotes a field holding a line break of any kind, so a spreadsheet keeps it in one cell', () => {
    const lines = toCsv(
      {
        ...table,
        rows: [
          ['Dinas\nSatu', '1.00'],
          ['Dinas\rDua', '2.00'],
        ],
      },
      'en',
    );
    expect(lines.split('\r\n').slice(5, 7)).toEqual(['"Dinas\nSatu",1.00', '"Dinas\rDua",2.00']);
  });
});
