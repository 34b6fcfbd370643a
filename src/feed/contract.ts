// The feed contract of FEED.md in code: dataset paths, page and error envelopes, and one zod row
// schema per dataset that keeps LKPP's own field names and absorbs the traps of real data.
import { z } from 'zod';
import { calendarDateText, fromDbDate, jakartaDate } from '../lib/dates.js';
import { parseMoney } from './money.js';

// ---------------------------------------------------------------------------------------------
// Datasets

export const FEED_DATASETS = [
  'rup/master-satker',
  'rup/paket-penyedia-terumumkan',
  'tender/tender-ekontrak-kontrak',
  'tender/non-tender-ekontrak-kontrak',
  'tender/pencatatan-non-tender',
  'ekatalog/paket-e-purchasing',
  'legacy/bela/toko-daring-realisasi',
] as const;

export type FeedDataset = (typeof FEED_DATASETS)[number];

/** Datasets whose rows become procurement items (the agency list is not one of them). */
export type ProcurementDataset = Exclude<FeedDataset, 'rup/master-satker'>;

export const PROCUREMENT_DATASETS = FEED_DATASETS.filter(
  (d): d is ProcurementDataset => d !== 'rup/master-satker',
);

/** Datasets that count toward realisation, in the order their channels are reported. */
export const REALISATION_DATASETS = PROCUREMENT_DATASETS.filter((d) => d !== 'rup/paket-penyedia-terumumkan');

export function isFeedDataset(value: string): value is FeedDataset {
  return (FEED_DATASETS as readonly string[]).includes(value);
}

/** Path of a dataset under the API root: `{base}/api/v1/{group}/{dataset}`. */
export function datasetPath(dataset: FeedDataset): string {
  return `/api/v1/${dataset}`;
}

/** `limit` is clamped to this by the server. */
export const MAX_PAGE_LIMIT = 1000;

// ---------------------------------------------------------------------------------------------
// Envelopes

/**
 * One page: `cursor` is an opaque string (it may encode integers beyond 2^53) that is passed back
 * verbatim and never parsed; it is null (or absent) on the last page.
 */
export const pageEnvelopeSchema = z.object({
  data: z.array(z.unknown()),
  meta: z.object({
    cursor: z.string().nullish(),
    has_more: z.boolean(),
    /** Bisma's simulator says which date the snapshot stands as of; LKPP's API does not. */
    as_of: calendarDateText.nullish(),
    /** The snapshot's row count, where the feed states one (Bisma's simulator does on request). */
    total: z.number().int().min(0).nullish(),
  }),
});

export type PageEnvelope = z.infer<typeof pageEnvelopeSchema>;

export const errorEnvelopeSchema = z.object({
  success: z.literal(false),
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

export function errorEnvelope(code: string, message: string, details?: unknown): ErrorEnvelope {
  return { success: false, error: { code, message, details: details ?? null } };
}

// ---------------------------------------------------------------------------------------------
// Dates

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const ISO_DATE_TIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DAY_MONTH_YEAR = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const YEAR_SLASH = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;

/**
 * Reads a date as LKPP's services write it and returns the Asia/Jakarta calendar date
 * (YYYY-MM-DD), or null when the text is not a real date.
 *
 * - `2024-01-01`, `2024/04/19`: a calendar date as is.
 * - `19/04/2024`: day first, the Indonesian order.
 * - `2023-12-04 08:37:29` (no zone): LKPP's local wall time, which is WIB, so the date as written.
 * - `2024-04-19T00:00:00.000000Z`, `…+07:00`: an instant, converted to the Jakarta date
 *   (UTC+7, no daylight saving).
 * Impossible dates (`2023-02-30`, `0000-00-00`, hour 24) and years outside 1900–2199 are rejected.
 */
export function parseFeedDate(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  const text = input.trim();
  let m = ISO_DATE.exec(text) ?? YEAR_SLASH.exec(text);
  if (m) return calendarDate(+m[1]!, +m[2]!, +m[3]!);
  m = DAY_MONTH_YEAR.exec(text);
  if (m) return calendarDate(+m[3]!, +m[2]!, +m[1]!);
  m = ISO_DATE_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(
    Number,
  ) as [number, number, number, number, number, number];
  const date = calendarDate(year, month, day);
  if (date === null || hour > 23 || minute > 59 || second > 59) return null;
  const zone = m[7];
  if (zone === undefined) return date;
  const offset = zone.toUpperCase() === 'Z' ? 0 : zoneOffsetMinutes(zone);
  if (offset === null) return null;
  const instant = Date.UTC(year, month - 1, day, hour, minute, second) - offset * 60_000;
  return jakartaDate(instant);
}

function calendarDate(year: number, month: number, day: number): string | null {
  if (year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return fromDbDate(d);
}

function zoneOffsetMinutes(zone: string): number | null {
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? '0');
  if (hours > 14 || minutes > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

// ---------------------------------------------------------------------------------------------
// Field schemas: each accepts the shapes seen at the source and outputs one normal form.

/** An amount: number or numeric string → "1234.50"; null/absent/"" → null (unknown, not zero). */
const money = z
  .unknown()
  .optional()
  .transform((value, ctx) => {
    const parsed = parseMoney(value);
    if (parsed.ok) return parsed.value;
    ctx.addIssue(parsed.reason);
    return z.NEVER;
  });

/** An identifier sent as an integer in one dataset and a string in another → string. */
const identifier = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const normal = normalIdentifier(value);
  if (typeof normal === 'string') return normal;
  ctx.addIssue(normal.problem);
  return z.NEVER;
});

/** The same, where the field may be absent: null, absent and "" → null. */
const optionalIdentifier = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((value, ctx) => {
    if (value === null || value === undefined || value === '') return null;
    const normal = normalIdentifier(value);
    if (typeof normal === 'string') return normal;
    ctx.addIssue(normal.problem);
    return z.NEVER;
  });

function normalIdentifier(value: string | number): string | { problem: string } {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return String(value);
    return { problem: 'identifier is not a safe non-negative integer: the source must send it as a string' };
  }
  const text = value.trim();
  return text === '' ? { problem: 'empty identifier' } : text;
}

/** A fiscal year, as a number or a numeric string. */
const year = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^\d{4}$/)
      .transform(Number),
  ])
  .pipe(z.number().int().min(2000).max(2100));

