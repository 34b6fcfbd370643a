// The events list is read by the select reader (src/lib/select-reader.ts): one statement whose
// relations PostgreSQL builds as JSON. Its rows must be Prisma's rows: the same query objects
// answered by both deep-equal, over HTTP the answers equal those of a query Prisma answers, and
// anything it does not translate goes to Prisma unchanged.
import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { pool, prisma } from '../../src/lib/db.js';
import { readMany, relationKeys, translate } from '../../src/lib/select-reader.js';
import { type EventFilter, eventOrderBy, eventWhere, type Visibility } from '../../src/services/events.js';
import { makeEvent, makeExhibitor, makeProduct, register } from '../factories/data.js';
import { apiTestFile } from '../helpers/api-file.js';
import { recordStatements } from '../helpers/sql-count.js';

const day = (d: string) => new Date(`${d}T00:00:00Z`);

const { api, keys } = apiTestFile({
  seed: async () => {
    const exhibitors = [
      await makeExhibitor({ name: 'CV Alpha', city: 'Jakarta Timur' }),
      await makeExhibitor({ name: 'PT Beta', city: null, npwp: '012345678901234' }),
      await makeExhibitor({ name: 'UD Gamma', city: 'Bekasi' }),
    ];
    await makeProduct(exhibitors[0]!.id, { name: 'Kopi', tkdn: '45.50' });
    await makeProduct(exhibitors[0]!.id, { name: 'Kopi', tkdn: '99.99' });
    await makeProduct(exhibitors[0]!.id, { name: 'Batik', tkdn: '0.00' });
    // Two events on the same first day: the id breaks the tie, in the page and at a cursor.
    const events = [
      await makeEvent({
        year: 2040,
        batchNumber: 1,
        title: 'Batch Satu',
        startDate: day('2040-03-02'),
        endDate: day('2040-03-05'),
        status: 'DONE',
        description: 'Pameran produk dalam negeri',
      }),
      await makeEvent({
        year: 2040,
        batchNumber: 2,
        title: 'Batch Dua',
        venue: 'JIExpo',
        startDate: day('2040-03-02'),
        endDate: day('2040-03-03'),
        status: 'PUBLISHED',
      }),
      await makeEvent({
        year: 2040,
        batchNumber: 3,
        title: 'Batch Draf',
        startDate: day('2040-01-10'),
        endDate: day('2040-01-12'),
        status: 'DRAFT',
      }),
      await makeEvent({
        year: 2041,
        batchNumber: 1,
        title: 'Batch Batal',
        startDate: day('2041-06-01'),
        endDate: day('2041-06-02'),
        status: 'CANCELLED',
      }),
      await makeEvent({
        year: 2041,
        batchNumber: 2,
        title: 'Batch Kosong',
        startDate: day('2041-07-01'),
        endDate: day('2041-07-04'),
        status: 'PUBLISHED',
      }),
    ];
    // Registered out of id order against the events' order, booths null and set.
    await register(events[1]!.id, exhibitors[2]!.id, 'C-3');
    await register(events[0]!.id, exhibitors[1]!.id, null);
    await register(events[0]!.id, exhibitors[0]!.id, 'A-1');
    await register(events[2]!.id, exhibitors[0]!.id, 'D-1');
    await register(events[3]!.id, exhibitors[0]!.id, 'X-1');
    await register(events[1]!.id, exhibitors[0]!.id, 'B-1');
    await prisma.session.createMany({
      data: [
        {
          eventId: events[0]!.id,
          kind: 'OPENING',
          topic: 'Pembukaan',
          startsAt: new Date('2040-03-02T02:00:00Z'),
          endsAt: new Date('2040-03-02T03:00:00Z'),
        },
        {
          eventId: events[0]!.id,
          kind: 'SHOWCASE',
          topic: 'Pameran',
          startsAt: new Date('2040-03-02T01:00:00.123Z'),
          endsAt: new Date('2040-03-02T05:00:00Z'),
          location: 'Hall A',
        },
      ],
    });
  },
});

const PUBLIC: Visibility = { includeDrafts: false };
const ANALYST: Visibility = { includeDrafts: true };

