// Sessions: the activities within an event, and their admin mutations.

import { jakartaDate } from '../lib/dates.js';
import { PUBLIC_EVENT_STATUSES } from '../services/events.js';
import * as sessions from '../services/sessions.js';
import { builder, typedErrors } from './builder.js';
import { idsAndInput, rowId, visibility } from './common.js';
import type { Context } from './context.js';
import { restrictNodes } from './node.js';

export const SessionKind = builder.enumType('SessionKind', {
  description: 'The kind of activity.',
  values: {
    OPENING: { description: 'Opening ceremony.' },
    SOSIALISASI: { description: 'Information session on P3DN and procurement rules.' },
    BIMBINGAN_TEKNIS: { description: 'Technical guidance for providers (e.g. e-katalog listing).' },
    CONSULTATION: { description: 'One-to-one consultations between agencies and exhibitors.' },
    SIINAS_REGISTRATION: { description: 'Help registering small industry on Siinas.' },
    SHOWCASE: { description: 'Product showcase (e.g. a vocational school, SMK).' },
    OTHER: { description: 'Any other activity.' },
  },
});

/** The sessions a viewer may see: the public sees those of PUBLISHED and DONE events only. */
const visibleSessions = (ctx: Context) =>
  visibility(ctx).includeDrafts ? {} : { event: { status: { in: PUBLIC_EVENT_STATUSES } } };
restrictNodes('Session', visibleSessions);

export const Session = builder.prismaNode('Session', {
  description: 'An activity within an event: a talk, a guidance session, consultations, a showcase.',
  id: { field: 'id' },
  // Select mode: a query reads only the columns its fields ask for (each field names what it needs).
  select: { id: true },
  findUnique: (id, ctx) => ({ id: Number(id), ...visibleSessions(ctx) }),
  fields: (t) => ({
    kind: t.expose('kind', { type: SessionKind, description: 'What kind of activity it is.' }),
    topic: t.exposeString('topic', { description: 'The topic or title.' }),
    startsAt: t.expose('startsAt', { type: 'DateTime', description: 'When it starts.' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', description: 'When it ends.' }),
    day: t.field({
      type: 'Date',
      description: 'The Asia/Jakarta calendar day on which it starts.',
      select: { startsAt: true },
      resolve: (session) => jakartaDate(session.startsAt),
    }),
    location: t.exposeString('location', { nullable: true, description: 'The room or hall, when known.' }),
    cancelled: t.exposeBoolean('cancelled', { description: 'Whether the session was called off.' }),
    event: t.relation('event', { description: 'The event the session belongs to.' }),
  }),
});

const CreateSessionInput = builder.inputType('CreateSessionInput', {
  description: 'A new session of an event.',
  fields: (t) => ({
    kind: t.field({ type: SessionKind, required: true, description: 'What kind of activity it is.' }),
    topic: t.string({ required: true, description: 'The topic (at most 300 characters).' }),
    startsAt: t.field({
      type: 'DateTime',
      required: true,
      description: "Start; on one of the event's days.",
    }),
    endsAt: t.field({ type: 'DateTime', required: true, description: 'End; after the start.' }),
    location: t.string({ description: 'The room or hall.' }),
  }),
});

const UpdateSessionInput = builder.inputType('UpdateSessionInput', {
  description: 'Changes to a session; fields left out keep their value.',
  fields: (t) => ({
    kind: t.field({ type: SessionKind, description: 'A new kind.' }),
    topic: t.string({ description: 'A new topic.' }),
    startsAt: t.field({ type: 'DateTime', description: 'A new start.' }),
    endsAt: t.field({ type: 'DateTime', description: 'A new end.' }),
    location: t.string({ description: 'A new location; null or empty clears it.' }),
  }),
});

builder.mutationField('createSession', (t) =>
  t.field({
    type: Session,
    description: 'Adds a session to an event that is not cancelled (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The created session.'),
    args: {
      eventId: t.arg.id({ required: true, description: 'The event.' }),
      input: t.arg({ type: CreateSessionInput, required: true, description: 'The session.' }),
    },
    resolve: (_root, { eventId, input }) =>
      sessions.createSession(
        idsAndInput({ eventId: ['Event', eventId] }, sessions.createSessionInput, input).eventId,
        input,
      ),
  }),
);

builder.mutationField('updateSession', (t) =>
  t.field({
    type: Session,
    description: 'Changes a session (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The updated session.'),
    args: {
      id: t.arg.id({ required: true, description: 'The session.' }),
      input: t.arg({ type: UpdateSessionInput, required: true, description: 'The changes.' }),
    },
    resolve: (_root, { id, input }) =>
      sessions.updateSession(
        idsAndInput({ id: ['Session', id] }, sessions.updateSessionInput, input).id,
        input,
      ),
  }),
);

builder.mutationField('cancelSession', (t) =>
  t.field({
    type: Session,
    description: 'Calls a session off; it stays listed with `cancelled: true` (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The cancelled session.'),
    args: { id: t.arg.id({ required: true, description: 'The session.' }) },
    resolve: (_root, { id }) => sessions.setSessionCancelled(rowId('Session', id), true),
  }),
);

builder.mutationField('publishSession', (t) =>
  t.field({
    type: Session,
    description:
      'Puts a cancelled session back on the programme. A session is visible whenever its event is (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The session, no longer cancelled.'),
    args: { id: t.arg.id({ required: true, description: 'The session.' }) },
    resolve: (_root, { id }) => sessions.setSessionCancelled(rowId('Session', id), false),
  }),
);