/** A date in any of the formats parseFeedDate knows → YYYY-MM-DD; null/absent/"" → null. */
const feedDate = z
  .unknown()
  .optional()
  .transform((value, ctx) => {
    if (value === null || value === undefined || value === '') return null;
    const date = parseFeedDate(value);
    if (date !== null) return date;
    ctx.addIssue(`not a valid date: ${JSON.stringify(value)}`);
    return z.NEVER;
  });

/** Booleans arrive as true/false, 1/0 or their strings. */
const flag = z
  .union([z.boolean(), z.literal(0), z.literal(1), z.enum(['true', 'false', '1', '0', 'TRUE', 'FALSE'])])
  .transform((v) => v === true || v === 1 || v === '1' || v === 'true' || v === 'TRUE')
  .nullish()
  .transform((v) => v ?? null);

const text = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

const requiredText = z.string().trim().min(1);

// ---------------------------------------------------------------------------------------------
// Row schemas. Objects are loose: fields Bisma does not read pass through untouched.

export const masterSatkerRowSchema = z.looseObject({
  kd_satker_str: requiredText,
  kd_satker: optionalIdentifier,
  nama_satker: requiredText,
  jenis_satker: text,
  kd_klpd: text,
  nama_klpd: text,
  status_satker: text,
  /** The parent unit, where a source gives one (kd_satker_str or the numeric kd_satker). */
  kd_satker_induk: optionalIdentifier,
});

export const rupPaketRowSchema = z.looseObject({
  /** An integer in this dataset, a string in the others. */
  kd_rup: identifier,
  tahun_anggaran: year,
  kd_klpd: text,
  kd_satker: optionalIdentifier,
  kd_satker_str: requiredText,
  nama_paket: text,
  pagu: money,
  metode_pengadaan: text,
  jenis_pengadaan: text,
  /** 'PDN' or 'Non-PDN'. */
  status_pdn: text,
  /** 'UKM' or 'Non-UKM'. */
  status_ukm: text,
  status_aktif_rup: flag,
  status_delete_rup: flag,
  /** 'Terumumkan' when announced. */
  status_umumkan_rup: text,
  tgl_buat_paket: feedDate,
  tgl_pengumuman_paket: feedDate,
  /** Misspelt at the source ("urarian"); kept as LKPP writes it. */
  urarian_pekerjaan: text,
});

