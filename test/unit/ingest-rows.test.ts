// One feed row on its way in: validation, the content hash that decides updated vs unchanged,
// and its COPY text encoding.
import { describe, expect, it } from '@jest/globals';
import { CopyLines, copyField, copyLine } from '../../src/services/ingest/copy-text.js';
import {
  contentHash,
  MAX_ROW_CHARS,
  prepareRow,
  rawJson,
  STAGE_COLUMNS,
  stageLine,
  TEXT_LIMITS,
} from '../../src/services/ingest/rows.js';

const ORDER = {
  kd_paket: 7001,
  kd_rup: '42',
  tahun_anggaran: 2023,
  kd_klpd: 'D999',
  kd_satker_str: '1.01.0.00.0.00.01.0000',
  rup_nama_pkt: 'Laptop <b>sekolah</b>',
  total_harga: '125000000.00',
  tgl_order: '2023-04-19T00:00:00.000000Z',
  status_pkt: 'COMPLETED',
  status_pdn: 'PDN',
  status_ukm: 'Non-UKM',
};
const SCOPE = { klpdCode: 'D999', fiscalYear: 2023 };

describe('a feed row', () => {
  it('maps to an item with a content hash that ignores key order and number spelling', () => {
    const a = prepareRow('ekatalog/paket-e-purchasing', ORDER, SCOPE);
    const reordered = Object.fromEntries(Object.entries(ORDER).reverse());
    const b = prepareRow(
      'ekatalog/paket-e-purchasing',
      { ...reordered, total_harga: 125000000, kd_paket: '7001' },
      SCOPE,
    );
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.item).toMatchObject({
      sourceKey: '7001',
      title: 'Laptop sekolah',
      pdnValue: '125000000.00',
      counted: true,
    });
    expect(a.item.contentHash).toBe(b.item.contentHash);
  });

  it('gets another hash when a mapped field or the KLPD changes', () => {
    const a = prepareRow('ekatalog/paket-e-purchasing', ORDER, SCOPE);
    const b = prepareRow('ekatalog/paket-e-purchasing', { ...ORDER, total_harga: '125000000.01' }, SCOPE);
    if (!a.ok || !b.ok) throw new Error('valid rows expected');
    expect(b.item.contentHash).not.toBe(a.item.contentHash);
    expect(contentHash(a.item, 'D998')).not.toBe(a.item.contentHash);
  });

  it('is rejected with the field at fault, its key kept, when invalid or of another fiscal year', () => {
    expect(prepareRow('ekatalog/paket-e-purchasing', { ...ORDER, tgl_order: '2023-02-30' }, SCOPE)).toEqual({
      ok: false,
      reason: expect.stringContaining('tgl_order'),
      key: '7001',
    });
    expect(prepareRow('ekatalog/paket-e-purchasing', { ...ORDER, tahun_anggaran: 2022 }, SCOPE)).toEqual({
      ok: false,
      reason: 'fiscal year 2022 does not belong to this snapshot of 2023',
      key: '7001',
    });
  });

  it('is rejected, its key kept, when a text field or the whole row is longer than its limit', () => {
    const title = 'x'.repeat(1024 * 1024);
    expect(prepareRow('ekatalog/paket-e-purchasing', { ...ORDER, rup_nama_pkt: title }, SCOPE)).toEqual({
      ok: false,
      reason: `title is ${title.length} characters long, more than the ${TEXT_LIMITS.title} allowed`,
      key: '7001',
    });
    const padded = { ...ORDER, keterangan: 'y'.repeat(MAX_ROW_CHARS) };
    expect(prepareRow('ekatalog/paket-e-purchasing', padded, SCOPE)).toMatchObject({
      ok: false,
      reason: expect.stringContaining(`more than the ${MAX_ROW_CHARS} allowed`),
      key: '7001',
    });
    const longest = prepareRow(
      'ekatalog/paket-e-purchasing',
      { ...ORDER, rup_nama_pkt: 'z'.repeat(2000) },
      SCOPE,
    );
    expect(longest.ok).toBe(true);
  });

  it('has no key to reject it by when the key is null, empty or absent', () => {
    const { kd_paket: _omitted, ...keyless } = ORDER;
    for (const row of [{ ...ORDER, kd_paket: null }, { ...ORDER, kd_paket: '' }, keyless]) {
      const prepared = prepareRow('ekatalog/paket-e-purchasing', row, SCOPE);
      expect(prepared.ok).toBe(false);
      if (!prepared.ok) expect(prepared.key === null || prepared.key.trim() === '').toBe(true);
    }
  });

  it('keeps its raw JSON storable: jsonb refuses NUL, so NUL characters are dropped', () => {
    expect(rawJson({ a: 'x\u0000y', b: 1 })).toBe('{"a":"xy","b":1}');
    expect(rawJson({ a: 'plain' })).toBe('{"a":"plain"}');
  });
});

