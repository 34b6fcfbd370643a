// The one place where LKPP's field names become Bisma's domain names, and where the KPI inclusion
// rules are decided for each row.
//
// KPI rules (Bisma's own: no official formula is published; copied to docs/kpi.md)
//
// Commitment (kind PLAN, dataset rup/paket-penyedia-terumumkan)
//   A RUP supplier package counts toward the PDN commitment of its fiscal year and agency when it
//   is announced (`status_umumkan_rup` = 'Terumumkan'), active (`status_aktif_rup` = true), not
//   deleted (`status_delete_rup` = false) and domestic (`status_pdn` = 'PDN'). A flag the source
//   leaves empty does not prove the condition, so such a package is not counted. Its committed
//   amount is `pagu`: value = pdnValue = pagu. Plans are revised during the year, so the
//   commitment is the sum over the packages of one snapshot, kept per snapshot date.
//   UMK commitment likewise: umkValue = pagu when `status_ukm` = 'UKM'.
//
// Realisation (kind REALISATION), by channel; counted means the transaction really happened and
// can be placed on a date, and pdnValue / umkValue say how much of it is PDN / UMK:
//   - Contracts (tender/tender-ekontrak-kontrak → TENDER, tender/non-tender-ekontrak-kontrak →
//     NON_TENDER): value `nilai_kontrak`, PDN `nilai_pdn_kontrak`, UMK `nilai_umk_kontrak`,
//     dated by `tgl_kontrak`. Counted unless the contract is cancelled (`status_kontrak`
//     containing 'batal').
//     An addendum (`apakah_addendum` = 'Ya', a new `no_kontrak` for the same `kd_tender` /
//     `kd_nontender`) replaces what it amends: of the current contracts of one tender and one
//     vendor (`kd_penyedia`) of which one is an addendum, only the latest counts (highest
//     `versi_addendum`, then the addendum, then the latest `tgl_kontrak`); the others are marked
//     superseded after each snapshot (services/ingest/addenda.ts).
//   - Recorded purchases (tender/pencatatan-non-tender → PENCATATAN): value `total_realisasi`,
//     PDN `nilai_pdn_pct`, UMK `nilai_umk_pct`, dated by `tgl_selesai_paket`. Counted unless
//     cancelled: `status_nontender_pct` or `status_nontender_pct_ket` containing 'batal' (a called
//     off purchase reads 'Ditutup' / 'Paket Dibatalkan') or an `alasan_pembatalan` given.
//   - e-Katalog orders (ekatalog/paket-e-purchasing → E_KATALOG): value `total_harga`. v6 rows are
//     dated by `tgl_order` and counted when `status_pkt` = 'COMPLETED', or when `status_pkt` =
//     'PAYMENT_OUTSIDE_SYSTEM' and `status_pengiriman` = 'COMPLETED' (paid outside the system and
//     delivered: a real purchase; EKATALOG_OUTSIDE_SYSTEM=exclude leaves them out). v5 rows are
//     dated by `tanggal_buat_paket`, keyed to their agency by the numeric `satker_id` (resolved
//     through master-satker), and counted when `paket_status_str` = 'Paket Selesai' (or
//     `status_paket` = 'paket_selesai' / 'selesai'). LKPP's order rows do not say whether
//     the order's RUP package is PDN: a row that carries `status_pdn` / `status_ukm` (the simulator)
//     is mapped by them here (PDN value = `total_harga` when 'PDN', 0 when 'Non-PDN', unknown when
//     null); the others stay unknown here and take their package's status by `kd_rup` after each
//     snapshot (services/ingest/ekatalog-pdn.ts).
//   - Toko Daring (legacy/bela/toko-daring-realisasi → TOKO_DARING): value `valuasi`, dated by
//     `tanggal_transaksi`, counted when verified (`status_verif` = 'verified') and confirmed by
//     the marketplace (`status_konfirmasi_ppmse` = 'selesai' or 'berhasil'). The whole value is
//     both PDN and UMK: Bela Pengadaan is the marketplace reserved for domestic micro and small
//     businesses (Perpres 12/2021), and the dataset has no finer split.
//   A realisation without a valid date cannot be placed in a month or before an as-of date, so it
//   is not counted.
//   Realisation PDN of a period = Σ pdnValue of counted REALISATION items dated in it (itemDate,
//   Asia/Jakarta calendar date); UMK realisation = Σ umkValue likewise; total = Σ value.
//
// Suspect values are kept as reported, never corrected or hidden, and flagged (isSuspect below):
// a realisation whose PDN value exceeds its value, or whose PDN value is above 0 and at most 100
// on a value of at least Rp1.000.000 (a percentage typed into a rupiah field).
//
// Unknown is not zero: a null value stays null here; sums skip it and the rows are counted
// separately so they can be shown. A known zero ('Non-PDN') is "0.00".
//
// Attainment = realisation ÷ commitment and every share are computed by Bisma from these sums,
// never copied from a source.
import type {
  EkatalogPaketRow,
  FeedRow,
  MasterSatkerRow,
  NonTenderKontrakRow,
  PencatatanNonTenderRow,
  ProcurementDataset,
  RupPaketRow,
  TenderKontrakRow,
  TokoDaringRow,
} from './contract.js';
import { naturalKey } from './contract.js';
import { compareMoney, type Money } from './money.js';