const contractFields = {
  tahun_anggaran: year,
  kd_klpd: text,
  kd_satker: optionalIdentifier,
  kd_satker_str: requiredText,
  kd_rup: optionalIdentifier,
  nama_paket: text,
  no_kontrak: text,
  tgl_kontrak: feedDate,
  kd_penyedia: optionalIdentifier,
  nama_penyedia: text,
  npwp_penyedia: text,
  npwp_16_penyedia: text,
  npwp16_penyedia: text,
  bentuk_usaha_penyedia: text,
  kualifikasi_paket: text,
  nilai_kontrak: money,
  nilai_pdn_kontrak: money,
  nilai_umk_kontrak: money,
  status_kontrak: text,
  /** 'Ya' on an addendum: a new no_kontrak that replaces the contract it amends. */
  apakah_addendum: text,
  versi_addendum: z
    .union([z.number(), z.string()])
    .nullish()
    .transform((v) => (v === null || v === undefined || v === '' ? null : Number(v)))
    .pipe(z.number().int().min(0).nullable()),
};

export const tenderKontrakRowSchema = z.looseObject({ kd_tender: identifier, ...contractFields });

export const nonTenderKontrakRowSchema = z.looseObject({ kd_nontender: identifier, ...contractFields });

export const pencatatanNonTenderRowSchema = z.looseObject({
  kd_nontender_pct: identifier,
  kd_rup: optionalIdentifier,
  tahun_anggaran: year,
  kd_klpd: text,
  kd_satker: optionalIdentifier,
  kd_satker_str: requiredText,
  nama_paket: text,
  uraian_pekerjaan: text,
  pagu: money,
  total_realisasi: money,
  nilai_pdn_pct: money,
  nilai_umk_pct: money,
  mtd_pemilihan: text,
  status_nontender_pct: text,
  /** 'Paket Dibatalkan' on a cancelled purchase (with status_nontender_pct 'Ditutup'). */
  status_nontender_pct_ket: text,
  alasan_pembatalan: text,
  tgl_selesai_paket: feedDate,
  nama_penyedia: text,
  npwp_penyedia: text,
});

/**
 * e-Katalog orders of both generations: v6 (`kd_satker_str`, `tgl_order`, `status_pkt`) and v5
 * (`Ecat-PaketEPurchasing`: the numeric `satker_id`, `tanggal_buat_paket`,
 * `status_paket`/`paket_status_str`). A row needs an agency key of one or the other.
 */
export const ekatalogPaketRowSchema = z
  .looseObject({
    kd_paket: identifier,
    kd_rup: optionalIdentifier,
    tahun_anggaran: year,
    kd_klpd: text,
    kd_satker_str: text,
    /** v5: the numeric agency code, resolved through master-satker's kd_satker. */
    satker_id: optionalIdentifier,
    rup_nama_pkt: text,
    nama_paket: text,
    total_harga: money,
    tgl_order: feedDate,
    /** v5's order date. */
    tanggal_buat_paket: feedDate,
    /** v6: 'COMPLETED' when the order is done; ON_PROCESS, CANCELLED, PAYMENT_OUTSIDE_SYSTEM… otherwise. */
    status_pkt: text,
    /** v6: the delivery's state ('COMPLETED' once delivered). */
    status_pengiriman: text,
    /** v5: e.g. 'melakukan_pengiriman_dan_penerimaan', 'paket_selesai'. */
    status_paket: text,
    /** v5: 'Paket Selesai', 'Paket Proses', 'Paket Batal'… */
    paket_status_str: text,
    kd_penyedia_v6: optionalIdentifier,
    kd_penyedia_sikap: optionalIdentifier,
    kd_penyedia: optionalIdentifier,
    /**
     * Not in LKPP's e-Purchasing rows: the PDN and UKM status of the order's RUP package
     * (`status_pdn`, `status_ukm` of rup/paket-penyedia-terumumkan for `kd_rup`), carried on the row
     * by the simulator and by any adapter that joins the two datasets. Absent means unknown.
     */
    status_pdn: text,
    status_ukm: text,
  })
  .superRefine((row, ctx) => {
    if (!row.kd_satker_str?.trim() && row.satker_id === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['kd_satker_str'],
        message: 'no agency: neither kd_satker_str nor satker_id',
      });
    }
  });

export const tokoDaringRowSchema = z.looseObject({
  order_id: identifier,
  tahun: year,
  kd_klpd: text,
  /** Numeric and dataset-specific: not the agency key. */
  kd_satker: optionalIdentifier,
  /** Absent at LKPP; the simulator (and an adapter joining master-satker) adds it. */
  kd_satker_str: text,
  order_desc: text,
  merchant_name: text,
  valuasi: money,
  tanggal_transaksi: feedDate,
  status_verif: text,
  status_konfirmasi_ppmse: text,
});

/**
 * Every row of an ingest passes one of these, so they are compiled by zod itself (z.compile): a
 * generated parser for the row that passes, about a third less CPU and garbage than the runtime
 * parser; a row it cannot accept is parsed again by the runtime, so rejections and their reasons
 * are the runtime's own.
 */
