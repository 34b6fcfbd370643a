// Events (Business Matching batches): the type, its queries and its admin mutations.

import * as events from '../services/events.js';
import { PUBLIC_EVENT_STATUSES } from '../services/events.js';
import { builder, typedErrors } from './builder.js';
import { cacheable } from './cacheable.js';
import {
  countedPage,
  DateRange,
  idsAndInput,
  orderInput,
  rowId,
  totalCountField,
  visibility,
} from './common.js';
import type { Context } from './context.js';
import { restrictNodes } from './node.js';

export const EventStatus = builder.enumType('EventStatus', {
  description: 'Where an event stands. The public sees PUBLISHED and DONE events only.',
  values: {
    DRAFT: { description: 'Being prepared; visible to analysts and admins only.' },
    PUBLISHED: { description: 'Announced; visible to everyone.' },
    DONE: { description: 'Held; visible to everyone.' },
    CANCELLED: { description: 'Called off; visible to analysts and admins only.' },
  },
});

/** The events a viewer may see: the public sees PUBLISHED and DONE events only. */
const visibleEvents = (ctx: Context) =>
  visibility(ctx).includeDrafts ? {} : { status: { in: PUBLIC_EVENT_STATUSES } };
restrictNodes('Event', visibleEvents);

export const Event = builder.prismaNode('Event', {
  description: 'A Business Matching batch: four days of sessions where exhibitors meet agencies.',
  id: { field: 'id' },
  // Select mode: a query reads only the columns its fields ask for (each field names what it needs).
  select: { id: true },
  // node(id:) of an event the viewer may not see answers null, as if it did not exist.
  findUnique: (id, ctx) => ({ id: Number(id), ...visibleEvents(ctx) }),
  fields: (t) => ({
    year: t.exposeInt('year', { description: 'The programme year (of the first day).' }),
    batchNumber: t.exposeInt('batchNumber', { description: 'The batch number within the year (I = 1).' }),
    title: t.exposeString('title', { description: 'The title, e.g. "Business Matching Batch III".' }),
    venue: t.exposeString('venue', { description: 'Where it takes place, e.g. Balai Kota.' }),
    startDate: t.expose('startDate', { type: 'Date', description: 'The first day (Asia/Jakarta).' }),
    endDate: t.expose('endDate', { type: 'Date', description: 'The last day (Asia/Jakarta), inclusive.' }),
    status: t.expose('status', { type: EventStatus, description: 'Draft, published, done or cancelled.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the batch is about.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the event was last changed.' }),
    sessions: t.relation('sessions', {
      description: 'The activities of the event, in time order (cancelled ones included, marked).',
      query: { orderBy: [{ startsAt: 'asc' }, { id: 'asc' }] },
    }),
    sessionsConnection: t.relatedConnection(
      'sessions',
      {
        description:
          'The activities of the event as pages, in time order (cancelled ones included, marked), with a total count.',
        cursor: 'id',
        totalCount: true,
        query: { orderBy: [{ startsAt: 'asc' }, { id: 'asc' }] },
      },
      {
        name: 'EventSessionsConnection',
        description: 'A page of sessions.',
        fields: (t) => ({ totalCount: t.int(totalCountField) }),
      },
      { description: 'A session and its cursor.' },
    ),
    participations: t.relation('participations', {
      description: 'The exhibitors registered at the event, with their booths, in registration order.',
      deprecationReason:
        'Grows with every registration: use participationsConnection (pages and a total count).',
      query: { orderBy: { id: 'asc' } },
    }),
    participationsConnection: t.relatedConnection(
      'participations',
      {
        description:
          'The exhibitors registered at the event, with their booths, in registration order, as pages.',
        cursor: 'id',
        totalCount: true,
        query: { orderBy: { id: 'asc' } },
      },
      {
        name: 'EventParticipationsConnection',
        description: 'A page of participations.',
        fields: (t) => ({ totalCount: t.int(totalCountField) }),
      },
      { description: 'A participation and its cursor.' },
    ),
    exhibitorCount: t.relationCount('participations', {
      description: 'How many exhibitors are registered at the event.',
    }),
    deals: t.relatedConnection(
      'deals',
      {
        description: 'Business agreements recorded at the event (analysts only), largest first.',
        authScopes: { analyst: true },
        cursor: 'id',
        totalCount: true,
        query: { orderBy: [{ value: 'desc' }, { id: 'asc' }] },
      },
      ...countedPage('deals', 'A deal'),
    ),
  }),
});

const EventOrderField = builder.enumType('EventOrderField', {
  description: 'What to sort events by.',
  values: {
    START_DATE: { description: 'The first day.' },
    BATCH_NUMBER: { description: 'The year, then the batch number.' },
    TITLE: { description: 'The title, alphabetically.' },
  },
});

const EventOrder = orderInput('EventOrder', 'events', EventOrderField);

