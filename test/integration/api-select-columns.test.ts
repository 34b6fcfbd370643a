// Lists read only the columns a query asks for (Pothos Prisma select mode), never whole rows:
// statements are recorded at the pg driver while the real server answers the events page.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb } from '../../src/lib/db.js';
import { type Api, startApi } from '../factories/api.js';
import { makeEvent, makeExhibitor, makeProduct, register } from '../factories/data.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';
import { recordStatements } from '../helpers/sql-count.js';

let api: Api;

beforeAll(async () => {
  await createTestDatabase();
  const event = await makeEvent({
    year: 2035,
    batchNumber: 1,
    startDate: new Date(Date.UTC(2035, 0, 1)),
    endDate: new Date(Date.UTC(2035, 0, 4)),
  });
  const exhibitor = await makeExhibitor();
  await makeProduct(exhibitor.id);
  await register(event.id, exhibitor.id, 'B-1');
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

/** The text inside the parentheses that open at `open`, and the index past the closing one. */
function group(sql: string, open: number): { inner: string; end: number } {
  let depth = 0;
  let quoted = false;
  for (let i = open; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'") quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    if (c === ')' && --depth === 0) return { inner: sql.slice(open + 1, i), end: i + 1 };
  }
  throw new Error(`unbalanced parentheses in ${sql}`);
}

/** `text` split at its commas outside parentheses and quotes. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** `text` without its parenthesised subqueries. */
function withoutSubqueries(text: string): string {
  let out = text;
  for (let at = out.indexOf('(SELECT '); at >= 0; at = out.indexOf('(SELECT ')) {
    out = out.slice(0, at) + out.slice(group(out, at).end);
  }
  return out;
}

/**
 * The columns each statement sends back, by table: a statement's own select list and, for the
 * relations read in the same statement (Prisma's relationJoins, or the select reader's), the
 * columns each JSONB_BUILD_OBJECT / json_build_object / json_build_array packs. Columns a
 * statement only filters, orders or joins on are not sent, so not counted.
 */
async function columnsRead(query: string) {
  const statements: string[] = [];
  const stop = recordStatements(statements);
  const res = await api.gql(query);
  stop();
  expect(res.errors).toBeUndefined();
  // Every statement is one this parser reads: none escapes the check.
  for (const sql of statements) expect(sql).toMatch(/^\s*SELECT .*? FROM "public"\."\w+"/s);
  const read: Record<string, string[]> = {};
  const add = (table: string, column: string) => {
    read[table] = [...(read[table] ?? []), column].sort();
  };
  for (const sql of statements) {
    // The statement's own FROM: the first outside the subqueries of its select list.
    const head = /^\s*SELECT /.exec(sql)![0].length;
    const rest = withoutSubqueries(sql.slice(head));
    const select = /^(.*?) FROM "public"\."(\w+)"(?: AS "(\w+)")?/s.exec(rest);
    if (!select) continue;
    const [, list, table, alias] = select as unknown as [string, string, string, string | undefined];
    if (!alias) {
      // One statement per table: its columns are named "public"."table"."column".
      for (const m of list.matchAll(/"public"\."(\w+)"\."(\w+)"/g)) if (m[1] === table) add(table, m[2]!);
      continue;
    }
    // Joined: aliases name tables, directly or through a subquery that selects a table's rows.
    const tables = new Map<string, string>();
    for (const m of sql.matchAll(/(?:FROM|JOIN) "public"\."(\w+)" AS "(\w+)"/g)) tables.set(m[2]!, m[1]!);
    for (const m of sql.matchAll(/\(SELECT "(\w+)"\.\* FROM "public"\."\w+" AS "\1"[^()]*\) AS "(\w+)"/g)) {
      tables.set(m[2]!, tables.get(m[1]!)!);
    }
    for (const m of list.matchAll(/"(\w+)"\."(\w+)"/g)) if (m[1] === alias) add(table, m[2]!);
    for (const built of sql.matchAll(/JSONB?_BUILD_(OBJECT|ARRAY)\(/gi)) {
      const args = topLevelParts(group(sql, built.index + built[0].length - 1).inner);
      // An object's arguments alternate key and value; an array's are all values.
      const values = built[1]!.toUpperCase() === 'OBJECT' ? args.filter((_, i) => i % 2 === 1) : args;
      for (const v of values) {
        const m = /^"(\w+)"\."(\w+)"(?:::\w+)?$/.exec(v);
        const owner = m && tables.get(m[1]!);
        if (owner) add(owner, m[2]!);
      }
    }
  }
  return { res, read, statements };
}

describe('the events page', () => {
  it('reads only the columns its fields ask for from events, participations and exhibitors', async () => {
    const { res, read, statements } = await columnsRead(`{ events(first: 20) {
      edges { node { title venue startDate participations { booth exhibitor { name city } } } }
    } }`);
    expect(res.data.events.edges[0].node.participations[0]).toMatchObject({ booth: 'B-1' });
    expect(read.event).toEqual(['id', 'start_date', 'title', 'venue']);
    // The page is the select reader's one statement. The event and exhibitor ids are the joins'
    // conditions: PostgreSQL matches them and sends nothing of them back.
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('json_agg(');
    expect(read.participation).toEqual(['booth', 'id']);
    expect(read.exhibitor).toEqual(['city', 'id', 'name']);
  });

  it('reads the columns a computed field names (a product’s TKDN) and no others', async () => {
    const { res, read } = await columnsRead(
      `{ exhibitors(first: 5) { edges { node { products { tkdn } } } } }`,
    );
    expect(typeof res.data.exhibitors.edges[0].node.products[0].tkdn).toBe('number');
    expect(read.product).toEqual(['id', 'tkdn']);
  });
});
