// Exhibitors, products and registrations over real HTTP: search and filters, ordering, page-size
// bounds, the connections of lists that grow, and each admin mutation's success and validation
// errors.
import { describe, expect, it } from '@jest/globals';
import { loadDemoData } from '../../src/demo/seed.js';
import { prisma } from '../../src/lib/db.js';
import { type GqlResponse, globalId, type Json } from '../factories/api.js';
import { databaseFingerprint, makeEvent, makeExhibitor, makeProduct, register } from '../factories/data.js';
import { apiTestFile } from '../helpers/api-file.js';

const { api, keys } = apiTestFile({ seed: loadDemoData });

const EXHIBITORS = `query ($filter: ExhibitorFilter, $orderBy: ExhibitorOrder, $first: Int, $after: String) {
  exhibitors(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name scale sector siinasRegistered eventsAttended products { tkdn } } }
  }
}`;

type Node = {
  id: string;
  name: string;
  scale: string;
  sector: string;
  siinasRegistered: boolean;
  eventsAttended: number;
  products: { tkdn: number }[];
};
const nodes = (res: GqlResponse): Node[] => res.data.exhibitors.edges.map((e: { node: Node }) => e.node);

describe('exhibitors query', () => {
  it('finds exhibitors by part of the name regardless of case and accents', async () => {
    const x = await makeExhibitor({ name: 'Koperasi Kopi Énak Sejahtera' });
    for (const search of ['kopi enak', 'KOPI ÉNAK', '  énak  sejahtera ']) {
      const res = await api.gql(EXHIBITORS, { filter: { search } });
      expect(nodes(res).map((n) => n.id)).toEqual([globalId('Exhibitor', x.id)]);
    }
    const none = await api.gql(EXHIBITORS, { filter: { search: '100%' } });
    expect(none.data.exhibitors.totalCount).toBe(0);
  });

  it('filters by scale, sector and Siinas registration, with matching totals', async () => {
    const micro = await api.gql(EXHIBITORS, { filter: { scales: ['MICRO', 'KOPERASI'] }, first: 100 });
    expect(micro.data.exhibitors.totalCount).toBe(
      await prisma.exhibitor.count({ where: { scale: { in: ['MICRO', 'KOPERASI'] } } }),
    );
    expect(nodes(micro).every((n) => n.scale === 'MICRO' || n.scale === 'KOPERASI')).toBe(true);

    const sector = await api.gql(EXHIBITORS, {
      filter: { sector: 'kerajinan', siinasRegistered: true },
      first: 100,
    });
    expect(sector.data.exhibitors.totalCount).toBe(
      await prisma.exhibitor.count({ where: { sector: 'Kerajinan', siinasRegistered: true } }),
    );
    expect(sector.data.exhibitors.totalCount).toBeGreaterThan(0);
    expect(nodes(sector).every((n) => n.sector === 'Kerajinan' && n.siinasRegistered)).toBe(true);
  });

  it('filters by events attended: any of given events, or at least N events', async () => {
    const a = await makeEvent();
    const b = await makeEvent();
    const both = await makeExhibitor();
    const onlyA = await makeExhibitor();
    await register(a.id, both.id);
    await register(b.id, both.id);
    await register(a.id, onlyA.id);
    const atA = await api.gql(EXHIBITORS, { filter: { attendedEvents: [globalId('Event', a.id)] } });
    expect(
      nodes(atA)
        .map((n) => n.id)
        .sort(),
    ).toEqual([globalId('Exhibitor', both.id), globalId('Exhibitor', onlyA.id)].sort());
    const atB = await api.gql(EXHIBITORS, { filter: { attendedEvents: [globalId('Event', b.id)] } });
    expect(nodes(atB).map((n) => n.eventsAttended)).toEqual([2]);

    const regulars = await api.gql(EXHIBITORS, { filter: { minEventsAttended: 2 }, first: 100 });
    expect(nodes(regulars).every((n) => n.eventsAttended >= 2)).toBe(true);
    expect(nodes(regulars).map((n) => n.id)).toContain(globalId('Exhibitor', both.id));
    expect(nodes(regulars).map((n) => n.id)).not.toContain(globalId('Exhibitor', onlyA.id));
  });

  it('filters by the minimum TKDN of any product', async () => {
    const res = await api.gql(EXHIBITORS, { filter: { minProductTkdn: 90 }, first: 100 });
    expect(res.data.exhibitors.totalCount).toBe(
      await prisma.exhibitor.count({ where: { products: { some: { tkdn: { gte: 90 } } } } }),
    );
    expect(nodes(res).every((n) => n.products.some((p) => p.tkdn >= 90))).toBe(true);
  });

  it('orders by name (accents ignored) or by creation time, in either direction', async () => {
    const asc = nodes(await api.gql(EXHIBITORS, { first: 20 })).map((n) => n.name);
    const key = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
    expect(asc.map(key)).toEqual([...asc].map(key).sort());
    const desc = nodes(
      await api.gql(EXHIBITORS, { first: 5, orderBy: { field: 'NAME', direction: 'DESC' } }),
    );
    expect(desc.map((n) => key(n.name))).toEqual(
      desc
        .map((n) => key(n.name))
        .sort()
        .reverse(),
    );
    const newest = await makeExhibitor({ name: 'Zulu Terbaru' });
    const byCreated = nodes(
      await api.gql(EXHIBITORS, { first: 1, orderBy: { field: 'CREATED_AT', direction: 'DESC' } }),
    );
    expect(byCreated.map((n) => n.id)).toEqual([globalId('Exhibitor', newest.id)]);
  });

  it('returns 20 by default and at most 100 per page, whatever is asked', async () => {
    const byDefault = await api.gql(EXHIBITORS, {});
    expect(byDefault.data.exhibitors.edges).toHaveLength(20);
    const huge = await api.gql(EXHIBITORS, { first: 1000 });
    expect(huge.data.exhibitors.edges).toHaveLength(100);
    expect(huge.data.exhibitors.pageInfo.hasNextPage).toBe(true);
    expect(huge.data.exhibitors.totalCount).toBeGreaterThan(200);
  });

  it('walks all pages once each, ending on a page without a next page', async () => {
    const total = await prisma.exhibitor.count();
    const seen = new Set<string>();
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: GqlResponse = await api.gql(EXHIBITORS, { first: 100, after });
      for (const n of nodes(res)) seen.add(n.id);
      if (!res.data.exhibitors.pageInfo.hasNextPage) break;
      after = res.data.exhibitors.pageInfo.endCursor;
    }
    expect(seen.size).toBe(total);
  });

  it('shows the public only participations in visible events', async () => {
    const draft = await makeEvent({ status: 'DRAFT' });
    const x = await makeExhibitor();
    await register(draft.id, x.id);
    const query =
      'query ($id: ID!) { node(id: $id) { ... on Exhibitor { eventsAttended participations { id } } } }';
    const id = globalId('Exhibitor', x.id);
    expect((await api.gql(query, { id })).data.node).toEqual({ eventsAttended: 0, participations: [] });
    expect((await api.gql(query, { id }, keys.analyst)).data.node.eventsAttended).toBe(1);
  });
});