describe('COPY text encoding', () => {
  it('escapes backslash, tab and line breaks, writes null as \\N and drops NUL', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField(true)).toBe('t');
    expect(copyField(12)).toBe('12');
    expect(copyField('a\\b\tc\nd\re\0f')).toBe('a\\\\b\\tc\\nd\\re' + 'f');
    expect(copyLine(['x', null, false])).toBe('x\t\\N\tf\n');
  });

  it('writes one line per item, whatever its text holds', () => {
    const row = prepareRow(
      'ekatalog/paket-e-purchasing',
      { ...ORDER, rup_nama_pkt: 'two\nlines\tand\\slash' },
      SCOPE,
    );
    if (!row.ok) throw new Error('valid row expected');
    const line = stageLine(7, 3, row.item);
    expect(line.startsWith('7\t3\t')).toBe(true);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/\n/);
  });
});

describe('content hash across an upgrade', () => {
  it('stays the sha256 the stored rows were hashed with, so a re-ingest finds them unchanged', () => {
    const row = prepareRow(
      'ekatalog/paket-e-purchasing',
      {
        kd_paket: 7001,
        kd_rup: '42',
        tahun_anggaran: 2023,
        kd_klpd: 'D999',
        kd_satker_str: '1.01.0.00.0.00.01.0000',
        rup_nama_pkt: 'Laptop ü \t x',
        total_harga: '1500000.5',
        tgl_order: '2023-04-19',
        status_pkt: 'COMPLETED',
        status_pdn: 'PDN',
        status_ukm: null,
      },
      { klpdCode: 'D999', fiscalYear: 2023 },
    );
    if (!row.ok) throw new Error('valid row expected');
    // Computed by the hashing code before it moved to crypto.hash (createHash per row).
    expect(row.item.contentHash).toBe('zvhXrSpEiHYF3ZUo7j4NgSLQITn7iIoWxINCHD2UTUE');
  });
});

describe('stage lines', () => {
  it('encode every staging column in order, as copyLine encodes the same values', () => {
    const row = prepareRow('ekatalog/paket-e-purchasing', { ...ORDER, rup_nama_pkt: 'a\\b\u0000c' }, SCOPE);
    if (!row.ok) throw new Error('valid row expected');
    const item = row.item;
    const expected = copyLine([
      7,
      3,
      item.sourceKey,
      item.kind,
      item.channel,
      item.fiscalYear,
      item.agencyCode,
      item.klpdCode,
      item.title,
      item.vendorCode,
      item.vendorName,
      item.vendorNpwp,
      item.vendorScale,
      item.value,
      item.pdnValue,
      item.umkValue,
      item.isPdn,
      item.isUmk,
      item.tkdn,
      item.itemDate,
      item.status,
      item.counted,
      item.contentHash,
      item.raw,
    ]);
    expect(stageLine(7, 3, item)).toBe(expected);
    expect(expected.split('\t')).toHaveLength(STAGE_COLUMNS.length + 2);
  });

  it('are collected as UTF-8 bytes in large chunks that add up to the lines in order', () => {
    const lines = new CopyLines();
    const sent: string[] = [];
    for (let i = 0; i < 3000; i++) {
      // Multi-byte text, and now and then a line longer than a whole chunk.
      const line = `${i}\tPengadaan ü € 𝄞 ${'x'.repeat(i % 997 === 0 ? 1_500_000 : i % 500)}\n`;
      sent.push(line);
      lines.push(line);
    }
    const chunks = lines.chunks();
    expect(lines.count).toBe(3000);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(sent.join(''));
  });
});