/** Query objects as Pothos hands them to the events resolver (captured from the graph's pages). */
const PAGE = {
  take: 21,
  skip: 0,
  select: {
    participations: {
      orderBy: { id: 'asc' },
      select: { exhibitor: { select: { id: true, name: true, city: true } }, id: true, booth: true },
    },
    id: true,
    title: true,
    venue: true,
    startDate: true,
  },
};

const DEEP = {
  take: 3,
  skip: 0,
  select: {
    sessions: {
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
      select: { id: true, topic: true, startsAt: true, location: true, kind: true, cancelled: true },
    },
    participations: {
      orderBy: { id: 'asc' },
      select: {
        exhibitor: {
          select: {
            products: {
              orderBy: [{ name: 'asc' }, { id: 'asc' }],
              select: { id: true, tkdn: true, name: true },
            },
            participations: {
              where: { event: { status: { in: ['PUBLISHED', 'DONE'] } } },
              orderBy: [{ event: { startDate: 'asc' } }, { id: 'asc' }],
              select: { event: { select: { id: true, title: true, startDate: true } }, id: true },
            },
            id: true,
            npwp: true,
            city: true,
            createdAt: true,
          },
        },
        id: true,
        registeredAt: true,
        booth: true,
      },
    },
    id: true,
    description: true,
    endDate: true,
    status: true,
    updatedAt: true,
    year: true,
    batchNumber: true,
  },
};

/** The reader's rows, failing the test if it would leave `args` to Prisma. */
function ours(args: Record<string, unknown>, model = 'Event'): Promise<unknown[]> {
  return readMany<unknown>(model, args, () => {
    throw new Error('the reader left the query to Prisma');
  });
}

/** Both readers on the same arguments, as listEvents builds them. */
async function both(
  query: object,
  filter: EventFilter,
  v: Visibility,
  order = eventOrderBy('START_DATE', 'ASC'),
) {
  const args = { ...query, where: eventWhere(filter, v), orderBy: order };
  return { ours: await ours(args), prismas: await prisma.event.findMany(args as never) };
}

