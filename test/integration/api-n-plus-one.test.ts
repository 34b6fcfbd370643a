// Nested reads never run one query per row: SQL statements are counted at the pg driver (every
// statement any pooled connection sends) while the real server answers a nested query for 5 and
// for 50 events; the count must not grow with the list.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDb, prisma } from '../../src/lib/db.js';
import { type Api, startApi } from '../factories/api.js';
import { makeEvent, makeExhibitor, makeProduct, register } from '../factories/data.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';
import { recordStatements } from '../helpers/sql-count.js';

let api: Api;
const statements: string[] = [];
let stopRecording = () => {};

beforeAll(async () => {
  await createTestDatabase();
  for (let i = 1; i <= 50; i++) {
    const event = await makeEvent({
      year: 2035,
      batchNumber: i,
      startDate: new Date(Date.UTC(2035, 0, i)),
      endDate: new Date(Date.UTC(2035, 0, i + 3)),
    });
    for (let j = 0; j < 3; j++) {
      const exhibitor = await makeExhibitor();
      await makeProduct(exhibitor.id);
      await makeProduct(exhibitor.id);
      await register(event.id, exhibitor.id, `B-${j}`);
    }
  }
  api = await startApi();
  // Every statement of every connection in this process passes through Client#query.
  stopRecording = recordStatements(statements);
});
afterAll(async () => {
  stopRecording();
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

const NESTED = `query ($first: Int) {
  events(first: $first, filter: { year: 2035 }) {
    totalCount
    edges { node {
      title
      exhibitorCount
      sessions { topic }
      participations { booth exhibitor { name scale eventsAttended products { name tkdn } } }
    } }
  }
}`;

async function countFor(first: number) {
  statements.length = 0;
  const res = await api.gql(NESTED, { first });
  const sent = [...statements];
  return { res, sent };
}

describe('a nested query (events -> participations -> exhibitors -> products)', () => {
  it('runs the same number of SQL statements for 5 and for 50 events', async () => {
    const five = await countFor(5);
    const fifty = await countFor(50);

    // The answers are complete, so the counts measure real work.
    expect(five.res.errors).toBeUndefined();
    expect(fifty.res.errors).toBeUndefined();
    const events = fifty.res.data.events.edges;
    expect(events).toHaveLength(50);
    const participations = events.flatMap(
      (e: { node: { participations: unknown[] } }) => e.node.participations,
    );
    expect(participations).toHaveLength(150);
    const products = participations.flatMap(
      (p: { exhibitor: { products: unknown[] } }) => p.exhibitor.products,
    );
    expect(products).toHaveLength(300);
    expect(five.res.data.events.edges).toHaveLength(5);

    expect(five.sent.length).toBeGreaterThan(0);
    expect(fifty.sent.length).toBe(five.sent.length);
    // One statement per level (events, sessions, participations, exhibitors, products), the
    // counts, and the total: a small constant.
    expect(fifty.sent.length).toBeLessThanOrEqual(10);
  });

  it('counts real statements: a query per event would show up in the count', async () => {
    statements.length = 0;
    const rows = await prisma.event.findMany({ where: { year: 2035 }, take: 5, select: { id: true } });
    for (const row of rows) await prisma.participation.findMany({ where: { eventId: row.id } });
    expect(statements.length).toBe(1 + rows.length);
  });
});