export type ItemKind = 'PLAN' | 'REALISATION';
export type ItemChannel =
  | 'TENDER'
  | 'NON_TENDER'
  | 'PENCATATAN'
  | 'E_KATALOG'
  | 'TOKO_DARING'
  | 'RUP'
  | 'OTHER';
export type VendorScale = 'MICRO' | 'SMALL' | 'MEDIUM' | 'LARGE' | 'KOPERASI' | 'UNKNOWN';

/** A feed row in Bisma's terms: what becomes a ProcurementItem. */
export interface FeedItem {
  dataset: ProcurementDataset;
  /** Natural key within the dataset (see naturalKey). */
  sourceKey: string;
  kind: ItemKind;
  channel: ItemChannel;
  fiscalYear: number;
  /** kd_satker_str: the agency key that is the same across datasets. */
  agencyCode: string;
  title: string | null;
  vendorCode: string | null;
  vendorName: string | null;
  /** Digits only; a 15-digit NPWP gets the leading 0 of its 16-digit form. */
  vendorNpwp: string | null;
  vendorScale: VendorScale;
  /** Rupiah with two decimals; null means unknown at the source, never zero. */
  value: Money | null;
  pdnValue: Money | null;
  umkValue: Money | null;
  isPdn: boolean | null;
  isUmk: boolean | null;
  /** TKDN percentage; none of the datasets carries it, so it stays null until one does. */
  tkdn: string | null;
  /** Asia/Jakarta calendar date (YYYY-MM-DD) that places the item in a month. */
  itemDate: string | null;
  status: string | null;
  /** Whether the row passes the KPI inclusion rules of its dataset (see the top of this file). */
  counted: boolean;
}

export const DATASET_CHANNEL: Record<ProcurementDataset, ItemChannel> = {
  'rup/paket-penyedia-terumumkan': 'RUP',
  'tender/tender-ekontrak-kontrak': 'TENDER',
  'tender/non-tender-ekontrak-kontrak': 'NON_TENDER',
  'tender/pencatatan-non-tender': 'PENCATATAN',
  'ekatalog/paket-e-purchasing': 'E_KATALOG',
  'legacy/bela/toko-daring-realisasi': 'TOKO_DARING',
};

/** Rules that offices may decide differently (configuration). */
export interface MappingRules {
  /** e-Katalog v6 orders paid outside the system and delivered: counted or not. */
  ekatalogOutsideSystem: 'count' | 'exclude';
}

export const DEFAULT_RULES: MappingRules = { ekatalogOutsideSystem: 'count' };

/** Maps one validated row (the output of parseRow) to a domain item. */
export function mapRow<D extends ProcurementDataset>(
  dataset: D,
  row: FeedRow<D>,
  rules: MappingRules = DEFAULT_RULES,
): FeedItem {
  const sourceKey = naturalKey(dataset, row);
  switch (dataset) {
    case 'rup/paket-penyedia-terumumkan':
      return mapRup(sourceKey, row as RupPaketRow);
    case 'tender/tender-ekontrak-kontrak':
    case 'tender/non-tender-ekontrak-kontrak':
      return mapContract(dataset, sourceKey, row as TenderKontrakRow | NonTenderKontrakRow);
    case 'tender/pencatatan-non-tender':
      return mapPencatatan(sourceKey, row as PencatatanNonTenderRow);
    case 'ekatalog/paket-e-purchasing':
      return mapEkatalog(sourceKey, row as EkatalogPaketRow, rules);
    case 'legacy/bela/toko-daring-realisasi':
      return mapTokoDaring(sourceKey, row as TokoDaringRow);
  }
  throw new RangeError(`not a procurement dataset: ${String(dataset)}`);
}