describe('the select reader against Prisma', () => {
  const filters: [string, EventFilter][] = [
    ['no filter', {}],
    ['a year', { year: 2040 }],
    ['a batch number and statuses', { batchNumber: 2, statuses: ['PUBLISHED', 'CANCELLED'] }],
    ['a date range', { from: '2040-03-04', to: '2041-06-01' }],
    ['search words, case ignored', { search: 'batch SATU' }],
    ['a search in the description', { search: 'pameran' }],
    ['nothing matching', { search: 'tidak-ada' }],
  ];
  for (const [name, filter] of filters) {
    for (const [who, v] of [
      ['the public', PUBLIC],
      ['an analyst', ANALYST],
    ] as const) {
      it(`answers the page and the deep query as Prisma does: ${name}, for ${who}`, async () => {
        for (const query of [PAGE, DEEP]) {
          const { ours, prismas } = await both(query, filter, v);
          expect(ours).toStrictEqual(prismas);
        }
      });
    }
  }

  it('gives dates as Date, decimals as Prisma.Decimal, nulls as null, relations in their declared order', async () => {
    const { ours, prismas } = await both(DEEP, { year: 2040 }, ANALYST);
    expect(ours).toStrictEqual(prismas);
    const [first] = ours as unknown as Array<{
      endDate: Date;
      sessions: { startsAt: Date; topic: string; location: string | null }[];
      participations: {
        booth: string | null;
        exhibitor: { city: string | null; products: { tkdn: unknown; name: string }[] };
      }[];
    }>;
    expect(first!.endDate).toEqual(day('2040-01-12'));
    expect(first!.sessions).toEqual([]);
    const satu = (ours as unknown as (typeof first)[]).find((e) => e!.sessions.length === 2)!;
    expect(satu.sessions.map((s) => [s.topic, s.startsAt.toISOString(), s.location])).toEqual([
      ['Pameran', '2040-03-02T01:00:00.123Z', 'Hall A'],
      ['Pembukaan', '2040-03-02T02:00:00.000Z', null],
    ]);
    expect(satu.participations.map((p) => [p.booth, p.exhibitor.city])).toEqual([
      [null, null],
      ['A-1', 'Jakarta Timur'],
    ]);
    const products = satu.participations[1]!.exhibitor.products;
    expect(products.map((p) => [p.name, String(p.tkdn)])).toEqual([
      ['Batik', '0'],
      ['Kopi', '45.5'],
      ['Kopi', '99.99'],
    ]);
  });

  it('orders by every order the graph offers, both ways, as Prisma does', async () => {
    for (const field of ['START_DATE', 'BATCH_NUMBER', 'TITLE'] as const) {
      for (const direction of ['ASC', 'DESC'] as const) {
        const { ours, prismas } = await both(PAGE, {}, ANALYST, eventOrderBy(field, direction));
        expect(ours).toStrictEqual(prismas);
        expect(ours!.length).toBe(5);
      }
    }
  });

  it('pages after a cursor as Prisma does, also at a tie, past the end and at a row the viewer cannot see', async () => {
    const all = await prisma.event.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    const ids = [...all.map((e) => e.id), 999_999];
    for (const id of ids) {
      for (const v of [PUBLIC, ANALYST]) {
        for (const order of [
          eventOrderBy('START_DATE', 'ASC'),
          eventOrderBy('TITLE', 'DESC'),
          eventOrderBy('BATCH_NUMBER', 'ASC'),
        ]) {
          const { ours, prismas } = await both({ ...PAGE, take: 2, skip: 1, cursor: { id } }, {}, v, order);
          expect(ours).toStrictEqual(prismas);
        }
      }
    }
  });

  it('answers empty pages and a zero take as Prisma does', async () => {
    for (const query of [
      { ...PAGE, take: 0 },
      { ...PAGE, skip: 10 },
    ]) {
      const { ours, prismas } = await both(query, {}, ANALYST);
      expect(ours).toEqual([]);
      expect(prismas).toEqual([]);
    }
  });

  it('translates each where operator it accepts as Prisma does, on other models too', async () => {
    const select = {
      id: true,
      name: true,
      city: true,
      npwp: true,
      products: { orderBy: [{ name: 'asc' }, { id: 'asc' }], select: { tkdn: true, name: true } },
      participations: {
        where: { event: { is: { status: 'DONE' } } },
        orderBy: [{ event: { startDate: 'desc' } }, { id: 'desc' }],
        select: { booth: true, event: true },
      },
    };
    const wheres = [
      {},
      { city: null },
      { city: { not: null } },
      { city: { not: 'Bekasi' } },
      { city: { equals: 'Bekasi' } },
      { name: { startsWith: 'CV' } },
      { name: { endsWith: 'BETA', mode: 'insensitive' } },
      { name: { contains: 'a' } },
      { id: { in: [] } },
      { id: { notIn: [] } },
      { scale: { in: ['SMALL', 'LARGE'] } },
      { NOT: [{ city: 'Bekasi' }, { name: 'CV Alpha' }] },
      { NOT: { city: 'Bekasi', name: 'CV Alpha' } },
      { OR: [] },
      { OR: [{ city: 'Bekasi' }, { npwp: { not: null } }] },
      { createdAt: { lte: new Date(), gt: new Date('2000-01-01T00:00:00Z') } },
    ];
    for (const where of wheres) {
      const args = { select, where, orderBy: [{ name: 'desc' }, { id: 'asc' }] };
      expect(await ours(args, 'Exhibitor')).toStrictEqual(await prisma.exhibitor.findMany(args as never));
    }
    const participations = {
      select: { id: true, booth: true, registeredAt: true, exhibitor: { select: { name: true } } },
      where: { event: { status: { in: ['PUBLISHED', 'DONE'] } }, booth: { not: null } },
      orderBy: [{ exhibitor: { name: 'asc' } }, { id: 'asc' }],
      take: 3,
      skip: 1,
    };
    expect(await ours(participations, 'Participation')).toStrictEqual(
      await prisma.participation.findMany(participations as never),
    );
  });

  it('gives Json values and big integers as Prisma does', async () => {
    const values = [{ a: 1, nested: { b: [1, 'x', null] } }, [1, 2.5], 'text', 12.5, true];
    for (const [i, args] of values.entries()) {
      await prisma.kpiSavedView.create({
        data: { id: `view-${i}`, name: `View ${i}`, kind: 'SUMMARY', args, pinnedVersion: i % 2 ? i : null },
      });
    }
    const views = {
      select: { id: true, args: true, pinnedVersion: true, createdAt: true, kind: true },
      orderBy: { id: 'asc' },
    };
    const read = await ours(views, 'KpiSavedView');
    expect(read).toStrictEqual(await prisma.kpiSavedView.findMany(views as never));
    expect(read.map((v) => (v as { args: unknown }).args)).toEqual(values);
    await prisma.contentVersion.upsert({
      where: { id: true },
      create: { id: true, version: 9_007_199_254_740_993n },
      update: { version: 9_007_199_254_740_993n },
    });
    const versions = { select: { id: true, version: true, changedAt: true }, orderBy: { id: 'asc' } };
    const version = await ours(versions, 'ContentVersion');
    expect(version).toStrictEqual(await prisma.contentVersion.findMany(versions as never));
    expect(version).toEqual([expect.objectContaining({ version: 9_007_199_254_740_993n })]);
  });

  it('gives an absent to-one relation as null and a present one as its row, at every depth, as Prisma does', async () => {
    const root = await prisma.agency.create({ data: { code: 'SR-ROOT', name: 'Root', kind: 'PROVINCE' } });
    const child = await prisma.agency.create({
      data: { code: 'SR-CHILD', name: 'Child', parentId: root.id },
    });
    await prisma.agency.create({ data: { code: 'SR-LEAF', name: 'Leaf', parentId: child.id } });
    const agencies = {
      select: {
        code: true,
        parent: { select: { code: true, createdAt: true, parent: { select: { code: true, kind: true } } } },
        children: { orderBy: { code: 'asc' }, select: { code: true, parent: { select: { name: true } } } },
      },
      where: { code: { startsWith: 'SR-' } },
      orderBy: { code: 'asc' },
    };
    const read = await ours(agencies, 'Agency');
    expect(read).toStrictEqual(await prisma.agency.findMany(agencies as never));
    expect(read.map((a) => (a as { parent: { code: string } | null }).parent?.code ?? null)).toEqual([
      'SR-ROOT',
      'SR-CHILD',
      null,
    ]);
  });

  it('leaves to Prisma what it does not translate: counts, includes, backward pages, unordered relations', () => {
    const args = { where: {}, orderBy: eventOrderBy('START_DATE', 'ASC') };
    const declined = [
      { ...PAGE, select: { ...PAGE.select, _count: { select: { participations: true } } } },
      { include: { participations: true } },
      { ...PAGE, take: -3 },
      { select: { id: true, deals: { select: { id: true } } } },
      { select: { id: true, participations: { take: 2, orderBy: { id: 'asc' }, select: { id: true } } } },
      { ...PAGE, distinct: ['title'] },
    ];
    for (const query of declined) expect(translate('Event', { ...query, ...args })).toBeUndefined();
    // A to-many filter, a decimal comparison, a cursor under a relation's order.
    const exhibitors = { select: { id: true }, orderBy: { id: 'asc' } };
    expect(
      translate('Exhibitor', { ...exhibitors, where: { participations: { some: {} } } }),
    ).toBeUndefined();
    expect(translate('Product', { ...exhibitors, where: { tkdn: { gt: 50 } } })).toBeUndefined();
    expect(
      translate('Participation', {
        ...exhibitors,
        orderBy: [{ exhibitor: { name: 'asc' } }, { id: 'asc' }],
        cursor: { id: 1 },
      }),
    ).toBeUndefined();
    expect(translate('Event', { ...PAGE, where: {} })).toBeUndefined();
    expect(translate('Event', { ...PAGE, ...args })).toBeDefined();
  });

  it('joins each relation on the foreign key the database declares', async () => {
    const { rows } = await pool.query<{ child: string; column: string; parent: string; key: string }>(`
      SELECT format('"%s"."%s"', cn.nspname, c.relname) AS child, a.attname AS column,
             format('"%s"."%s"', pn.nspname, p.relname) AS parent, pa.attname AS key
      FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
      JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace
      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
      WHERE k.contype = 'f' AND cardinality(k.conkey) = 1`);
    const declared = new Set(rows.map((r) => `${r.child}.${r.column} -> ${r.parent}.${r.key}`));
    const keys = relationKeys();
    expect(keys.length).toBeGreaterThan(20);
    for (const k of keys) {
      // The side that holds the foreign key is the parent when it names its own column.
      const [fromTable, fromColumn, toTable, toColumn] = declared.has(
        `${k.table}.${k.parentColumn} -> ${k.target}.${k.targetColumn}`,
      )
        ? [k.table, k.parentColumn, k.target, k.targetColumn]
        : [k.target, k.targetColumn, k.table, k.parentColumn];
      expect(`${k.model}.${k.field}: ${fromTable}.${fromColumn} -> ${toTable}.${toColumn}`).toBe(
        `${k.model}.${k.field}: ${[...declared].find((d) => d === `${fromTable}.${fromColumn} -> ${toTable}.${toColumn}`) ?? 'no such foreign key'}`,
      );
    }
  });
});