// ---------------------------------------------------------------- mutations

const RESULT = '__typename ... on Error { code message field }';
const CREATE = `mutation ($input: CreateExhibitorInput!) { createExhibitor(input: $input) {
  ${RESULT} ... on MutationCreateExhibitorSuccess { data { id name nib npwp scale siinasRegistered } } } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateExhibitorInput!) { updateExhibitor(id: $id, input: $input) {
  ${RESULT} ... on MutationUpdateExhibitorSuccess { data { name city nib } } } }`;

describe('connections of lists that grow', () => {
  type Page = {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string };
    edges: { node: { id: string } }[];
  };

  /** Every id of a connection, walked two at a time, beside the field's total count. */
  async function walk(query: string, pick: (data: Json) => Page, key?: string) {
    const ids: string[] = [];
    let after: string | null = null;
    let total = -1;
    for (let pages = 0; pages < 20; pages++) {
      const res = await api.gql(query, { after }, key);
      expect(res.errors).toBeUndefined();
      const page = pick(res.data);
      total = page.totalCount;
      ids.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return { ids, total };
  }

  it('pages an exhibitor’s products and participations, and an event’s sessions and participations, in the lists’ order', async () => {
    const x = await makeExhibitor();
    for (const name of ['Kopi C', 'Kopi A', 'Kopi B']) await makeProduct(x.id, { name });
    const [early, late, draft] = [
      await makeEvent({ startDate: new Date('2030-02-01'), endDate: new Date('2030-02-04') }),
      await makeEvent({ startDate: new Date('2030-01-01'), endDate: new Date('2030-01-04') }),
      await makeEvent({ status: 'DRAFT' }),
    ];
    for (const e of [early, late, draft]) await register(e.id, x.id);
    for (const hour of ['15', '09', '12'])
      await prisma.session.create({
        data: {
          eventId: early.id,
          kind: 'BIMBINGAN_TEKNIS',
          topic: `Sesi ${hour}`,
          startsAt: new Date(`2030-02-01T${hour}:00:00Z`),
          endsAt: new Date(`2030-02-01T${hour}:30:00Z`),
        },
      });
    const others = await Promise.all([makeExhibitor(), makeExhibitor()]);
    for (const o of others) await register(early.id, o.id);

    const ofExhibitor = (field: string, list: string) => `query ($after: String) {
      node(id: "${globalId('Exhibitor', x.id)}") { ... on Exhibitor {
        ${list} { id }
        ${field}(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } } }`;
    const ofEvent = (field: string, list: string) => `query ($after: String) {
      node(id: "${globalId('Event', early.id)}") { ... on Event {
        ${list} { id }
        ${field}(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } } }`;
    // The public does not see the participation in the draft event; an analyst does.
    for (const [query, field, list, key, count] of [
      [ofExhibitor('productsConnection', 'products'), 'productsConnection', 'products', undefined, 3],
      [
        ofExhibitor('participationsConnection', 'participations'),
        'participationsConnection',
        'participations',
        undefined,
        2,
      ],
      [
        ofExhibitor('participationsConnection', 'participations'),
        'participationsConnection',
        'participations',
        keys.analyst,
        3,
      ],
      [ofEvent('sessionsConnection', 'sessions'), 'sessionsConnection', 'sessions', undefined, 3],
      [
        ofEvent('participationsConnection', 'participations'),
        'participationsConnection',
        'participations',
        undefined,
        3,
      ],
    ] as const) {
      const { ids, total } = await walk(query, (d) => d.node[field], key);
      const listed = (await api.gql(query, { after: null }, key)).data.node[list].map(
        (n: { id: string }) => n.id,
      );
      expect(ids).toEqual(listed);
      expect(total).toBe(listed.length);
      expect(total).toBe(count);
    }
  });
});