function mapRup(sourceKey: string, row: RupPaketRow): FeedItem {
  const pdn = statusFlag(row.status_pdn, 'pdn');
  const ukm = statusFlag(row.status_ukm, 'ukm');
  const announced = norm(row.status_umumkan_rup) === 'terumumkan';
  const live = row.status_aktif_rup === true && row.status_delete_rup === false;
  return {
    dataset: 'rup/paket-penyedia-terumumkan',
    sourceKey,
    kind: 'PLAN',
    channel: 'RUP',
    fiscalYear: row.tahun_anggaran,
    agencyCode: row.kd_satker_str,
    title: cleanText(row.nama_paket),
    vendorCode: null,
    vendorName: null,
    vendorNpwp: null,
    vendorScale: 'UNKNOWN',
    value: row.pagu,
    pdnValue: portion(row.pagu, pdn),
    umkValue: portion(row.pagu, ukm),
    isPdn: pdn,
    isUmk: ukm,
    tkdn: null,
    itemDate: row.tgl_pengumuman_paket,
    status:
      row.status_delete_rup === true
        ? 'Dihapus'
        : row.status_aktif_rup === false
          ? 'Tidak Aktif'
          : cleanText(row.status_umumkan_rup),
    counted: announced && live && pdn === true,
  };
}

function mapContract(
  dataset: 'tender/tender-ekontrak-kontrak' | 'tender/non-tender-ekontrak-kontrak',
  sourceKey: string,
  row: TenderKontrakRow | NonTenderKontrakRow,
): FeedItem {
  const itemDate = row.tgl_kontrak;
  return {
    dataset,
    sourceKey,
    kind: 'REALISATION',
    channel: DATASET_CHANNEL[dataset],
    fiscalYear: row.tahun_anggaran,
    agencyCode: row.kd_satker_str,
    title: cleanText(row.nama_paket),
    vendorCode: row.kd_penyedia,
    vendorName: cleanText(row.nama_penyedia),
    vendorNpwp: normalNpwp(row.npwp_16_penyedia ?? row.npwp16_penyedia ?? row.npwp_penyedia),
    vendorScale: contractVendorScale(row.bentuk_usaha_penyedia, row.kualifikasi_paket),
    value: row.nilai_kontrak,
    pdnValue: row.nilai_pdn_kontrak,
    umkValue: row.nilai_umk_kontrak,
    isPdn: positive(row.nilai_pdn_kontrak),
    isUmk: positive(row.nilai_umk_kontrak),
    tkdn: null,
    itemDate,
    status: cleanText(row.status_kontrak),
    counted: itemDate !== null && !cancelled(row.status_kontrak),
  };
}

function mapPencatatan(sourceKey: string, row: PencatatanNonTenderRow): FeedItem {
  const itemDate = row.tgl_selesai_paket;
  return {
    dataset: 'tender/pencatatan-non-tender',
    sourceKey,
    kind: 'REALISATION',
    channel: 'PENCATATAN',
    fiscalYear: row.tahun_anggaran,
    agencyCode: row.kd_satker_str,
    title: cleanText(row.nama_paket),
    vendorCode: null,
    vendorName: cleanText(row.nama_penyedia),
    vendorNpwp: normalNpwp(row.npwp_penyedia),
    vendorScale: 'UNKNOWN',
    value: row.total_realisasi,
    pdnValue: row.nilai_pdn_pct,
    umkValue: row.nilai_umk_pct,
    isPdn: positive(row.nilai_pdn_pct),
    isUmk: positive(row.nilai_umk_pct),
    tkdn: null,
    itemDate,
    status: cleanText(row.status_nontender_pct),
    counted:
      itemDate !== null &&
      !cancelled(row.status_nontender_pct) &&
      !cancelled(row.status_nontender_pct_ket) &&
      !cleanText(row.alasan_pembatalan),
  };
}