const PAGE_DOC = `query ($filter: EventFilter, $orderBy: EventOrder, $after: String) {
  events(first: 20, filter: $filter, orderBy: $orderBy, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { title venue startDate participations { booth exhibitor { name city } } } }
  }
}`;
// The same page with a count, which the reader leaves to Prisma: the reference answer.
const PRISMA_DOC = PAGE_DOC.replace('participations {', 'exhibitorCount participations {');

async function page(doc: string, variables: Record<string, unknown>, key?: string) {
  const statements: string[] = [];
  const stop = recordStatements(statements);
  const res = await api.gql(doc, variables, key);
  stop();
  expect(res.errors).toBeUndefined();
  // An API key's check reads and stamps its key: not the page's reads.
  return { res, statements: statements.filter((s) => !s.includes('"api_key"')) };
}

describe('the events page over HTTP', () => {
  it('is one statement, the reader’s, and answers what Prisma answers, for each viewer, filter, order and cursor', async () => {
    const cursors = [undefined, Buffer.from('Event:id:2').toString('base64')];
    for (const key of [undefined, keys.analyst, keys.admin]) {
      for (const filter of [{}, { year: 2040 }, { search: 'batch' }, { statuses: ['DRAFT', 'DONE'] }]) {
        for (const orderBy of [undefined, { field: 'TITLE', direction: 'DESC' }]) {
          for (const after of cursors) {
            const variables = { filter, orderBy, after };
            const ours = await page(PAGE_DOC, variables, key);
            expect(ours.statements).toHaveLength(1);
            expect(ours.statements[0]).toContain('json_agg(');
            const reference = await page(PRISMA_DOC, variables, key);
            expect(reference.statements.some((s) => s.includes('json_agg('))).toBe(false);
            for (const edge of reference.res.data.events.edges) delete edge.node.exhibitorCount;
            expect(ours.res.data).toEqual(reference.res.data);
          }
        }
      }
    }
  });

  it('sends the page as a named statement, the same name each time, so a connection prepares it once', async () => {
    const names: Array<string | undefined> = [];
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function namingQuery(this: pg.Client, ...args: unknown[]) {
      const [first] = args;
      const text = typeof first === 'string' ? first : (first as { text?: string })?.text;
      if (text?.includes('json_agg(')) names.push((first as { name?: string }).name);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original;
    try {
      await api.gql(PAGE_DOC, { filter: { year: 2040 } });
      await api.gql(PAGE_DOC, { filter: { year: 2040 } });
    } finally {
      pg.Client.prototype.query = original;
    }
    expect(names).toHaveLength(2);
    expect(names[0]).toMatch(/^select-reader:\d+$/);
    expect(names[1]).toBe(names[0]);
  });

  it('shows the public no draft or cancelled event, and an analyst all five', async () => {
    const titles = async (key?: string) =>
      (await page(PAGE_DOC, {}, key)).res.data.events.edges.map(
        (e: { node: { title: string } }) => e.node.title,
      );
    expect(await titles()).toEqual(['Batch Satu', 'Batch Dua', 'Batch Kosong']);
    expect(await titles(keys.analyst)).toEqual([
      'Batch Draf',
      'Batch Satu',
      'Batch Dua',
      'Batch Batal',
      'Batch Kosong',
    ]);
  });

  it('still answers a backward page, which Prisma reads', async () => {
    const res = await api.gql(`{ events(last: 2) { edges { node { title } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.events.edges.map((e: { node: { title: string } }) => e.node.title)).toEqual([
      'Batch Dua',
      'Batch Kosong',
    ]);
  });
});
