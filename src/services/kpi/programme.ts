// Business Matching programme KPIs: events held, exhibitors (unique, new per batch), deals, and
// conversion: exhibitors that later appear as vendors in the procurement feed, and for how much.
import { createHash } from 'node:crypto';
import type { Event } from '../../generated/prisma/client.js';
import { jakartaToday } from '../../lib/dates.js';
import { pool, prisma } from '../../lib/db.js';
import { type Cents, Percent, toCents } from './numbers.js';
import { checkYear } from './read.js';

/**
 * Raw SQL: per-batch distinct counts with a first-ever-participation window, and the conversion
 * match (vendor code or NPWP, on or after the exhibitor's first batch), which Prisma cannot
 * express. The match looks items up through their vendor_code and vendor_npwp indexes, one
 * exhibitor at a time, so its cost follows the exhibitors' own items, not the item count.
 */
const HELD = `
SELECT id FROM event
WHERE year = $1 AND (status = 'DONE' OR (status = 'PUBLISHED' AND end_date < $2::date))`;

const BATCHES = `
WITH held AS (${HELD}),
first_ever AS (
  SELECT p.exhibitor_id, min(e.start_date) AS first_date
  FROM participation p JOIN event e ON e.id = p.event_id
  WHERE e.status = 'DONE' OR (e.status = 'PUBLISHED' AND e.end_date < $2::date)
  GROUP BY 1
)
SELECT e.id AS event_id,
  count(DISTINCT p.exhibitor_id)::int AS exhibitors,
  count(DISTINCT p.exhibitor_id) FILTER (WHERE f.first_date = e.start_date)::int AS new_exhibitors,
  (SELECT count(*)::int FROM deal d WHERE d.event_id = e.id) AS deal_count,
  (SELECT coalesce(sum(d.value), 0)::text FROM deal d WHERE d.event_id = e.id) AS deal_value
FROM event e
JOIN held h ON h.id = e.id
LEFT JOIN participation p ON p.event_id = e.id
LEFT JOIN first_ever f ON f.exhibitor_id = p.exhibitor_id
GROUP BY e.id`;

const NORMAL_NPWP = `CASE WHEN length(regexp_replace(x.npwp, '\\D', '', 'g')) = 15
  THEN '0' || regexp_replace(x.npwp, '\\D', '', 'g') ELSE regexp_replace(x.npwp, '\\D', '', 'g') END`;

/** A procurement item `i` that counts for exhibitor `x`: counted realisation, its vendor code or NPWP. */
const MATCH = `(i.kind = 'REALISATION' AND i.counted AND NOT i.superseded AND i.withdrawn_at IS NULL
    AND (i.vendor_code = x.vendor_code OR i.vendor_npwp = ${NORMAL_NPWP}))`;

const CONVERSION = `
WITH held AS (${HELD}),
joined AS (
  SELECT p.exhibitor_id, min(e.start_date) AS first_date,
    (array_agg(e.id ORDER BY e.start_date, e.id))[1] AS first_event_id
  FROM participation p JOIN event e ON e.id = p.event_id JOIN held h ON h.id = e.id
  GROUP BY 1
)
SELECT j.exhibitor_id, j.first_event_id,
  (x.vendor_code IS NOT NULL OR x.npwp IS NOT NULL) AS matchable,
  m.items, m.value, m.pdn_value
FROM joined j
JOIN exhibitor x ON x.id = j.exhibitor_id
LEFT JOIN LATERAL (
  SELECT count(*)::int AS items, coalesce(sum(i.value), 0)::text AS value,
    coalesce(sum(i.pdn_value), 0)::text AS pdn_value
  FROM procurement_item i
  WHERE ${MATCH} AND i.item_date >= j.first_date
) m ON true`;

/** The items of one converted exhibitor `x` (from its first batch `e`), as CONVERSION counts them. */
const CONVERTED_ITEMS = `
SELECT i.id, to_char(i.item_date, 'YYYY-MM-DD') AS item_date, i.channel::text AS channel, i.agency_id,
  i.title, i.value::text AS value, i.pdn_value::text AS pdn_value
FROM exhibitor x
JOIN event e ON e.id = $2
JOIN procurement_item i ON ${MATCH} AND i.item_date >= e.start_date
WHERE x.id = $1
ORDER BY i.item_date, i.id`;

export interface ProgrammeBatch {
  event: Event;
  exhibitors: number;
  /** Exhibitors taking part in a held event for the first time ever. */
  newExhibitors: number;
  returningExhibitors: number;
  dealCount: number;
  dealValue: Cents;
  /** Of the exhibitors whose first batch of the year this was: how many converted, for how much. */
  convertedExhibitors: number;
  convertedValue: Cents;
}

/** One converted exhibitor: its first batch of the year and its matching procurement. */
export interface ConvertedExhibitor {
  exhibitorId: number;
  firstEventId: number;
  items: number;
  value: Cents;
  pdnValue: Cents;
}

export interface Conversion {
  /** Unique exhibitors of the year's held events. */
  exhibitors: number;
  /** Of them, those with a vendor code or NPWP to match on. */
  matchable: number;
  /** Exhibitors with at least one counted procurement on or after their first batch. */
  converted: number;
  rate: Percent | null;
  items: number;
  value: Cents;
  pdnValue: Cents;
  /** The converted exhibitors behind the figures, largest value first (ties by exhibitor id). */
  members: ConvertedExhibitor[];
  /**
   * The version of the member list: a digest of the year and its members, so it moves whenever an
   * item, a participation or an event changes who converted or for how much.
   */
  version: string;
}