function mapEkatalog(sourceKey: string, row: EkatalogPaketRow, rules: MappingRules): FeedItem {
  const pdn = statusFlag(row.status_pdn, 'pdn');
  const ukm = statusFlag(row.status_ukm, 'ukm');
  const v5 = row.status_pkt === null && (row.paket_status_str !== null || row.status_paket !== null);
  const itemDate = row.tgl_order ?? row.tanggal_buat_paket;
  const status = norm(row.status_pkt);
  const done = v5
    ? norm(row.paket_status_str) === 'paket selesai' ||
      ['paket_selesai', 'selesai'].includes(norm(row.status_paket))
    : status === 'completed' ||
      (status === 'payment_outside_system' &&
        norm(row.status_pengiriman) === 'completed' &&
        rules.ekatalogOutsideSystem === 'count');
  return {
    dataset: 'ekatalog/paket-e-purchasing',
    sourceKey,
    kind: 'REALISATION',
    channel: 'E_KATALOG',
    fiscalYear: row.tahun_anggaran,
    // v5 rows carry only the numeric satker_id: resolved through master-satker on the way in.
    agencyCode: row.kd_satker_str?.trim() || row.satker_id || '',
    title: cleanText(row.rup_nama_pkt ?? row.nama_paket),
    vendorCode: row.kd_penyedia_v6 ?? row.kd_penyedia_sikap ?? row.kd_penyedia,
    vendorName: null,
    vendorNpwp: null,
    vendorScale: 'UNKNOWN',
    value: row.total_harga,
    pdnValue: portion(row.total_harga, pdn),
    umkValue: portion(row.total_harga, ukm),
    isPdn: pdn,
    isUmk: ukm,
    tkdn: null,
    itemDate,
    status: v5
      ? cleanText(row.paket_status_str ?? row.status_paket)
      : [row.status_pkt, row.status_pengiriman].map(cleanText).filter(Boolean).join(' / ') || null,
    counted: itemDate !== null && done,
  };
}

function mapTokoDaring(sourceKey: string, row: TokoDaringRow): FeedItem {
  const itemDate = row.tanggal_transaksi;
  const confirmed = ['selesai', 'berhasil'].includes(norm(row.status_konfirmasi_ppmse));
  return {
    dataset: 'legacy/bela/toko-daring-realisasi',
    sourceKey,
    kind: 'REALISATION',
    channel: 'TOKO_DARING',
    fiscalYear: row.tahun,
    // LKPP's rows only carry the dataset's own numeric kd_satker; an adapter (or the simulator)
    // adds kd_satker_str. Without it the item keeps the numeric code and joins no agency.
    agencyCode: row.kd_satker_str ?? row.kd_satker ?? '',
    title: cleanText(row.order_desc),
    vendorCode: null,
    vendorName: cleanText(row.merchant_name),
    vendorNpwp: null,
    vendorScale: 'UNKNOWN',
    value: row.valuasi,
    pdnValue: row.valuasi,
    umkValue: row.valuasi,
    isPdn: row.valuasi === null ? null : true,
    isUmk: row.valuasi === null ? null : true,
    tkdn: null,
    itemDate,
    status: [row.status_verif, row.status_konfirmasi_ppmse].filter(Boolean).join('/') || null,
    counted: itemDate !== null && norm(row.status_verif) === 'verified' && confirmed,
  };
}

/** An agency from rup/master-satker. */
export interface FeedAgency {
  code: string;
  /** The numeric kd_satker that Toko Daring and e-Katalog v5 rows use. */
  numericCode: string | null;
  name: string;
  kind:
    | 'PROVINCE'
    | 'DINAS'
    | 'BADAN'
    | 'BIRO'
    | 'KOTA_ADMINISTRASI'
    | 'SEKRETARIAT'
    | 'RSUD'
    | 'UPT'
    | 'OTHER';
  klpdCode: string | null;
  active: boolean;
  /** The parent's kd_satker_str or numeric kd_satker, where the source gives one. */
  parentCode: string | null;
}

const KIND_WORDS: Record<string, FeedAgency['kind']> = {
  provinsi: 'PROVINCE',
  dinas: 'DINAS',
  badan: 'BADAN',
  biro: 'BIRO',
  kotaadministrasi: 'KOTA_ADMINISTRASI',
  kabupatenadministrasi: 'KOTA_ADMINISTRASI',
  sekretariat: 'SEKRETARIAT',
  rsud: 'RSUD',
  upt: 'UPT',
};

/**
 * `jenis_satker` when it names a kind; LKPP mostly writes 'SKPD' there, so otherwise the name's
 * first words decide (DINAS…, BADAN…, BIRO…, SEKRETARIAT…, RSUD / RUMAH SAKIT…, UPT…).
 */
function satkerKind(jenis: string | null, name: string): FeedAgency['kind'] {
  const byJenis = KIND_WORDS[norm(jenis).replace(/[^a-z]/g, '')];
  if (byJenis) return byJenis;
  const n = norm(name);
  if (/^rumah sakit|^rsud\b/.test(n)) return 'RSUD';
  if (/^(kota|kabupaten) administrasi/.test(n)) return 'KOTA_ADMINISTRASI';
  const first = /^([a-z]+)/.exec(n)?.[1] ?? '';
  return KIND_WORDS[first] ?? 'OTHER';
}