export const ROW_SCHEMAS = {
  'rup/master-satker': z.compile(masterSatkerRowSchema),
  'rup/paket-penyedia-terumumkan': z.compile(rupPaketRowSchema),
  'tender/tender-ekontrak-kontrak': z.compile(tenderKontrakRowSchema),
  'tender/non-tender-ekontrak-kontrak': z.compile(nonTenderKontrakRowSchema),
  'tender/pencatatan-non-tender': z.compile(pencatatanNonTenderRowSchema),
  'ekatalog/paket-e-purchasing': z.compile(ekatalogPaketRowSchema),
  'legacy/bela/toko-daring-realisasi': z.compile(tokoDaringRowSchema),
} as const satisfies Record<FeedDataset, z.ZodType>;

export type FeedRow<D extends FeedDataset> = z.output<(typeof ROW_SCHEMAS)[D]>;
export type MasterSatkerRow = FeedRow<'rup/master-satker'>;
export type RupPaketRow = FeedRow<'rup/paket-penyedia-terumumkan'>;
export type TenderKontrakRow = FeedRow<'tender/tender-ekontrak-kontrak'>;
export type NonTenderKontrakRow = FeedRow<'tender/non-tender-ekontrak-kontrak'>;
export type PencatatanNonTenderRow = FeedRow<'tender/pencatatan-non-tender'>;
export type EkatalogPaketRow = FeedRow<'ekatalog/paket-e-purchasing'>;
export type TokoDaringRow = FeedRow<'legacy/bela/toko-daring-realisasi'>;

/**
 * The natural key of a validated row within its dataset. Contracts are keyed by the tender and
 * the contract number together: one tender can end in several contracts.
 */
export function naturalKey<D extends FeedDataset>(dataset: D, row: FeedRow<D>): string {
  const r = row as Record<string, unknown>;
  switch (dataset) {
    case 'rup/master-satker':
      return String(r.kd_satker_str);
    case 'rup/paket-penyedia-terumumkan':
      return String(r.kd_rup);
    case 'tender/tender-ekontrak-kontrak':
      return r.no_kontrak ? `${r.kd_tender}/${r.no_kontrak}` : String(r.kd_tender);
    case 'tender/non-tender-ekontrak-kontrak':
      return r.no_kontrak ? `${r.kd_nontender}/${r.no_kontrak}` : String(r.kd_nontender);
    case 'tender/pencatatan-non-tender':
      return String(r.kd_nontender_pct);
    case 'ekatalog/paket-e-purchasing':
      return String(r.kd_paket);
    case 'legacy/bela/toko-daring-realisasi':
      return String(r.order_id);
  }
  throw new RangeError(`unknown dataset ${String(dataset)}`);
}

export type RowParse<D extends FeedDataset> =
  | { ok: true; row: FeedRow<D>; key: string }
  | { ok: false; reason: string; key: string | null };

/**
 * Validates one raw row. A failure names every field at fault and, when it can still be read, the
 * row's natural key, so the rejection can be recorded against it.
 */
export function parseRow<D extends FeedDataset>(dataset: D, raw: unknown): RowParse<D> {
  const schema = ROW_SCHEMAS[dataset] as unknown as z.ZodType<FeedRow<D>>;
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, row: result.data, key: naturalKey(dataset, result.data) };
  const reason = result.error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'row'}: ${issue.message}`)
    .join('; ');
  return { ok: false, reason, key: rawKey(dataset, raw) };
}

/** The field holding each dataset's natural key, as LKPP names it. */
export const NATURAL_KEY_FIELDS: Record<FeedDataset, string> = {
  'rup/master-satker': 'kd_satker_str',
  'rup/paket-penyedia-terumumkan': 'kd_rup',
  'tender/tender-ekontrak-kontrak': 'kd_tender',
  'tender/non-tender-ekontrak-kontrak': 'kd_nontender',
  'tender/pencatatan-non-tender': 'kd_nontender_pct',
  'ekatalog/paket-e-purchasing': 'kd_paket',
  'legacy/bela/toko-daring-realisasi': 'order_id',
};

function rawKey(dataset: FeedDataset, raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const field = NATURAL_KEY_FIELDS[dataset];
  const key = r[field];
  if (typeof key !== 'string' && typeof key !== 'number') return null;
  const contract =
    dataset === 'tender/tender-ekontrak-kontrak' || dataset === 'tender/non-tender-ekontrak-kontrak';
  return contract && typeof r.no_kontrak === 'string' && r.no_kontrak
    ? `${key}/${r.no_kontrak}`
    : String(key);
}
