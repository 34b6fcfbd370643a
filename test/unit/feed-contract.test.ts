// The feed contract: date and money tolerance, and the row schemas on LKPP's real example rows.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  errorEnvelopeSchema,
  type FeedDataset,
  pageEnvelopeSchema,
  parseFeedDate,
  parseRow,
  tenderKontrakRowSchema,
} from '../../src/feed/contract.js';
import { centsToMoney, moneyToCents, parseMoney, sumMoney } from '../../src/feed/money.js';

const EXAMPLES = path.resolve(process.cwd(), 'test/fixtures/feed-examples');

function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(EXAMPLES, `${name}.json`), 'utf8'));
}

function parsed<D extends FeedDataset>(dataset: D, raw: unknown) {
  const result = parseRow(dataset, raw);
  if (!result.ok) throw new Error(`expected ${dataset} row to be valid: ${result.reason}`);
  return result;
}

describe('parseFeedDate', () => {
  it.each([
    ['2024-01-01', '2024-01-01'],
    ['2023-12-04 08:37:29', '2023-12-04'],
    ['2024-04-19T00:00:00.000000Z', '2024-04-19'],
    ['2024-04-19T00:00:00Z', '2024-04-19'],
    ['19/04/2024', '2024-04-19'],
    ['2024/04/19', '2024-04-19'],
    ['2025-06-12T07:14:32.838000Z', '2025-06-12'],
    ['2024-02-29', '2024-02-29'],
    [' 2024-01-01 ', '2024-01-01'],
  ])('reads %j as the Jakarta date %s', (input, expected) => {
    expect(parseFeedDate(input)).toBe(expected);
  });

  it('moves a UTC instant in the Jakarta evening to the next calendar day', () => {
    expect(parseFeedDate('2024-04-18T18:30:00Z')).toBe('2024-04-19');
    expect(parseFeedDate('2024-12-31T17:00:00.000000Z')).toBe('2025-01-01');
    expect(parseFeedDate('2024-12-31T16:59:59Z')).toBe('2024-12-31');
  });

  it('honours an explicit offset and treats a wall time without zone as WIB', () => {
    expect(parseFeedDate('2024-04-19T23:30:00+07:00')).toBe('2024-04-19');
    expect(parseFeedDate('2024-04-19T23:30:00-05:00')).toBe('2024-04-20');
    expect(parseFeedDate('2024-04-19 23:59:59')).toBe('2024-04-19');
  });

  it.each([
    '2023-02-30',
    '2023-02-29',
    '0000-00-00',
    '0000-00-00 00:00:00',
    '31/02/2024',
    '2024-13-01',
    '2024-04-19 24:00:00',
    '2024-04-19T10:61:00Z',
    '19-04-2024',
    'belum ditentukan',
    '',
    '1899-12-31',
  ])('rejects %j', (input) => {
    expect(parseFeedDate(input)).toBeNull();
  });

  it('rejects values that are not strings', () => {
    expect(parseFeedDate(20240419)).toBeNull();
    expect(parseFeedDate(null)).toBeNull();
    expect(parseFeedDate(undefined)).toBeNull();
    expect(parseFeedDate(new Date('2024-04-19'))).toBeNull();
  });
});