export function mapSatker(row: MasterSatkerRow): FeedAgency {
  const name = cleanText(row.nama_satker) ?? row.kd_satker_str;
  return {
    code: row.kd_satker_str.trim(),
    numericCode: row.kd_satker,
    name,
    kind: satkerKind(row.jenis_satker, name),
    klpdCode: row.kd_klpd,
    active: row.status_satker === null || !/tidak|non|inactive/i.test(row.status_satker),
    parentCode: row.kd_satker_induk,
  };
}

/** Below this many rupiah a PDN value on a large contract is read as a percentage typed as rupiah. */
const PERCENT_AS_RUPIAH_MAX = 100;
const LARGE_VALUE = 1_000_000;

/**
 * Why a realisation's figures look wrong, or null: kept and counted as reported, but flagged.
 * The same test as SUSPECT_SQL (for stored items).
 */
export function suspectReason(item: Pick<FeedItem, 'kind' | 'value' | 'pdnValue'>): string | null {
  if (item.kind !== 'REALISATION' || item.value === null || item.pdnValue === null) return null;
  const value = Number(item.value);
  const pdn = Number(item.pdnValue);
  if (compareMoney(item.pdnValue, item.value) > 0) return 'PDN value above the value';
  if (pdn > 0 && pdn <= PERCENT_AS_RUPIAH_MAX && value >= LARGE_VALUE) {
    return 'PDN value of at most 100 on a value of a million or more (a percentage typed as rupiah?)';
  }
  return null;
}

/** suspectReason as SQL over procurement_item `i`: true when the item is suspect. */
export const SUSPECT_SQL = `(i.kind = 'REALISATION' AND i.value IS NOT NULL AND i.pdn_value IS NOT NULL AND (
  i.pdn_value > i.value OR (i.pdn_value > 0 AND i.pdn_value <= ${PERCENT_AS_RUPIAH_MAX} AND i.value >= ${LARGE_VALUE})))`;

// ---------------------------------------------------------------------------------------------
// Helpers

function norm(value: string | null | undefined): string {
  return (value ?? '').trim().toLowerCase();
}

/** 'PDN' → true, 'Non-PDN' → false, anything else → null (unknown). */
function statusFlag(value: string | null, word: 'pdn' | 'ukm'): boolean | null {
  const letters = norm(value).replace(/[^a-z]/g, '');
  if (letters === word) return true;
  if (letters === `non${word}`) return false;
  return null;
}

/** The part of an amount that a flag claims: all of it, none of it, or unknown. */
function portion(amount: Money | null, flag: boolean | null): Money | null {
  if (amount === null || flag === null) return null;
  return flag ? amount : '0.00';
}

const NON_ZERO_DIGIT = /[1-9]/;

/** Money is a non-negative decimal text: above zero exactly when it has a non-zero digit. */
function positive(amount: Money | null): boolean | null {
  return amount === null ? null : NON_ZERO_DIGIT.test(amount);
}

function cancelled(status: string | null): boolean {
  return /batal/i.test(status ?? '');
}

function contractVendorScale(bentukUsaha: string | null, kualifikasi: string | null): VendorScale {
  if (/koperasi/i.test(bentukUsaha ?? '')) return 'KOPERASI';
  const k = norm(kualifikasi);
  if (k === 'kecil' || k === 'usaha kecil') return 'SMALL';
  if (k.includes('menengah')) return 'MEDIUM';
  if (k.includes('besar')) return 'LARGE';
  return 'UNKNOWN';
}

export function normalNpwp(value: string | null | undefined): string | null {
  const digits = (value ?? '').replace(/\D/g, '');
  if (digits === '') return null;
  return digits.length === 15 ? `0${digits}` : digits;
}

/** A tag or entity, whitespace other than a plain space, two in a row, or at either end. */
const NEEDS_CLEANING = /[<&]|[^\S ]|\s\s|^\s|\s$/;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Text fields sometimes hold HTML: tags dropped, entities decoded, whitespace collapsed. */
export function cleanText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  // Most texts are already clean (no tag, no entity, single spaces between words): every step
  // below would leave them as they are, so they skip the five passes. This runs per text field.
  if (!NEEDS_CLEANING.test(value)) return value === '' ? null : value;
  const text = value
    .replace(/<(br|\/p|\/div|\/li)\s*\/?>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code =
          name[1]?.toLowerCase() === 'x' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/\s+/g, ' ')
    .trim();
  return text === '' ? null : text;
}
