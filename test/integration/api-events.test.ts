// Events and sessions over real HTTP: filters, ordering, pagination edges, node refetch, and each
// admin mutation's success and validation errors (with nothing written on failure).
import { describe, expect, it } from '@jest/globals';
import { loadDemoData } from '../../src/demo/seed.js';
import { prisma } from '../../src/lib/db.js';
import { type GqlResponse, globalId } from '../factories/api.js';
import { databaseFingerprint, makeEvent } from '../factories/data.js';
import { apiTestFile } from '../helpers/api-file.js';

const { api, keys } = apiTestFile({ seed: loadDemoData });

const EVENTS = `query ($filter: EventFilter, $orderBy: EventOrder, $first: Int, $after: String, $last: Int, $before: String) {
  events(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id batchNumber year title venue startDate endDate status } }
  }
}`;

type EventNode = { batchNumber: number; startDate: string; title: string; status: string; id: string };
const batches = (res: GqlResponse): number[] =>
  res.data.events.edges.map((e: { node: EventNode }) => e.node.batchNumber);

describe('events query', () => {
  it('lists the nine 2023 batches earliest first, with totalCount', async () => {
    const res = await api.gql(EVENTS, { filter: { year: 2023 } });
    expect(res.errors).toBeUndefined();
    expect(res.data.events.totalCount).toBe(9);
    expect(batches(res)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('finds batch III of 2023 by batch number: 8-11 May 2023 at Balai Kota', async () => {
    const res = await api.gql(EVENTS, { filter: { year: 2023, batchNumber: 3 } });
    expect(res.data.events.edges.map((e: { node: EventNode }) => e.node)).toEqual([
      expect.objectContaining({
        batchNumber: 3,
        startDate: '2023-05-08',
        endDate: '2023-05-11',
        venue: 'Balai Kota DKI Jakarta',
        status: 'DONE',
      }),
    ]);
  });

  it('filters by a date range, keeping events that overlap it (ends inclusive)', async () => {
    const may = await api.gql(EVENTS, { filter: { dates: { from: '2023-05-01', to: '2023-05-31' } } });
    expect(batches(may)).toEqual([3]);
    const lastDay = await api.gql(EVENTS, { filter: { dates: { from: '2023-05-11', to: '2023-05-11' } } });
    expect(batches(lastDay)).toEqual([3]);
    const dayAfter = await api.gql(EVENTS, { filter: { dates: { from: '2023-05-12', to: '2023-06-11' } } });
    expect(batches(dayAfter)).toEqual([]);
    const openEnded = await api.gql(EVENTS, { filter: { year: 2023, dates: { from: '2023-10-01' } } });
    expect(batches(openEnded)).toEqual([8, 9]);
  });

  it('refuses an impossible date or a search over 200 characters with BAD_USER_INPUT naming the problem', async () => {
    const impossible = await api.gql(EVENTS, { filter: { dates: { from: '2023-02-30' } } });
    expect(impossible.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(impossible.errors?.[0]?.message).toMatch(/YYYY-MM-DD/);
    const long = await api.gql(EVENTS, { filter: { search: 'a'.repeat(201) } });
    expect(long.data?.events ?? null).toBeNull();
    expect(long.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.search' });
    const longest = await api.gql(EVENTS, { filter: { search: 'a'.repeat(200) } });
    expect(longest.errors).toBeUndefined();
  });

  it('filters by status: analysts find drafts, the public gets an empty page for them', async () => {
    const draft = await makeEvent({ status: 'DRAFT', year: 2040, batchNumber: 1 });
    const analyst = await api.gql(EVENTS, { filter: { statuses: ['DRAFT'], year: 2040 } }, keys.analyst);
    expect(analyst.data.events.edges.map((e: { node: EventNode }) => e.node.id)).toEqual([
      globalId('Event', draft.id),
    ]);
    const pub = await api.gql(EVENTS, { filter: { statuses: ['DRAFT'] } });
    expect(pub.data.events).toEqual({
      totalCount: 0,
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      edges: [],
    });
  });

  it('answers a filter that matches nothing with an empty page', async () => {
    const res = await api.gql(EVENTS, { filter: { year: 1999 } });
    expect(res.data.events.totalCount).toBe(0);
    expect(res.data.events.edges).toEqual([]);
    expect(res.data.events.pageInfo.hasNextPage).toBe(false);
  });

  it('orders by start date, batch number or title, in either direction', async () => {
    const f = { year: 2023 };
    expect(
      batches(await api.gql(EVENTS, { filter: f, orderBy: { field: 'START_DATE', direction: 'DESC' } })),
    ).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(
      batches(await api.gql(EVENTS, { filter: f, orderBy: { field: 'BATCH_NUMBER', direction: 'DESC' } })),
    ).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(batches(await api.gql(EVENTS, { filter: f, orderBy: { field: 'BATCH_NUMBER' } }))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    const byTitle = await api.gql(EVENTS, { filter: f, orderBy: { field: 'TITLE' } });
    const titles = byTitle.data.events.edges.map((e: { node: EventNode }) => e.node.title);
    expect(titles).toEqual([...titles].sort());
    expect(batches(byTitle)).toEqual([1, 2, 3, 4, 9, 5, 6, 7, 8]);
  });

  it('pages forward with first/after to a last page without a next page', async () => {
    const f = { year: 2023 };
    const p1 = await api.gql(EVENTS, { filter: f, first: 4 });
    expect(batches(p1)).toEqual([1, 2, 3, 4]);
    expect(p1.data.events.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const p2 = await api.gql(EVENTS, { filter: f, first: 4, after: p1.data.events.pageInfo.endCursor });
    expect(batches(p2)).toEqual([5, 6, 7, 8]);
    expect(p2.data.events.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const p3 = await api.gql(EVENTS, { filter: f, first: 4, after: p2.data.events.pageInfo.endCursor });
    expect(batches(p3)).toEqual([9]);
    expect(p3.data.events.pageInfo).toMatchObject({ hasNextPage: false });
    expect(p3.data.events.totalCount).toBe(9);
  });

  it('pages backward with last/before', async () => {
    const f = { year: 2023 };
    const tail = await api.gql(EVENTS, { filter: f, last: 2 });
    expect(batches(tail)).toEqual([8, 9]);
    expect(tail.data.events.pageInfo).toMatchObject({ hasPreviousPage: true });
    const before = await api.gql(EVENTS, {
      filter: f,
      last: 3,
      before: tail.data.events.pageInfo.startCursor,
    });
    expect(batches(before)).toEqual([5, 6, 7]);
  });

  it('rejects an invalid cursor, a negative page size and before+after together with BAD_USER_INPUT', async () => {
    for (const variables of [
      { after: 'not-a-cursor' },
      { first: -1 },
      { after: 'R1BDOk46MQ==', before: 'R1BDOk46MQ==' },
    ]) {
      const res = await api.gql(EVENTS, variables);
      expect(res.data?.events ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('refetches an event and a session by global id through node and nodes', async () => {
    const event = await prisma.event.findFirstOrThrow({ where: { year: 2023, batchNumber: 9 } });
    const session = await prisma.session.findFirstOrThrow({ where: { eventId: event.id } });
    const res = await api.gql(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { id __typename ... on Event { batchNumber } ... on Session { topic event { batchNumber } } } }`,
      { ids: [globalId('Event', event.id), globalId('Session', session.id)] },
    );
    expect(res.data.nodes).toEqual([
      { id: globalId('Event', event.id), __typename: 'Event', batchNumber: 9 },
      {
        id: globalId('Session', session.id),
        __typename: 'Session',
        topic: session.topic,
        event: { batchNumber: 9 },
      },
    ]);
  });

  it('shows batch 9 with its 18 exhibitors and its sessions in time order, on Jakarta days', async () => {
    const res = await api.gql(`{ events(filter: { year: 2023, batchNumber: 9 }) { edges { node {
      exhibitorCount participations { booth exhibitor { name } } sessions { startsAt day kind } } } } }`);
    const node = res.data.events.edges[0].node;
    expect(node.exhibitorCount).toBe(18);
    expect(node.participations).toHaveLength(18);
    const starts = node.sessions.map((s: { startsAt: string }) => s.startsAt);
    expect(starts).toEqual([...starts].sort());
    for (const s of node.sessions) expect(s.day >= '2023-11-06' && s.day <= '2023-11-09').toBe(true);
  });
});

// ---------------------------------------------------------------- mutations

const CREATE = `mutation ($input: CreateEventInput!) { createEvent(input: $input) {
  __typename
  ... on MutationCreateEventSuccess { data { id year batchNumber title startDate endDate status description } }
  ... on Error { code message field }
  ... on ValidationError { field }
  ... on ConflictError { field }
} }`;

const UPDATE = `mutation ($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) {
  __typename
  ... on MutationUpdateEventSuccess { data { title venue startDate endDate year description } }
  ... on Error { code message field }
  ... on ValidationError { field }
} }`;

const TRANSITION = (name: string) => `mutation ($id: ID!) { ${name}(id: $id) {
  __typename
  ... on Error { code message field }
  ... on ConflictError { field }
} }`;

const valid = {
  batchNumber: 1,
  title: 'Business Matching 2031 Batch I',
  venue: 'Balai Kota',
  startDate: '2031-02-10',
  endDate: '2031-02-13',
};

describe('createEvent', () => {
  it('creates a draft event whose year is that of its first day', async () => {
    const res = await api.gql(CREATE, { input: { ...valid, description: 'Pembukaan' } }, keys.admin);
    expect(res.data.createEvent).toEqual({
      __typename: 'MutationCreateEventSuccess',
      data: expect.objectContaining({
        year: 2031,
        batchNumber: 1,
        status: 'DRAFT',
        startDate: '2031-02-10',
        description: 'Pembukaan',
      }),
    });
    expect(await prisma.event.count({ where: { year: 2031, batchNumber: 1 } })).toBe(1);
  });

  it.each([
    ['an end before the start', { startDate: '2032-03-10', endDate: '2032-03-09' }, 'input.endDate'],
    ['an empty title', { title: '   ' }, 'input.title'],
    ['batch number 0', { batchNumber: 0 }, 'input.batchNumber'],
    ['a venue over 200 characters', { venue: 'x'.repeat(201) }, 'input.venue'],
  ])(
    'rejects %s with a ValidationError naming the field and writes nothing',
    async (_what, change, field) => {
      const before = await databaseFingerprint();
      const res = await api.gql(
        CREATE,
        { input: { ...valid, batchNumber: 5, startDate: '2032-03-10', endDate: '2032-03-12', ...change } },
        keys.admin,
      );
      expect(res.data.createEvent).toMatchObject({
        __typename: 'ValidationError',
        code: 'BAD_USER_INPUT',
        field,
      });
      expect(await databaseFingerprint()).toEqual(before);
    },
  );

  it('rejects a batch number already used that year with a ConflictError and writes nothing', async () => {
    const before = await databaseFingerprint();
    const res = await api.gql(
      CREATE,
      { input: { ...valid, batchNumber: 3, startDate: '2023-12-01', endDate: '2023-12-02' } },
      keys.admin,
    );
    expect(res.data.createEvent).toMatchObject({
      __typename: 'ConflictError',
      code: 'CONFLICT',
      field: 'input.batchNumber',
    });
    expect(await databaseFingerprint()).toEqual(before);
  });

  it('rejects a date that is not a calendar date at the GraphQL layer', async () => {
    const res = await api.gql(CREATE, { input: { ...valid, startDate: '2031-02-30' } }, keys.admin);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('updateEvent', () => {
  it('changes the given fields, keeps the others and clears the description with null', async () => {
    const event = await makeEvent({ status: 'DRAFT', description: 'lama' });
    const res = await api.gql(
      UPDATE,
      {
        id: globalId('Event', event.id),
        input: { title: 'Judul baru', endDate: '2030-05-10', description: null },
      },
      keys.admin,
    );
    expect(res.data.updateEvent).toEqual({
      __typename: 'MutationUpdateEventSuccess',
      data: {
        title: 'Judul baru',
        venue: 'Balai Kota',
        startDate: '2030-05-06',
        endDate: '2030-05-10',
        year: 2030,
        description: null,
      },
    });
  });

  it('rejects a new start after the current end with a ValidationError on endDate and writes nothing', async () => {
    const event = await makeEvent({ status: 'DRAFT' });
    const before = await databaseFingerprint();
    const res = await api.gql(
      UPDATE,
      { id: globalId('Event', event.id), input: { startDate: '2030-06-01' } },
      keys.admin,
    );
    expect(res.data.updateEvent).toMatchObject({ __typename: 'ValidationError', field: 'input.endDate' });
    expect(await databaseFingerprint()).toEqual(before);
  });

  it('refuses to change a finished event (ConflictError) and reports a missing one (NotFoundError)', async () => {
    const done = await makeEvent({ status: 'DONE' });
    const res = await api.gql(UPDATE, { id: globalId('Event', done.id), input: { title: 'x' } }, keys.admin);
    expect(res.data.updateEvent).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    const missing = await api.gql(
      UPDATE,
      { id: globalId('Event', 999_999), input: { title: 'x' } },
      keys.admin,
    );
    expect(missing.data.updateEvent).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('answers an id of another type with a ValidationError inside the result union, naming the argument', async () => {
    const res = await api.gql(UPDATE, { id: globalId('Exhibitor', 1), input: { title: 'x' } }, keys.admin);
    expect(res.errors).toBeUndefined();
    expect(res.data.updateEvent).toMatchObject({
      __typename: 'ValidationError',
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
  });
});

describe('publishEvent, completeEvent and cancelEvent', () => {
  it('move an event DRAFT -> PUBLISHED -> DONE, and refuse steps out of order', async () => {
    const event = await makeEvent({ status: 'DRAFT' });
    const id = globalId('Event', event.id);
    const status = async () => (await prisma.event.findUniqueOrThrow({ where: { id: event.id } })).status;
    expect((await api.gql(TRANSITION('completeEvent'), { id }, keys.admin)).data.completeEvent).toMatchObject(
      {
        __typename: 'ConflictError',
        field: 'id',
      },
    );
    expect((await api.gql(TRANSITION('publishEvent'), { id }, keys.admin)).data.publishEvent.__typename).toBe(
      'MutationPublishEventSuccess',
    );
    expect(await status()).toBe('PUBLISHED');
    expect((await api.gql(TRANSITION('publishEvent'), { id }, keys.admin)).data.publishEvent.__typename).toBe(
      'ConflictError',
    );
    expect(
      (await api.gql(TRANSITION('completeEvent'), { id }, keys.admin)).data.completeEvent.__typename,
    ).toBe('MutationCompleteEventSuccess');
    expect(await status()).toBe('DONE');
    expect((await api.gql(TRANSITION('cancelEvent'), { id }, keys.admin)).data.cancelEvent.__typename).toBe(
      'ConflictError',
    );
    expect(await status()).toBe('DONE');
  });

  it('cancel a published event, which then disappears for the public', async () => {
    const event = await makeEvent({ status: 'PUBLISHED' });
    const id = globalId('Event', event.id);
    const node = 'query ($id: ID!) { node(id: $id) { id } }';
    expect((await api.gql(node, { id })).data.node).toEqual({ id });
    expect((await api.gql(TRANSITION('cancelEvent'), { id }, keys.admin)).data.cancelEvent.__typename).toBe(
      'MutationCancelEventSuccess',
    );
    expect((await api.gql(node, { id })).data.node).toBeNull();
  });
});

// ---------------------------------------------------------------- sessions

const CREATE_SESSION = `mutation ($eventId: ID!, $input: CreateSessionInput!) { createSession(eventId: $eventId, input: $input) {
  __typename
  ... on MutationCreateSessionSuccess { data { id kind topic day startsAt endsAt location cancelled } }
  ... on Error { code message field }
  ... on ValidationError { field }
} }`;

describe('sessions', () => {
  const session = {
    kind: 'BIMBINGAN_TEKNIS',
    topic: 'Bimtek e-Katalog',
    startsAt: '2030-05-07T02:00:00Z',
    endsAt: '2030-05-07T04:00:00Z',
  };

  it('creates a session on an event day, dated in Asia/Jakarta', async () => {
    const event = await makeEvent();
    // 20:00 UTC on the 6th is 03:00 on the 7th in Jakarta.
    const res = await api.gql(
      CREATE_SESSION,
      {
        eventId: globalId('Event', event.id),
        input: {
          ...session,
          startsAt: '2030-05-06T20:00:00Z',
          endsAt: '2030-05-06T22:00:00Z',
          location: 'Ruang 1',
        },
      },
      keys.admin,
    );
    expect(res.data.createSession).toMatchObject({
      __typename: 'MutationCreateSessionSuccess',
      data: {
        kind: 'BIMBINGAN_TEKNIS',
        day: '2030-05-07',
        startsAt: '2030-05-06T20:00:00.000Z',
        location: 'Ruang 1',
        cancelled: false,
      },
    });
  });

  it.each([
    ['an end before its start', { endsAt: '2030-05-07T01:00:00Z' }, 'input.endsAt'],
    ['a start outside the event days (Jakarta time)', { startsAt: '2030-05-05T16:30:00Z' }, 'input.startsAt'],
    ['an empty topic', { topic: '' }, 'input.topic'],
  ])(
    'rejects %s with a ValidationError naming the field and writes nothing',
    async (_what, change, field) => {
      const event = await makeEvent();
      const before = await databaseFingerprint();
      const res = await api.gql(
        CREATE_SESSION,
        { eventId: globalId('Event', event.id), input: { ...session, ...change } },
        keys.admin,
      );
      expect(res.data.createSession).toMatchObject({ __typename: 'ValidationError', field });
      expect(await databaseFingerprint()).toEqual(before);
    },
  );

  it('refuses a session for a cancelled event with a ConflictError', async () => {
    const event = await makeEvent({ status: 'CANCELLED' });
    const res = await api.gql(
      CREATE_SESSION,
      { eventId: globalId('Event', event.id), input: session },
      keys.admin,
    );
    expect(res.data.createSession).toMatchObject({ __typename: 'ConflictError', field: 'eventId' });
  });

  it('updates, cancels and restores a session', async () => {
    const event = await makeEvent();
    const created = await api.gql(
      CREATE_SESSION,
      { eventId: globalId('Event', event.id), input: session },
      keys.admin,
    );
    const id = created.data.createSession.data.id;
    const update = await api.gql(
      `mutation ($id: ID!, $input: UpdateSessionInput!) { updateSession(id: $id, input: $input) {
        ... on MutationUpdateSessionSuccess { data { topic endsAt kind } } ... on ValidationError { field } } }`,
      { id, input: { topic: 'Bimtek lanjutan', endsAt: '2030-05-07T06:00:00Z' } },
      keys.admin,
    );
    expect(update.data.updateSession).toEqual({
      data: { topic: 'Bimtek lanjutan', endsAt: '2030-05-07T06:00:00.000Z', kind: 'BIMBINGAN_TEKNIS' },
    });
    const bad = await api.gql(
      `mutation ($id: ID!, $input: UpdateSessionInput!) { updateSession(id: $id, input: $input) { ... on ValidationError { field } } }`,
      { id, input: { startsAt: '2030-05-07T07:00:00Z' } },
      keys.admin,
    );
    expect(bad.data.updateSession).toEqual({ field: 'input.endsAt' });
    const flag = (name: string) =>
      api.gql(
        `mutation ($id: ID!) { ${name}(id: $id) { ... on Mutation${name[0]!.toUpperCase()}${name.slice(1)}Success { data { cancelled } } } }`,
        { id },
        keys.admin,
      );
    expect((await flag('cancelSession')).data.cancelSession).toEqual({ data: { cancelled: true } });
    expect((await flag('publishSession')).data.publishSession).toEqual({ data: { cancelled: false } });
  });
});
