// One feed row on its way in: validated by the feed contract, mapped to a Bisma item, given a
// content hash (which decides updated vs unchanged) and encoded for COPY.
import { hash } from 'node:crypto';
import { type FeedRow, type ProcurementDataset, parseRow } from '../../feed/contract.js';
import { DEFAULT_RULES, type FeedItem, type MappingRules, mapRow } from '../../feed/mapping.js';
import { copyField } from './copy-text.js';

export interface StagedItem extends FeedItem {
  klpdCode: string;
  contentHash: string;
  /** The row as the feed sent it, JSON text. */
  raw: string;
}

export type PreparedRow = { ok: true; item: StagedItem } | { ok: false; reason: string; key: string | null };

export interface RowScope {
  klpdCode: string;
  /** The snapshot's fiscal year: a row of another year does not belong to it. */
  fiscalYear?: number;
  rules?: MappingRules;
  /**
   * master-satker's numeric kd_satker → kd_satker_str, for the rows that carry only the numeric
   * code (Toko Daring, e-Katalog v5). A code it does not know stays as is until its agency arrives.
   */
  satkerByNumber?: ReadonlyMap<string, string>;
}

/** The mapped fields, in a fixed order: what the content hash covers. */
function canonical(item: FeedItem, klpdCode: string): string {
  return JSON.stringify([
    item.dataset,
    item.sourceKey,
    klpdCode,
    item.kind,
    item.channel,
    item.fiscalYear,
    item.agencyCode,
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
  ]);
}

// sha256 as before (stored hashes stay comparable across an upgrade), through the one-shot
// crypto.hash: a Hash object per row was a fifth of the hashing time and garbage besides.
export function contentHash(item: FeedItem, klpdCode: string): string {
  return hash('sha256', canonical(item, klpdCode), 'base64url');
}

/** JSON text that jsonb accepts: jsonb refuses the \u0000 escape, so NUL characters are dropped. */
export function rawJson(raw: unknown): string {
  const text = JSON.stringify(raw) ?? 'null';
  if (!text.includes('\\u0000')) return text;
  return JSON.stringify(raw, (_key, value) =>
    typeof value === 'string' ? value.replaceAll('\0', '') : value,
  );
}

/** Datasets whose rows may carry master-satker's numeric kd_satker instead of kd_satker_str. */
export const NUMERIC_AGENCY_DATASETS: ReadonlySet<ProcurementDataset> = new Set([
  'legacy/bela/toko-daring-realisasi',
  'ekatalog/paket-e-purchasing',
]);

export function prepareRow(dataset: ProcurementDataset, raw: unknown, scope: RowScope): PreparedRow {
  const parsed = parseRow(dataset, raw);
  if (!parsed.ok) return { ok: false, reason: parsed.reason, key: parsed.key };
  const rowKlpd = (parsed.row as { kd_klpd?: string | null }).kd_klpd?.trim();
  if (rowKlpd && rowKlpd !== scope.klpdCode) {
    return {
      ok: false,
      reason: `kd_klpd ${rowKlpd} is another KLPD than this snapshot's ${scope.klpdCode}`,
      key: parsed.key,
    };
  }
  let item: FeedItem;
  try {
    item = mapRow(dataset, parsed.row as FeedRow<typeof dataset>, scope.rules ?? DEFAULT_RULES);
  } catch (err) {
    return { ok: false, reason: `cannot map the row: ${(err as Error).message}`, key: parsed.key };
  }
  if (scope.fiscalYear !== undefined && item.fiscalYear !== scope.fiscalYear) {
    return {
      ok: false,
      reason: `fiscal year ${item.fiscalYear} does not belong to this snapshot of ${scope.fiscalYear}`,
      key: parsed.key,
    };
  }
  const tooLong = overLimit(item);
  if (tooLong) return { ok: false, reason: tooLong, key: parsed.key };
  const rawText = rawJson(raw);
  if (rawText.length > MAX_ROW_CHARS) {
    return {
      ok: false,
      reason: `the row is ${rawText.length} characters of JSON, more than the ${MAX_ROW_CHARS} allowed`,
      key: parsed.key,
    };
  }
  // The hash covers the row as the source sends it: resolving its numeric agency code later (when
  // master-satker arrives) does not make the same row look changed.
  const contentHashValue = contentHash(item, scope.klpdCode);
  const resolved = scope.satkerByNumber?.get(item.agencyCode);
  // The mapped item is this row's own fresh object: completed in place rather than copied, one
  // object less per row for the garbage collector.
  const staged = item as StagedItem;
  if (resolved && NUMERIC_AGENCY_DATASETS.has(dataset)) staged.agencyCode = resolved;
  staged.klpdCode = scope.klpdCode;
  staged.contentHash = contentHashValue;
  staged.raw = rawText;
  return { ok: true, item: staged };
}

/**
 * Longest text each mapped field may hold (characters). Real values are far shorter (a package
 * title is a sentence or two); a longer one is an error at the source, rejected, not stored.
 */
export const TEXT_LIMITS = {
  sourceKey: 200,
  agencyCode: 100,
  title: 2000,
  vendorCode: 100,
  vendorName: 500,
  vendorNpwp: 50,
  status: 200,
} as const satisfies Partial<Record<keyof FeedItem, number>>;

/** A whole row as JSON: the raw copy kept with the item. */
export const MAX_ROW_CHARS = 64 * 1024;

function overLimit(item: FeedItem): string | null {
  for (const [field, limit] of Object.entries(TEXT_LIMITS) as Array<[keyof typeof TEXT_LIMITS, number]>) {
    const value = item[field];
    if (typeof value === 'string' && value.length > limit) {
      return `${field} is ${value.length} characters long, more than the ${limit} allowed`;
    }
  }
  return null;
}

/** Columns of the staging table after run_id and row_number, in COPY order. */
export const STAGE_COLUMNS = [
  'source_key',
  'kind',
  'channel',
  'fiscal_year',
  'agency_code',
  'klpd_code',
  'title',
  'vendor_code',
  'vendor_name',
  'vendor_npwp',
  'vendor_scale',
  'value',
  'pdn_value',
  'umk_value',
  'is_pdn',
  'is_umk',
  'tkdn',
  'item_date',
  'status',
  'counted',
  'content_hash',
  'raw',
] as const;

/** The row's COPY line for ingest_stage_row (run and row number first), newline included. */
export function stageLine(runId: number, rowNumber: number, item: StagedItem): string {
  // Written out field by field rather than through an array of values: this runs for every row.
  return (
    `${runId}\t${rowNumber}\t${copyField(item.sourceKey)}\t${item.kind}\t${item.channel}\t` +
    `${item.fiscalYear}\t${copyField(item.agencyCode)}\t${copyField(item.klpdCode)}\t` +
    `${copyField(item.title)}\t${copyField(item.vendorCode)}\t${copyField(item.vendorName)}\t` +
    `${copyField(item.vendorNpwp)}\t${item.vendorScale}\t${copyField(item.value)}\t` +
    `${copyField(item.pdnValue)}\t${copyField(item.umkValue)}\t${copyField(item.isPdn)}\t` +
    `${copyField(item.isUmk)}\t${copyField(item.tkdn)}\t${copyField(item.itemDate)}\t` +
    `${copyField(item.status)}\t${copyField(item.counted)}\t${item.contentHash}\t${copyField(item.raw)}\n`
  );
}