describe('createExhibitor and updateExhibitor', () => {
  const input = {
    name: 'UD Batik Cempaka',
    nib: '8120000000001',
    npwp: '01.234.567.8-901.000',
    scale: 'MICRO',
    sector: 'Tekstil dan Seragam',
  };

  it('creates an exhibitor that the name search finds at once', async () => {
    const res = await api.gql(CREATE, { input }, keys.admin);
    expect(res.data.createExhibitor).toMatchObject({
      __typename: 'MutationCreateExhibitorSuccess',
      data: {
        name: 'UD Batik Cempaka',
        nib: '8120000000001',
        npwp: '012345678901000',
        siinasRegistered: false,
      },
    });
    const found = await api.gql(EXHIBITORS, { filter: { search: 'batik cempaka' } });
    expect(nodes(found).map((n) => n.name)).toEqual(['UD Batik Cempaka']);
  });

  it.each([
    ['a NIB that is not 13 digits', { nib: '12345' }, 'input.nib'],
    ['an NPWP of the wrong length', { npwp: '1234' }, 'input.npwp'],
    ['an empty name', { name: ' ' }, 'input.name'],
    ['an empty sector', { sector: '' }, 'input.sector'],
  ])(
    'rejects %s with a ValidationError naming the field and writes nothing',
    async (_what, change, field) => {
      const before = await databaseFingerprint();
      const res = await api.gql(CREATE, { input: { ...input, nib: '8120000000099', ...change } }, keys.admin);
      expect(res.data.createExhibitor).toMatchObject({
        __typename: 'ValidationError',
        code: 'BAD_USER_INPUT',
        field,
      });
      expect(await databaseFingerprint()).toEqual(before);
    },
  );

  it('rejects a NIB another exhibitor has with a ConflictError and writes nothing', async () => {
    const existing = await makeExhibitor();
    const before = await databaseFingerprint();
    const res = await api.gql(CREATE, { input: { ...input, nib: existing.nib } }, keys.admin);
    expect(res.data.createExhibitor).toMatchObject({
      __typename: 'ConflictError',
      code: 'CONFLICT',
      field: 'input.nib',
    });
    expect(await databaseFingerprint()).toEqual(before);
  });

  it('renames an exhibitor and keeps its search form in step', async () => {
    const x = await makeExhibitor({ name: 'CV Lama' });
    const res = await api.gql(
      UPDATE,
      { id: globalId('Exhibitor', x.id), input: { name: 'CV Jaya Ábadi', city: 'Jakarta Utara' } },
      keys.admin,
    );
    expect(res.data.updateExhibitor).toMatchObject({
      data: { name: 'CV Jaya Ábadi', city: 'Jakarta Utara', nib: x.nib },
    });
    expect((await prisma.exhibitor.findUniqueOrThrow({ where: { id: x.id } })).searchName).toBe(
      'cv jaya abadi',
    );
    expect(nodes(await api.gql(EXHIBITORS, { filter: { search: 'jaya abadi' } })).map((n) => n.name)).toEqual(
      ['CV Jaya Ábadi'],
    );
  });

  it('clears an optional field with null and refuses an invalid NIB on update', async () => {
    const x = await makeExhibitor({ city: 'Bekasi' });
    const id = globalId('Exhibitor', x.id);
    expect(
      (await api.gql(UPDATE, { id, input: { city: null } }, keys.admin)).data.updateExhibitor.data.city,
    ).toBeNull();
    const bad = await api.gql(UPDATE, { id, input: { nib: '12345678901234' } }, keys.admin);
    expect(bad.data.updateExhibitor).toMatchObject({ __typename: 'ValidationError', field: 'input.nib' });
  });
});