export interface ProgrammeKpis {
  year: number;
  /** The date events were judged held on (Asia/Jakarta today). */
  asOf: string;
  eventsHeld: number;
  uniqueExhibitors: number;
  dealCount: number;
  dealValue: Cents;
  batches: ProgrammeBatch[];
  conversion: Conversion;
}

/**
 * An event counts as held when it is DONE, or PUBLISHED and its last day has passed. Conversion
 * matches exhibitor.vendor_code = item.vendor_code or the exhibitor's NPWP (digits, 15 → 16) =
 * item.vendor_npwp, over counted, not withdrawn realisation items dated on or after the first day
 * of the exhibitor's first batch of the year; each matching item counts once.
 */
export async function programmeKpis(year: number, today = jakartaToday()): Promise<ProgrammeKpis> {
  checkYear(year);
  const [batchRows, conversionRows] = await Promise.all([
    pool.query<{
      event_id: number;
      exhibitors: number;
      new_exhibitors: number;
      deal_count: number;
      deal_value: string;
    }>(BATCHES, [year, today]),
    pool.query<{
      exhibitor_id: number;
      first_event_id: number;
      matchable: boolean;
      items: number;
      value: string;
      pdn_value: string;
    }>(CONVERSION, [year, today]),
  ]);
  const events = await prisma.event.findMany({
    where: { id: { in: batchRows.rows.map((r) => r.event_id) } },
    orderBy: [{ startDate: 'asc' }, { batchNumber: 'asc' }],
  });
  const converted = conversionRows.rows.filter((r) => r.items > 0);
  const batches = events.map((event): ProgrammeBatch => {
    const row = batchRows.rows.find((r) => r.event_id === event.id)!;
    const mine = converted.filter((r) => r.first_event_id === event.id);
    return {
      event,
      exhibitors: row.exhibitors,
      newExhibitors: row.new_exhibitors,
      returningExhibitors: row.exhibitors - row.new_exhibitors,
      dealCount: row.deal_count,
      dealValue: toCents(row.deal_value),
      convertedExhibitors: mine.length,
      convertedValue: mine.reduce((sum, r) => sum + toCents(r.value), 0n),
    };
  });
  const unique = conversionRows.rows.length;
  const members: ConvertedExhibitor[] = converted
    .map((r) => ({
      exhibitorId: r.exhibitor_id,
      firstEventId: r.first_event_id,
      items: r.items,
      value: toCents(r.value),
      pdnValue: toCents(r.pdn_value),
    }))
    .sort((a, b) => (a.value === b.value ? a.exhibitorId - b.exhibitorId : a.value > b.value ? -1 : 1));
  return {
    year,
    asOf: today,
    eventsHeld: events.length,
    uniqueExhibitors: unique,
    dealCount: batches.reduce((n, b) => n + b.dealCount, 0),
    dealValue: batches.reduce((sum, b) => sum + b.dealValue, 0n),
    batches,
    conversion: {
      exhibitors: unique,
      matchable: conversionRows.rows.filter((r) => r.matchable).length,
      converted: converted.length,
      rate: Percent.of(BigInt(converted.length), BigInt(unique)),
      items: converted.reduce((n, r) => n + r.items, 0),
      value: converted.reduce((sum, r) => sum + toCents(r.value), 0n),
      pdnValue: converted.reduce((sum, r) => sum + toCents(r.pdn_value), 0n),
      members,
      version: conversionVersion(year, members),
    },
  };
}

function conversionVersion(year: number, members: ConvertedExhibitor[]): string {
  const hash = createHash('sha256').update(String(year));
  for (const m of members)
    hash.update(`|${m.exhibitorId}:${m.firstEventId}:${m.items}:${m.value}:${m.pdnValue}`);
  return hash.digest('base64url').slice(0, 16);
}

/** One procurement item behind a converted exhibitor. */
export interface ConvertedItem {
  id: number;
  /** The converted exhibitor and its first batch, whose match the item is. */
  exhibitorId: number;
  firstEventId: number;
  itemDate: string;
  channel: string;
  agencyId: number | null;
  title: string | null;
  /** Null: unknown at the source. */
  value: Cents | null;
  pdnValue: Cents | null;
}

/** The items behind one converted exhibitor, date order, and the version of that list. */
export async function convertedItems(
  member: Pick<ConvertedExhibitor, 'exhibitorId' | 'firstEventId'>,
): Promise<{ items: ConvertedItem[]; version: string }> {
  const { rows } = await pool.query<{
    id: number;
    item_date: string;
    channel: string;
    agency_id: number | null;
    title: string | null;
    value: string | null;
    pdn_value: string | null;
  }>(CONVERTED_ITEMS, [member.exhibitorId, member.firstEventId]);
  const items = rows.map((r) => ({
    id: r.id,
    exhibitorId: member.exhibitorId,
    firstEventId: member.firstEventId,
    itemDate: r.item_date,
    channel: r.channel,
    agencyId: r.agency_id,
    title: r.title,
    value: r.value === null ? null : toCents(r.value),
    pdnValue: r.pdn_value === null ? null : toCents(r.pdn_value),
  }));
  const hash = createHash('sha256').update(`${member.exhibitorId}:${member.firstEventId}`);
  for (const item of items) hash.update(`|${item.id}:${item.value}:${item.pdnValue}`);
  return { items, version: hash.digest('base64url').slice(0, 16) };
}
