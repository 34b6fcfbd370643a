// Ingest test helpers: what the feed serves (read independently of the worker) and what the
// database holds, in comparable forms.
import { createFeedClient } from '../../src/feed/client.js';
import type { ProcurementDataset } from '../../src/feed/contract.js';
import { pool } from '../../src/lib/db.js';
import { prepareRow } from '../../src/services/ingest/rows.js';

export const KLPD = 'D999';

/** Every raw row of a snapshot, read page by page with a plain client. */
export async function feedRows(
  baseUrl: string,
  dataset: ProcurementDataset,
  year: number,
  options: { asOf?: string; params?: Record<string, string> } = {},
): Promise<unknown[]> {
  const client = createFeedClient({ baseUrl, token: 'demo-token', backoffBaseMs: 5, backoffMaxMs: 20 });
  const rows: unknown[] = [];
  for await (const page of client.pages(dataset, { klpd: KLPD, year, limit: 1000, ...options }))
    rows.push(...page.rows);
  return rows;
}

/** The as-of date the feed states for a snapshot (null if it states none). */
export async function feedAsOf(
  baseUrl: string,
  dataset: ProcurementDataset,
  year: number,
): Promise<string | null> {
  const client = createFeedClient({ baseUrl, token: 'demo-token' });
  return (await client.page(dataset, { klpd: KLPD, year, limit: 1 })).asOf;
}

export interface Expected {
  /** source_key → content_hash of the first valid row with that key. */
  items: Map<string, string>;
  rejected: number;
  duplicates: number;
  fetched: number;
}

export function expectedSnapshot(dataset: ProcurementDataset, rows: unknown[], year?: number): Expected {
  const items = new Map<string, string>();
  let rejected = 0;
  let duplicates = 0;
  for (const raw of rows) {
    const prepared = prepareRow(dataset, raw, {
      klpdCode: KLPD,
      ...(year !== undefined ? { fiscalYear: year } : {}),
    });
    if (!prepared.ok) rejected++;
    else if (items.has(prepared.item.sourceKey)) duplicates++;
    else items.set(prepared.item.sourceKey, prepared.item.contentHash);
  }
  return { items, rejected, duplicates, fetched: rows.length };
}

/** Live (not withdrawn) items of a dataset: source_key → content_hash. */
export async function storedItems(dataset: string): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ source_key: string; content_hash: string }>(
    'SELECT source_key, content_hash FROM procurement_item WHERE dataset = $1 AND withdrawn_at IS NULL',
    [dataset],
  );
  return new Map(rows.map((r) => [r.source_key, r.content_hash]));
}

/** Every item column that a clean run determines (ids, run ids and timestamps left out). */
export async function itemDump(): Promise<unknown[]> {
  const { rows } = await pool.query(
    `SELECT dataset, source_key, kind, channel, fiscal_year, agency_code, agency_id, klpd_code, title, vendor_code,
            vendor_name, vendor_npwp, vendor_scale, value::text, pdn_value::text, umk_value::text, is_pdn, is_umk,
            tkdn::text, item_date, status, counted, content_hash, raw, withdrawn_at IS NOT NULL AS withdrawn
     FROM procurement_item ORDER BY dataset, source_key`,
  );
  return rows;
}

/** Every column of every item, as stored: a second identical pull must leave this unchanged. */
export async function fullItemDump(): Promise<unknown[]> {
  return (await pool.query('SELECT * FROM procurement_item ORDER BY id')).rows;
}