const CREATE_PRODUCT = `mutation ($exhibitorId: ID!, $input: CreateProductInput!) { createProduct(exhibitorId: $exhibitorId, input: $input) {
  ${RESULT} ... on MutationCreateProductSuccess { data { name tkdn halal ekatalogListed exhibitor { name } } } } }`;

describe('createProduct and updateProduct', () => {
  it('adds a product with an exact TKDN', async () => {
    const x = await makeExhibitor();
    const res = await api.gql(
      CREATE_PRODUCT,
      { exhibitorId: globalId('Exhibitor', x.id), input: { name: 'Kursi rotan', tkdn: 45.67, halal: true } },
      keys.admin,
    );
    expect(res.data.createProduct).toEqual({
      __typename: 'MutationCreateProductSuccess',
      data: {
        name: 'Kursi rotan',
        tkdn: 45.67,
        halal: true,
        ekatalogListed: false,
        exhibitor: { name: x.name },
      },
    });
  });

  it.each([
    ['a TKDN above 100', { tkdn: 100.5 }],
    ['a negative TKDN', { tkdn: -1 }],
    ['a TKDN with 3 decimals', { tkdn: 45.678 }],
  ])('rejects %s with a ValidationError on input.tkdn and writes nothing', async (_what, change) => {
    const x = await makeExhibitor();
    const before = await databaseFingerprint();
    const res = await api.gql(
      CREATE_PRODUCT,
      { exhibitorId: globalId('Exhibitor', x.id), input: { name: 'Meja', ...change } },
      keys.admin,
    );
    expect(res.data.createProduct).toMatchObject({ __typename: 'ValidationError', field: 'input.tkdn' });
    expect(await databaseFingerprint()).toEqual(before);
  });

  it('reports a missing exhibitor with a NotFoundError', async () => {
    const res = await api.gql(
      CREATE_PRODUCT,
      { exhibitorId: globalId('Exhibitor', 999_999), input: { name: 'Meja', tkdn: 40 } },
      keys.admin,
    );
    expect(res.data.createProduct).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('changes the TKDN of a product and accepts the bounds 0 and 100', async () => {
    const x = await makeExhibitor();
    const p = await makeProduct(x.id, { tkdn: '10.00' });
    const update = `mutation ($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) {
      ${RESULT} ... on MutationUpdateProductSuccess { data { tkdn name } } } }`;
    for (const tkdn of [0, 100]) {
      const res = await api.gql(update, { id: globalId('Product', p.id), input: { tkdn } }, keys.admin);
      expect(res.data.updateProduct).toMatchObject({ data: { tkdn, name: p.name } });
    }
    const bad = await api.gql(update, { id: globalId('Product', p.id), input: { tkdn: 101 } }, keys.admin);
    expect(bad.data.updateProduct).toMatchObject({ __typename: 'ValidationError', field: 'input.tkdn' });
  });
});

const REGISTER = `mutation ($eventId: ID!, $exhibitorId: ID!, $booth: String) {
  registerExhibitor(eventId: $eventId, exhibitorId: $exhibitorId, booth: $booth) {
    ${RESULT} ... on MutationRegisterExhibitorSuccess { data { id booth event { id } exhibitor { id } } } } }`;

describe('registerExhibitor, updateParticipation and unregisterExhibitor', () => {
  it('registers an exhibitor at an event with a booth', async () => {
    const event = await makeEvent();
    const x = await makeExhibitor();
    const res = await api.gql(
      REGISTER,
      { eventId: globalId('Event', event.id), exhibitorId: globalId('Exhibitor', x.id), booth: 'C-3' },
      keys.admin,
    );
    expect(res.data.registerExhibitor).toMatchObject({
      __typename: 'MutationRegisterExhibitorSuccess',
      data: {
        booth: 'C-3',
        event: { id: globalId('Event', event.id) },
        exhibitor: { id: globalId('Exhibitor', x.id) },
      },
    });
  });

  it('rejects a second registration of the same exhibitor at the same event and writes nothing', async () => {
    const event = await makeEvent();
    const x = await makeExhibitor();
    await register(event.id, x.id, 'A-1');
    const before = await databaseFingerprint();
    const res = await api.gql(
      REGISTER,
      { eventId: globalId('Event', event.id), exhibitorId: globalId('Exhibitor', x.id), booth: 'A-2' },
      keys.admin,
    );
    expect(res.data.registerExhibitor).toMatchObject({ __typename: 'ConflictError', field: 'exhibitorId' });
    expect(await databaseFingerprint()).toEqual(before);
  });

  it('rejects a booth already taken at the event, and a cancelled event', async () => {
    const event = await makeEvent();
    await register(event.id, (await makeExhibitor()).id, 'A-1');
    const x = await makeExhibitor();
    const taken = await api.gql(
      REGISTER,
      { eventId: globalId('Event', event.id), exhibitorId: globalId('Exhibitor', x.id), booth: 'A-1' },
      keys.admin,
    );
    expect(taken.data.registerExhibitor).toMatchObject({ __typename: 'ConflictError', field: 'booth' });
    const cancelled = await makeEvent({ status: 'CANCELLED' });
    const res = await api.gql(
      REGISTER,
      { eventId: globalId('Event', cancelled.id), exhibitorId: globalId('Exhibitor', x.id) },
      keys.admin,
    );
    expect(res.data.registerExhibitor).toMatchObject({ __typename: 'ConflictError', field: 'eventId' });
  });

  it('moves a registration to another booth and removes it', async () => {
    const event = await makeEvent();
    const p = await register(event.id, (await makeExhibitor()).id, 'A-1');
    const id = globalId('Participation', p.id);
    const moved = await api.gql(
      `mutation ($id: ID!, $booth: String) { updateParticipation(id: $id, booth: $booth) { ${RESULT} ... on MutationUpdateParticipationSuccess { data { booth } } } }`,
      { id, booth: 'B-9' },
      keys.admin,
    );
    expect(moved.data.updateParticipation).toMatchObject({ data: { booth: 'B-9' } });
    const removed = await api.gql(
      `mutation ($id: ID!) { unregisterExhibitor(id: $id) {
        __typename ... on MutationUnregisterExhibitorSuccess { data { booth event { id } } } } }`,
      { id },
      keys.admin,
    );
    expect(removed.data.unregisterExhibitor).toEqual({
      __typename: 'MutationUnregisterExhibitorSuccess',
      data: { booth: 'B-9', event: { id: globalId('Event', event.id) } },
    });
    expect(await prisma.participation.findUnique({ where: { id: p.id } })).toBeNull();
    const again = await api.gql(
      `mutation ($id: ID!) { unregisterExhibitor(id: $id) { ${RESULT} } }`,
      { id },
      keys.admin,
    );
    expect(again.data.unregisterExhibitor).toMatchObject({ __typename: 'NotFoundError' });
  });
});
