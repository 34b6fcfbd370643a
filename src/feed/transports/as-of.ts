// The date a snapshot stands as of when the source does not state one (bare-array feeds, dumps):
// from its rows, never from the day it happens to be read.
import { type FeedDataset, parseFeedDate } from '../contract.js';

/** The fields that date a dump's extraction (`_event_date` in LKPP's exports, `tgl_penarikan`). */
export const EXTRACTION_DATE_FIELDS = ['_event_date', 'tgl_penarikan'] as const;

/** The latest extraction date a raw row states, or null. */
export function extractionDate(row: unknown): string | null {
  if (typeof row !== 'object' || row === null) return null;
  let latest: string | null = null;
  for (const field of EXTRACTION_DATE_FIELDS) {
    const date = parseFeedDate((row as Record<string, unknown>)[field]);
    if (date !== null && (latest === null || date > latest)) latest = date;
  }
  return latest;
}

/** The date field that places a row of each dataset in time (mapping.ts's itemDate). */
const DATE_FIELDS: Record<FeedDataset, string[]> = {
  'rup/master-satker': [],
  'rup/paket-penyedia-terumumkan': ['tgl_pengumuman_paket'],
  'tender/tender-ekontrak-kontrak': ['tgl_kontrak'],
  'tender/non-tender-ekontrak-kontrak': ['tgl_kontrak'],
  'tender/pencatatan-non-tender': ['tgl_selesai_paket'],
  'ekatalog/paket-e-purchasing': ['tgl_order', 'tanggal_buat_paket'],
  'legacy/bela/toko-daring-realisasi': ['tanggal_transaksi'],
};

/**
 * The date a dump stands as of, from its rows: the latest extraction date they state
 * (`_event_date`, `tgl_penarikan`), else their latest item date; never after today.
 */
export class DataAsOf {
  private extracted: string | null = null;
  private latestItem: string | null = null;

  constructor(
    private readonly dataset: FeedDataset,
    private readonly today: string,
  ) {}

  see(row: unknown): void {
    const extracted = extractionDate(row);
    if (extracted !== null && (this.extracted === null || extracted > this.extracted))
      this.extracted = extracted;
    if (typeof row !== 'object' || row === null) return;
    for (const field of DATE_FIELDS[this.dataset]) {
      const date = parseFeedDate((row as Record<string, unknown>)[field]);
      if (date !== null && date <= this.today && (this.latestItem === null || date > this.latestItem))
        this.latestItem = date;
    }
  }

  get value(): string | null {
    const date = this.extracted ?? this.latestItem;
    return date !== null && date > this.today ? this.today : date;
  }
}
