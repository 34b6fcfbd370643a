// One feed row on its way in: validated by the feed contract, mapped to a Bisma item, given a
// content hash (which decides updated vs unchanged) and encoded for COPY.
import { createHash } from 'node:crypto';
import { type FeedRow, type ProcurementDataset, parseRow } from '../../feed/contract.js';
import { DEFAULT_RULES, type FeedItem, type MappingRules, mapRow } from '../../feed/mapping.js';
import { type CopyValue, copyLine } from './copy-text.js';

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

export function contentHash(item: FeedItem, klpdCode: string): string {
  return createHash('sha256').update(canonical(item, klpdCode)).digest('base64url');
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
  const hash = contentHash(item, scope.klpdCode);
  const resolved = scope.satkerByNumber?.get(item.agencyCode);
  return {
    ok: true,
    item: {
      ...item,
      ...(resolved && NUMERIC_AGENCY_DATASETS.has(dataset) ? { agencyCode: resolved } : {}),
      klpdCode: scope.klpdCode,
      contentHash: hash,
      raw: rawText,
    },
  };
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
  const values: CopyValue[] = [
    runId,
    rowNumber,
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
  ];
  return copyLine(values);
}
