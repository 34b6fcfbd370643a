// Participations: an exhibitor registered at an event, with a booth; and the admin mutations.

import { PUBLIC_EVENT_STATUSES } from '../services/events.js';
import * as participations from '../services/participations.js';
import { builder, typedErrors } from './builder.js';
import { nonEmptyQuery, rowId, rowIds, visibility } from './common.js';
import type { Context } from './context.js';
import { restrictNodes } from './node.js';

/** The participations a viewer may see: the public sees those of PUBLISHED and DONE events only. */
const visibleParticipations = (ctx: Context) =>
  visibility(ctx).includeDrafts ? {} : { event: { status: { in: PUBLIC_EVENT_STATUSES } } };
restrictNodes('Participation', visibleParticipations);

export const Participation = builder.prismaNode('Participation', {
  description: 'An exhibitor taking part in an event.',
  id: { field: 'id' },
  // Select mode: a query reads only the columns its fields ask for (each field names what it needs).
  select: { id: true },
  findUnique: (id, ctx) => ({ id: Number(id), ...visibleParticipations(ctx) }),
  fields: (t) => ({
    booth: t.exposeString('booth', { nullable: true, description: 'The booth, e.g. "A-12", when assigned.' }),
    registeredAt: t.expose('registeredAt', {
      type: 'DateTime',
      description: 'When the exhibitor was registered.',
    }),
    event: t.relation('event', { description: 'The event.' }),
    exhibitor: t.relation('exhibitor', { description: 'The exhibitor.' }),
  }),
});

builder.mutationField('registerExhibitor', (t) =>
  t.field({
    type: Participation,
    description:
      'Registers an exhibitor at an event that is not cancelled; registering the same pair twice is a ConflictError (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The registration.'),
    args: {
      eventId: t.arg.id({ required: true, description: 'The event.' }),
      exhibitorId: t.arg.id({ required: true, description: 'The exhibitor.' }),
      booth: t.arg.string({ description: 'The booth, unique within the event (at most 30 characters).' }),
    },
    resolve: (_root, args) => {
      const ids = rowIds({ eventId: ['Event', args.eventId], exhibitorId: ['Exhibitor', args.exhibitorId] });
      return participations.registerExhibitor(ids.eventId, ids.exhibitorId, args.booth);
    },
  }),
);

builder.mutationField('updateParticipation', (t) =>
  t.field({
    type: Participation,
    description: "Changes a registration's booth; null clears it (admins only).",
    authScopes: { admin: true },
    errors: typedErrors('The updated registration.'),
    args: {
      id: t.arg.id({ required: true, description: 'The registration.' }),
      booth: t.arg.string({ description: 'The booth, unique within the event.' }),
    },
    resolve: (_root, args) => participations.updateParticipation(rowId('Participation', args.id), args.booth),
  }),
);

builder.mutationField('unregisterExhibitor', (t) =>
  t.prismaField({
    type: 'Participation',
    description: 'Removes a registration (admins only). Deals recorded at the event are kept.',
    authScopes: { admin: true },
    errors: typedErrors('The removed registration, as it was.'),
    args: { id: t.arg.id({ required: true, description: 'The registration.' }) },
    // The answer is read before the delete, with the selection's relations.
    resolve: (query, _root, args) =>
      participations.unregisterExhibitor(rowId('Participation', args.id), nonEmptyQuery(query)),
  }),
);
