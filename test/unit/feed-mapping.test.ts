// mapRow: LKPP rows become domain items once, with the KPI inclusion rules decided per row.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { type FeedRow, type ProcurementDataset, parseRow } from '../../src/feed/contract.js';
import { cleanText, mapRow, mapSatker, normalNpwp } from '../../src/feed/mapping.js';

const EXAMPLES = path.resolve(process.cwd(), 'test/fixtures/feed-examples');

function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(EXAMPLES, `${name}.json`), 'utf8'));
}

function item<D extends ProcurementDataset>(dataset: D, raw: Record<string, unknown>) {
  const result = parseRow(dataset, raw);
  if (!result.ok) throw new Error(result.reason);
  return mapRow(dataset, result.row as FeedRow<D>);
}

const RUP = 'rup/paket-penyedia-terumumkan';
const TENDER = 'tender/tender-ekontrak-kontrak';
const NON_TENDER = 'tender/non-tender-ekontrak-kontrak';
const PENCATATAN = 'tender/pencatatan-non-tender';
const EKATALOG = 'ekatalog/paket-e-purchasing';
const TOKO = 'legacy/bela/toko-daring-realisasi';

describe('mapRow: commitment from RUP packages', () => {
  const rup = example('rup-paket-penyedia');

  it('counts an announced, active, undeleted PDN package with its pagu as the commitment', () => {
    expect(item(RUP, rup)).toEqual({
      dataset: RUP,
      sourceKey: '45643642',
      kind: 'PLAN',
      channel: 'RUP',
      fiscalYear: 2024,
      agencyCode: '4.01.0.00.0.00.01.0005',
      title: 'Belanja Alat/Bahan untuk Kegiatan Kantor- Kertas dan Cover',
      vendorCode: null,
      vendorName: null,
      vendorNpwp: null,
      vendorScale: 'UNKNOWN',
      value: '1550000.00',
      pdnValue: '1550000.00',
      umkValue: '1550000.00',
      isPdn: true,
      isUmk: true,
      tkdn: null,
      itemDate: '2023-12-04',
      status: 'Terumumkan',
      counted: true,
    });
  });

  it('does not count a non-PDN package, whose PDN value is a known zero', () => {
    const mapped = item(RUP, { ...rup, status_pdn: 'Non-PDN', status_ukm: 'Non-UKM' });
    expect(mapped).toMatchObject({ counted: false, isPdn: false, pdnValue: '0.00', umkValue: '0.00' });
  });

  it.each([
    ['not announced', { status_umumkan_rup: 'Belum Terumumkan' }, 'Belum Terumumkan'],
    ['inactive', { status_aktif_rup: false }, 'Tidak Aktif'],
    ['deleted', { status_delete_rup: true }, 'Dihapus'],
    ['with an unknown active flag', { status_aktif_rup: null }, 'Terumumkan'],
  ])('does not count a package that is %s', (_what, change, status) => {
    expect(item(RUP, { ...rup, ...change })).toMatchObject({ counted: false, status });
  });

  it('keeps an unknown pagu unknown: counted, but with null values', () => {
    expect(item(RUP, { ...rup, pagu: null })).toMatchObject({ counted: true, value: null, pdnValue: null });
  });

  it('reads an unknown PDN status as unknown, not as non-PDN', () => {
    expect(item(RUP, { ...rup, status_pdn: '' })).toMatchObject({
      counted: false,
      isPdn: null,
      pdnValue: null,
    });
  });
});

