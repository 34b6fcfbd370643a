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

/** The columns each statement selects, by table. */
async function columnsRead(query: string) {
  const statements: string[] = [];
  const stop = recordStatements(statements);
  const res = await api.gql(query);
  stop();
  expect(res.errors).toBeUndefined();
  const read: Record<string, string[]> = {};
  for (const sql of statements) {
    const select = /^\s*SELECT (.*?) FROM "public"\."(\w+)"/s.exec(sql);
    if (!select) continue;
    const columns = [...select[1]!.matchAll(/"public"\."(\w+)"\."(\w+)"/g)]
      .filter((m) => m[1] === select[2])
      .map((m) => m[2]!);
    read[select[2]!] = [...(read[select[2]!] ?? []), ...columns].sort();
  }
  return { res, read };
}

describe('the events page', () => {
  it('reads only the columns its fields ask for from events, participations and exhibitors', async () => {
    const { res, read } = await columnsRead(`{ events(first: 20) {
      edges { node { title venue startDate participations { booth exhibitor { name city } } } }
    } }`);
    expect(res.data.events.edges[0].node.participations[0]).toMatchObject({ booth: 'B-1' });
    expect(read.event).toEqual(['id', 'start_date', 'title', 'venue']);
    expect(read.participation).toEqual(['booth', 'event_id', 'exhibitor_id', 'id']);
    expect(read.exhibitor).toEqual(['city', 'id', 'name']);
  });

  it('reads the columns a computed field names (a product’s TKDN) and no others', async () => {
    const { res, read } = await columnsRead(
      `{ exhibitors(first: 5) { edges { node { products { tkdn } } } } }`,
    );
    expect(typeof res.data.exhibitors.edges[0].node.products[0].tkdn).toBe('number');
    expect(read.product).toEqual(['exhibitor_id', 'id', 'tkdn']);
  });
});
