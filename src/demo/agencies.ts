// The province's work units (Perangkat Daerah) used by the demo data and the feed simulator.
// Codes follow the shape of LKPP's kd_satker_str; they are illustrative, not official.
import type { AgencyKind } from '../generated/prisma/enums.js';

export interface DemoAgency {
  code: string;
  name: string;
  kind: AgencyKind;
  /** Relative size of the agency's procurement: spreads the province's totals realistically. */
  weight: number;
}

export const PROVINCE_CODE = '0.00.0.00.0.00.00.0000';

export const PROVINCE: DemoAgency = {
  code: PROVINCE_CODE,
  name: 'Pemerintah Provinsi DKI Jakarta',
  kind: 'PROVINCE',
  weight: 0,
};

export const DEMO_AGENCIES: readonly DemoAgency[] = [
  { code: '1.01.0.00.0.00.01.0000', name: 'Dinas Pendidikan', kind: 'DINAS', weight: 16 },
  { code: '1.02.0.00.0.00.01.0000', name: 'Dinas Kesehatan', kind: 'DINAS', weight: 12 },
  { code: '1.03.0.00.0.00.01.0000', name: 'Dinas Bina Marga', kind: 'DINAS', weight: 11 },
  { code: '1.03.0.00.0.00.02.0000', name: 'Dinas Sumber Daya Air', kind: 'DINAS', weight: 10 },
  {
    code: '1.03.0.00.0.00.03.0000',
    name: 'Dinas Cipta Karya, Tata Ruang dan Pertanahan',
    kind: 'DINAS',
    weight: 6,
  },
  {
    code: '1.04.0.00.0.00.01.0000',
    name: 'Dinas Perumahan Rakyat dan Kawasan Permukiman',
    kind: 'DINAS',
    weight: 6,
  },
  {
    code: '1.05.0.00.0.00.01.0000',
    name: 'Dinas Penanggulangan Kebakaran dan Penyelamatan',
    kind: 'DINAS',
    weight: 4,
  },
  { code: '1.06.0.00.0.00.01.0000', name: 'Dinas Sosial', kind: 'DINAS', weight: 3 },
  {
    code: '2.07.0.00.0.00.01.0000',
    name: 'Dinas Tenaga Kerja, Transmigrasi dan Energi',
    kind: 'DINAS',
    weight: 2,
  },
  { code: '2.11.0.00.0.00.01.0000', name: 'Dinas Lingkungan Hidup', kind: 'DINAS', weight: 7 },
  { code: '2.15.0.00.0.00.01.0000', name: 'Dinas Perhubungan', kind: 'DINAS', weight: 6 },
  {
    code: '2.16.0.00.0.00.01.0000',
    name: 'Dinas Komunikasi, Informatika dan Statistik',
    kind: 'DINAS',
    weight: 3,
  },
  {
    code: '2.17.0.00.0.00.01.0000',
    name: 'Dinas Perindustrian, Perdagangan, Koperasi, Usaha Kecil dan Menengah',
    kind: 'DINAS',
    weight: 2,
  },
  { code: '2.19.0.00.0.00.01.0000', name: 'Dinas Pemuda dan Olahraga', kind: 'DINAS', weight: 2 },
  { code: '2.22.0.00.0.00.01.0000', name: 'Dinas Kebudayaan', kind: 'DINAS', weight: 2 },
  {
    code: '3.27.0.00.0.00.01.0000',
    name: 'Dinas Ketahanan Pangan, Kelautan dan Pertanian',
    kind: 'DINAS',
    weight: 2,
  },
  { code: '1.02.0.00.0.00.02.0000', name: 'RSUD Tarakan', kind: 'RSUD', weight: 3 },
  { code: '1.02.0.00.0.00.03.0000', name: 'RSUD Pasar Minggu', kind: 'RSUD', weight: 2 },
  { code: '4.01.0.00.0.00.01.0000', name: 'Sekretariat Daerah', kind: 'SEKRETARIAT', weight: 3 },
  { code: '4.01.0.00.0.00.02.0000', name: 'Biro Pengadaan Barang dan Jasa', kind: 'BIRO', weight: 1 },
  { code: '4.02.0.00.0.00.01.0000', name: 'Sekretariat DPRD', kind: 'SEKRETARIAT', weight: 1 },
  { code: '5.02.0.00.0.00.01.0000', name: 'Badan Pengelola Keuangan Daerah', kind: 'BADAN', weight: 2 },
  { code: '5.03.0.00.0.00.01.0000', name: 'Badan Kepegawaian Daerah', kind: 'BADAN', weight: 1 },
  { code: '5.05.0.00.0.00.01.0000', name: 'Badan Pendapatan Daerah', kind: 'BADAN', weight: 2 },
  { code: '5.01.0.00.0.00.01.0000', name: 'Badan Perencanaan Pembangunan Daerah', kind: 'BADAN', weight: 1 },
  {
    code: '7.01.0.00.0.00.01.0000',
    name: 'Kota Administrasi Jakarta Pusat',
    kind: 'KOTA_ADMINISTRASI',
    weight: 3,
  },
  {
    code: '7.01.0.00.0.00.02.0000',
    name: 'Kota Administrasi Jakarta Utara',
    kind: 'KOTA_ADMINISTRASI',
    weight: 3,
  },
  {
    code: '7.01.0.00.0.00.03.0000',
    name: 'Kota Administrasi Jakarta Barat',
    kind: 'KOTA_ADMINISTRASI',
    weight: 3,
  },
  {
    code: '7.01.0.00.0.00.04.0000',
    name: 'Kota Administrasi Jakarta Selatan',
    kind: 'KOTA_ADMINISTRASI',
    weight: 3,
  },
  {
    code: '7.01.0.00.0.00.05.0000',
    name: 'Kota Administrasi Jakarta Timur',
    kind: 'KOTA_ADMINISTRASI',
    weight: 3,
  },
  {
    code: '7.01.0.00.0.00.06.0000',
    name: 'Kabupaten Administrasi Kepulauan Seribu',
    kind: 'KOTA_ADMINISTRASI',
    weight: 1,
  },
];