describe('parseMoney', () => {
  it.each([
    [912024840, '912024840.00'],
    ['912024840', '912024840.00'],
    [99800072.25, '99800072.25'],
    ['99800072.25', '99800072.25'],
    ['12.340', '12.34'],
    [0, '0.00'],
    ['007', '7.00'],
    // A string keeps every digit, beyond what a double could hold.
    ['9007199254740993.50', '9007199254740993.50'],
  ])('reads %j exactly as %s', (input, expected) => {
    expect(parseMoney(input)).toEqual({ ok: true, value: expected });
  });

  it('reads null, absent and empty as unknown, never as zero', () => {
    expect(parseMoney(null)).toEqual({ ok: true, value: null });
    expect(parseMoney(undefined)).toEqual({ ok: true, value: null });
    expect(parseMoney('  ')).toEqual({ ok: true, value: null });
  });

  it.each([
    ['1.250.000,00', 'not a plain decimal'],
    ['Rp 7.500.000', 'not a plain decimal'],
    [-5, 'negative'],
    ['-5000000', 'negative'],
    ['12.345', 'more than two decimal places'],
    [2 ** 53 + 2, 'too precise'],
    ['1234567890123456789', 'too large'],
    [Number.NaN, 'finite'],
    [true, 'expected a number'],
  ])('rejects %j (%s)', (input, reason) => {
    const result = parseMoney(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it('adds amounts as cents without rounding', () => {
    expect(sumMoney(['0.10', '0.20', null, '9007199254740993.01'])).toBe('9007199254740993.31');
    expect(centsToMoney(moneyToCents('20454000000000.00') - moneyToCents('0.01'))).toBe('20453999999999.99');
  });
});

describe('envelopes', () => {
  it('accepts a page with an opaque cursor and a last page without one', () => {
    expect(
      pageEnvelopeSchema.safeParse({ data: [], meta: { cursor: 'djEuMTA', has_more: true } }).success,
    ).toBe(true);
    expect(
      pageEnvelopeSchema.safeParse({ data: [{}], meta: { cursor: null, has_more: false } }).success,
    ).toBe(true);
    expect(pageEnvelopeSchema.safeParse({ data: {}, meta: { has_more: false } }).success).toBe(false);
  });

  it('recognises the error envelope', () => {
    const body = { success: false, error: { code: 'RATE_LIMITED', message: 'slow down', details: null } };
    expect(errorEnvelopeSchema.safeParse(body).success).toBe(true);
  });
});

describe('row schemas on the real example rows', () => {
  it('reads a RUP package with an integer kd_rup, keeping the misspelt urarian_pekerjaan', () => {
    const { row, key } = parsed('rup/paket-penyedia-terumumkan', example('rup-paket-penyedia'));
    expect(key).toBe('45643642');
    expect(row.kd_rup).toBe('45643642');
    expect(row.pagu).toBe('1550000.00');
    expect(row.tgl_pengumuman_paket).toBe('2023-12-04');
    expect(row.tgl_buat_paket).toBe('2023-11-30');
    expect(row.status_aktif_rup).toBe(true);
    expect(row.status_delete_rup).toBe(false);
    expect(row.urarian_pekerjaan).toBe('Kertas; Kertas; ');
    // Fields Bisma does not read pass through.
    expect(row.spesifikasi_pekerjaan).toBe('HVS 70 gr F4; \r\nHVS 70 gr A4; \r\n');
  });

  it('reads kd_rup given as a string the same as an integer', () => {
    const raw = { ...example('rup-paket-penyedia'), kd_rup: ' 45643642 ', pagu: '1550000' };
    const { row } = parsed('rup/paket-penyedia-terumumkan', raw);
    expect(row.kd_rup).toBe('45643642');
    expect(row.pagu).toBe('1550000.00');
  });

  it('reads a tender contract keyed by tender and contract number', () => {
    const { row, key } = parsed('tender/tender-ekontrak-kontrak', example('tender-ekontrak-kontrak'));
    expect(key).toBe('9482097/760/05/SP/PW13/PUPR-B');
    expect(row.tgl_kontrak).toBe('2024-04-19');
    expect(row.nilai_pdn_kontrak).toBe('912024840.00');
    expect(row.kd_satker).toBe('24977097');
  });

  it('reads a non-tender row without a contract date as undated', () => {
    const { row, key } = parsed('tender/non-tender-ekontrak-kontrak', example('non-tender-selesai'));
    expect(key).toBe('10975097');
    expect(row.tgl_kontrak).toBeNull();
    expect(row.nilai_kontrak).toBe('99800000.00');
    expect(row.npwp16_penyedia).toBe('0758228241701000');
  });

  it('reads a recorded purchase whose key is beyond 2^32', () => {
    const { row, key } = parsed('tender/pencatatan-non-tender', example('pencatatan-non-tender'));
    expect(key).toBe('10325967000');
    expect(row.tgl_selesai_paket).toBe('2025-05-09');
    expect(row.nilai_pdn_pct).toBe('99245100.00');
  });

  it('reads an e-Katalog order, whose PDN status is unknown without the RUP hint', () => {
    const { row, key } = parsed('ekatalog/paket-e-purchasing', example('ekatalog-paket-e-purchasing-v6'));
    expect(key).toBe('01K32QD12XPKKTQMJ6E33ADS47');
    expect(row.total_harga).toBe('28578060.00');
    expect(row.tgl_order).toBe('2025-08-27');
    expect(row.status_pdn).toBeNull();
  });

  it('reads a Toko Daring transaction that has only the numeric kd_satker', () => {
    const { row, key } = parsed('legacy/bela/toko-daring-realisasi', example('toko-daring-realisasi'));
    expect(key).toBe('4397296');
    expect(row.tahun).toBe(2025);
    expect(row.kd_satker).toBe('60442');
    expect(row.kd_satker_str).toBeNull();
    expect(row.tanggal_transaksi).toBe('2025-06-14');
  });

  it('rejects a payment detail row offered as a recorded purchase, naming the missing field and its key', () => {
    const result = parseRow('tender/pencatatan-non-tender', example('pencatatan-non-tender-realisasi'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.key).toBe('10794097');
    expect(result.reason).toContain('kd_satker_str');
  });

  it('rejects an invalid date and an Indonesian-formatted amount, naming each field', () => {
    const raw = {
      ...example('tender-ekontrak-kontrak'),
      tgl_kontrak: '2023-02-30',
      nilai_kontrak: '1.250.000,00',
    };
    const result = parseRow('tender/tender-ekontrak-kontrak', raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain('tgl_kontrak: not a valid date');
    expect(result.reason).toContain('nilai_kontrak: not a plain decimal');
    expect(result.key).toBe('9482097/760/05/SP/PW13/PUPR-B');
  });

  it('rejects a row that is not an object without a key', () => {
    expect(parseRow('legacy/bela/toko-daring-realisasi', 'order 1')).toMatchObject({ ok: false, key: null });
  });

  it('reads an agency of master-satker', () => {
    const raw = example('rup-struktur-anggaran');
    const { key } = parsed('rup/master-satker', raw);
    expect(key).toBe('1.01.2.22.0.00.01.0000');
  });
});

describe('the compiled row schemas', () => {
  const DATASET = 'tender/tender-ekontrak-kontrak';
  const valid = {
    kd_tender: 23100000000,
    tahun_anggaran: '2023',
    kd_klpd: 'D999',
    kd_satker: 24978358,
    kd_satker_str: ' 2.19.0.00.0.00.01.0000 ',
    no_kontrak: '000/SPK/T/2.19/2023',
    tgl_kontrak: '2023-01-01T20:15:00.000000Z',
    kd_penyedia: '425676',
    nilai_kontrak: '94982000.5',
    nilai_pdn_kontrak: 87703000,
    nilai_umk_kontrak: null,
    apakah_addendum: 'Tidak',
    versi_addendum: '0',
    kota_kontrak: 'Jakarta',
  };

  it('give a valid row the output of the runtime parser, unread fields included', () => {
    const result = parsed(DATASET, valid);
    expect(result.row).toEqual(tenderKontrakRowSchema.parse(valid));
    expect(result.row).toMatchObject({
      kd_satker: '24978358',
      tahun_anggaran: 2023,
      kota_kontrak: 'Jakarta',
    });
  });

  it.each([
    ['a wrong type', { ...valid, nama_paket: 12 }],
    ['an impossible date', { ...valid, tgl_kontrak: '2023-02-30' }],
    [
      'unreadable money and a missing agency',
      { ...valid, nilai_kontrak: 'banyak', kd_satker_str: undefined },
    ],
    ['an unsafe integer key', { ...valid, kd_tender: 2 ** 60 }],
  ])('reject a row with %s for the reasons the runtime parser gives', (_what, raw) => {
    const result = parseRow(DATASET, raw);
    const runtime = tenderKontrakRowSchema.safeParse(raw);
    expect(result.ok).toBe(false);
    expect(runtime.success).toBe(false);
    if (result.ok || runtime.success) return;
    expect(result.reason).toBe(
      runtime.error.issues
        .map((issue) => `${issue.path.length ? issue.path.join('.') : 'row'}: ${issue.message}`)
        .join('; '),
    );
  });
});