const EventFilter = builder.inputType('EventFilter', {
  description: 'Conditions an event must meet; all given conditions apply.',
  fields: (t) => ({
    year: t.int({ description: 'Only events of this programme year.' }),
    batchNumber: t.int({ description: 'Only the event with this batch number.' }),
    statuses: t.field({
      type: [EventStatus],
      description: 'Only events in one of these statuses (the public never sees DRAFT or CANCELLED).',
    }),
    dates: t.field({
      type: DateRange,
      description: 'Only events that overlap this range of days.',
    }),
    search: t.string({
      description:
        'Words to find in the title, venue or description; case is ignored and every word must appear (at most 10 words, 200 characters).',
    }),
  }),
});

type EventFilterArg = typeof EventFilter.$inferInput | null | undefined;

function toFilter(filter: EventFilterArg): events.EventFilter {
  return {
    year: filter?.year,
    batchNumber: filter?.batchNumber,
    statuses: filter?.statuses,
    from: filter?.dates?.from,
    to: filter?.dates?.to,
    search: filter?.search,
  };
}

builder.queryField('events', (t) =>
  t.prismaConnection(
    {
      extensions: cacheable,
      type: 'Event',
      cursor: 'id',
      description: `Events, earliest first by default. The public sees ${PUBLIC_EVENT_STATUSES.join(' and ')} events; analysts see all.`,
      args: {
        filter: t.arg({ type: EventFilter, description: 'Only events meeting these conditions.' }),
        orderBy: t.arg({ type: EventOrder, description: 'The sort order (default: START_DATE ASC).' }),
      },
      totalCount: (_connection, args, ctx) => events.countEvents(toFilter(args.filter), visibility(ctx)),
      resolve: (query, _parent, args, ctx) =>
        events.listEvents(
          query,
          toFilter(args.filter),
          { field: args.orderBy?.field ?? 'START_DATE', direction: args.orderBy?.direction ?? 'ASC' },
          visibility(ctx),
        ),
    },
    ...countedPage('events', 'An event'),
  ),
);

// ---------------------------------------------------------------- admin mutations

const CreateEventInput = builder.inputType('CreateEventInput', {
  description: 'A new event; it starts as a DRAFT.',
  fields: (t) => ({
    batchNumber: t.int({ required: true, description: 'The batch number, unique within the year (1-99).' }),
    title: t.string({ required: true, description: 'The title (at most 200 characters).' }),
    venue: t.string({ required: true, description: 'The venue (at most 200 characters).' }),
    startDate: t.field({ type: 'Date', required: true, description: 'The first day (Asia/Jakarta).' }),
    endDate: t.field({ type: 'Date', required: true, description: 'The last day; not before startDate.' }),
    description: t.string({ description: 'What the batch is about.' }),
  }),
});

const UpdateEventInput = builder.inputType('UpdateEventInput', {
  description: 'Changes to an event; fields left out keep their value.',
  fields: (t) => ({
    batchNumber: t.int({ description: 'A new batch number, unique within the year.' }),
    title: t.string({ description: 'A new title.' }),
    venue: t.string({ description: 'A new venue.' }),
    startDate: t.field({ type: 'Date', description: 'A new first day.' }),
    endDate: t.field({ type: 'Date', description: 'A new last day; not before the first day.' }),
    description: t.string({ description: 'A new description; null or empty clears it.' }),
  }),
});

builder.mutationField('createEvent', (t) =>
  t.field({
    type: Event,
    description: 'Creates an event as a DRAFT (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The created event.'),
    args: { input: t.arg({ type: CreateEventInput, required: true, description: 'The new event.' }) },
    resolve: (_root, { input }) => events.createEvent(input),
  }),
);

builder.mutationField('updateEvent', (t) =>
  t.field({
    type: Event,
    description: 'Changes a draft or published event (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The updated event.'),
    args: {
      id: t.arg.id({ required: true, description: 'The event to change.' }),
      input: t.arg({ type: UpdateEventInput, required: true, description: 'The changes.' }),
    },
    resolve: (_root, { id, input }) =>
      events.updateEvent(idsAndInput({ id: ['Event', id] }, events.updateEventInput, input).id, input),
  }),
);

const transitions = {
  publishEvent: ['publish', 'Publishes a draft event: everyone can see it (admins only).'],
  completeEvent: ['complete', 'Marks a published event as held (admins only).'],
  cancelEvent: ['cancel', 'Cancels a draft or published event (admins only).'],
} as const;

for (const [name, [action, description]] of Object.entries(transitions)) {
  builder.mutationField(name, (t) =>
    t.field({
      type: Event,
      description,
      authScopes: { admin: true },
      errors: typedErrors('The event in its new status.'),
      args: { id: t.arg.id({ required: true, description: 'The event.' }) },
      resolve: (_root, { id }) => events.transitionEvent(rowId('Event', id), action),
    }),
  );
}