describe('mapRow: realisation', () => {
  it('counts a contract by tgl_kontrak with its PDN and UMK values', () => {
    expect(item(TENDER, example('tender-ekontrak-kontrak'))).toMatchObject({
      kind: 'REALISATION',
      channel: 'TENDER',
      sourceKey: '9482097/760/05/SP/PW13/PUPR-B',
      agencyCode: '1.03.0.00.0.00.01.0000',
      vendorCode: '372062',
      vendorName: 'Kurnia Citra Nusa, PT',
      vendorNpwp: '0027645753701000',
      value: '912024840.00',
      pdnValue: '912024840.00',
      umkValue: '912024840.00',
      isPdn: true,
      itemDate: '2024-04-19',
      counted: true,
    });
  });

  it('does not count a cancelled contract', () => {
    const raw = { ...example('tender-ekontrak-kontrak'), status_kontrak: 'Kontrak Dibatalkan' };
    expect(item(TENDER, raw).counted).toBe(false);
  });

  it('keeps an unknown PDN value null and the contract counted', () => {
    const raw = { ...example('tender-ekontrak-kontrak'), nilai_pdn_kontrak: null };
    expect(item(TENDER, raw)).toMatchObject({ counted: true, pdnValue: null, isPdn: null });
  });

  it('does not count a contract it cannot date, and reads the vendor scale and 16-digit NPWP', () => {
    expect(item(NON_TENDER, example('non-tender-selesai'))).toMatchObject({
      channel: 'NON_TENDER',
      itemDate: null,
      counted: false,
      vendorNpwp: '0758228241701000',
      vendorScale: 'SMALL',
      pdnValue: '99800000.00',
    });
  });

  it('counts a recorded purchase by tgl_selesai_paket with nilai_pdn_pct', () => {
    expect(item(PENCATATAN, example('pencatatan-non-tender'))).toMatchObject({
      channel: 'PENCATATAN',
      sourceKey: '10325967000',
      value: '99245100.00',
      pdnValue: '99245100.00',
      umkValue: '99245100.00',
      itemDate: '2025-05-09',
      status: 'Aktif',
      counted: true,
    });
  });

  it('does not count a cancelled recorded purchase', () => {
    expect(
      item(PENCATATAN, { ...example('pencatatan-non-tender'), status_nontender_pct: 'Batal' }).counted,
    ).toBe(false);
  });

  describe('e-Katalog', () => {
    const order = example('ekatalog-paket-e-purchasing-v6');

    it('does not count an order still in process, and leaves PDN unknown without the RUP status', () => {
      expect(item(EKATALOG, order)).toMatchObject({
        channel: 'E_KATALOG',
        counted: false,
        pdnValue: null,
        vendorCode: '01JHKT4BFAVEMPVFWSNK1BQ4F6',
      });
    });

    it('counts the total of a completed order whose RUP package is PDN', () => {
      const mapped = item(EKATALOG, {
        ...order,
        status_pkt: 'COMPLETED',
        status_pdn: 'PDN',
        status_ukm: 'UKM',
      });
      expect(mapped).toMatchObject({
        counted: true,
        pdnValue: '28578060.00',
        umkValue: '28578060.00',
        isPdn: true,
      });
    });

    it('counts a completed non-PDN order with a PDN value of zero', () => {
      const mapped = item(EKATALOG, {
        ...order,
        status_pkt: 'COMPLETED',
        status_pdn: 'Non-PDN',
        status_ukm: 'Non-UKM',
      });
      expect(mapped).toMatchObject({
        counted: true,
        value: '28578060.00',
        pdnValue: '0.00',
        umkValue: '0.00',
      });
    });
  });

  describe('Toko Daring', () => {
    const sale = example('toko-daring-realisasi');

    it('does not count a failed confirmation, and falls back to the numeric kd_satker', () => {
      expect(item(TOKO, sale)).toMatchObject({
        channel: 'TOKO_DARING',
        counted: false,
        agencyCode: '60442',
        status: 'verified/gagal',
      });
    });

    it.each(['selesai', 'berhasil'])(
      'counts a verified sale confirmed as %s, all of it PDN and UMK',
      (status) => {
        const mapped = item(TOKO, {
          ...sale,
          status_konfirmasi_ppmse: status,
          kd_satker_str: '4.01.0.00.0.00.01.0000',
        });
        expect(mapped).toMatchObject({
          counted: true,
          agencyCode: '4.01.0.00.0.00.01.0000',
          value: '75000000.00',
          pdnValue: '75000000.00',
          umkValue: '75000000.00',
        });
      },
    );

    it('does not count an unverified sale', () => {
      expect(
        item(TOKO, { ...sale, status_verif: 'unverified', status_konfirmasi_ppmse: 'selesai' }).counted,
      ).toBe(false);
    });
  });
});

describe('text and identifiers', () => {
  it('strips HTML and decodes entities in text fields', () => {
    expect(cleanText('<p>Pengadaan <b>CCTV</b> &amp; Jaringan</p><p>Tahap&nbsp;2</p>')).toBe(
      'Pengadaan CCTV & Jaringan Tahap 2',
    );
    expect(cleanText('Kopi &#39;Betawi&#x27;')).toBe("Kopi 'Betawi'");
    expect(cleanText('<br/>  ')).toBeNull();
  });

  it('collapses any run of whitespace and trims, and keeps a clean text as it is', () => {
    expect(cleanText('Pengadaan Laptop Tahun 2023')).toBe('Pengadaan Laptop Tahun 2023');
    expect(cleanText('Pengadaan  Laptop')).toBe('Pengadaan Laptop');
    expect(cleanText(' Pengadaan')).toBe('Pengadaan');
    expect(cleanText('Pengadaan ')).toBe('Pengadaan');
    expect(cleanText('Pengadaan\tLaptop\nBaru')).toBe('Pengadaan Laptop Baru');
    expect(cleanText('Pengadaan\u00a0Laptop')).toBe('Pengadaan Laptop');
    expect(cleanText('a')).toBe('a');
    expect(cleanText('')).toBeNull();
    expect(cleanText(' ')).toBeNull();
  });

  it('maps a title with HTML once, so the domain never sees markup', () => {
    const raw = {
      ...example('tender-ekontrak-kontrak'),
      nama_paket: 'Pengadaan <b>Laptop</b> &amp; Printer',
    };
    expect(item(TENDER, raw).title).toBe('Pengadaan Laptop & Printer');
  });

  it('gives a 15-digit NPWP the leading zero of its 16-digit form', () => {
    expect(normalNpwp('75.822.824.1-701.000')).toBe('0758228241701000');
    expect(normalNpwp('0027645753701000')).toBe('0027645753701000');
    expect(normalNpwp(null)).toBeNull();
  });

  it('maps an agency of master-satker with its kind', () => {
    const result = parseRow('rup/master-satker', {
      kd_satker_str: '7.01.0.00.0.00.06.0000',
      kd_satker: 264790,
      nama_satker: 'KABUPATEN ADMINISTRASI KEPULAUAN SERIBU',
      jenis_satker: 'Kota Administrasi',
      kd_klpd: 'D999',
      status_satker: 'Aktif',
    });
    if (!result.ok) throw new Error(result.reason);
    expect(mapSatker(result.row)).toEqual({
      code: '7.01.0.00.0.00.06.0000',
      name: 'KABUPATEN ADMINISTRASI KEPULAUAN SERIBU',
      kind: 'KOTA_ADMINISTRASI',
      numericCode: '264790',
      parentCode: null,
      klpdCode: 'D999',
      active: true,
    });
  });
});
