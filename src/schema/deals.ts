// Deals: business agreements recorded at events (analysts read them, admins write them).

import * as deals from '../services/deals.js';
import { Agency } from './agencies.js';
import { builder, typedErrors } from './builder.js';
import { cacheable } from './cacheable.js';
import { countedPage, DateRange, idsAndInput, intId, nonEmptyQuery, orderInput, rowId } from './common.js';
import { Event } from './events.js';
import { Exhibitor } from './exhibitors.js';

export const Deal = builder.prismaNode('Deal', {
  description:
    'A business agreement recorded at an event between an agency and an exhibitor (analysts only).',
  authScopes: { analyst: true },
  id: { field: 'id' },
  fields: (t) => ({
    value: t.expose('value', { type: 'Money', description: 'The agreed value in rupiah.' }),
    signedOn: t.expose('signedOn', { type: 'Date', description: 'The day it was signed (Asia/Jakarta).' }),
    description: t.exposeString('description', { nullable: true, description: 'What was agreed.' }),
    event: t.relation('event', { description: 'The event at which it was recorded.' }),
    agency: t.relation('agency', { description: 'The buying agency.' }),
    exhibitor: t.relation('exhibitor', { description: 'The providing exhibitor.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it was last changed.' }),
  }),
});

const DealOrderField = builder.enumType('DealOrderField', {
  description: 'What to sort deals by.',
  values: {
    SIGNED_ON: { description: 'The signing day.' },
    VALUE: { description: 'The value.' },
  },
});

const DealOrder = orderInput('DealOrder', 'deals', DealOrderField);

const DealFilter = builder.inputType('DealFilter', {
  description: 'Conditions a deal must meet; all given conditions apply.',
  fields: (t) => ({
    events: t.globalIDList({ for: Event, description: 'Only deals recorded at one of these events.' }),
    agencies: t.globalIDList({ for: Agency, description: 'Only deals of one of these agencies.' }),
    exhibitors: t.globalIDList({ for: Exhibitor, description: 'Only deals of one of these exhibitors.' }),
    signedOn: t.field({ type: DateRange, description: 'Only deals signed within this range.' }),
    minValue: t.field({ type: 'Money', description: 'Only deals worth at least this.' }),
  }),
});

type DealFilterArg = typeof DealFilter.$inferInput | null | undefined;

function toFilter(filter: DealFilterArg): deals.DealFilter {
  return {
    eventIds: filter?.events?.map(intId),
    agencyIds: filter?.agencies?.map(intId),
    exhibitorIds: filter?.exhibitors?.map(intId),
    signedFrom: filter?.signedOn?.from,
    signedTo: filter?.signedOn?.to,
    minValue: filter?.minValue,
  };
}

builder.queryField('deals', (t) =>
  t.prismaConnection(
    {
      extensions: cacheable,
      type: 'Deal',
      cursor: 'id',
      description: 'Deals, latest first by default (analysts only).',
      authScopes: { analyst: true },
      args: {
        filter: t.arg({ type: DealFilter, description: 'Only deals meeting these conditions.' }),
        orderBy: t.arg({ type: DealOrder, description: 'The sort order (default: SIGNED_ON DESC).' }),
      },
      totalCount: (_connection, args) => deals.countDeals(toFilter(args.filter)),
      resolve: (query, _parent, args) =>
        deals.listDeals(query, toFilter(args.filter), {
          field: args.orderBy?.field ?? 'SIGNED_ON',
          direction: args.orderBy?.direction ?? (args.orderBy ? 'ASC' : 'DESC'),
        }),
    },
    ...countedPage('deals', 'A deal'),
  ),
);

// ---------------------------------------------------------------- admin mutations

const RecordDealInput = builder.inputType('RecordDealInput', {
  description: 'The terms of a new deal.',
  fields: (t) => ({
    value: t.field({
      type: 'Money',
      required: true,
      description: 'The value in rupiah: not negative, at most 2 decimals.',
    }),
    signedOn: t.field({
      type: 'Date',
      required: true,
      description: "The signing day; not before the event's first day.",
    }),
    description: t.string({ description: 'What was agreed.' }),
  }),
});

const UpdateDealInput = builder.inputType('UpdateDealInput', {
  description: 'Changes to a deal; fields left out keep their value.',
  fields: (t) => ({
    value: t.field({ type: 'Money', description: 'A new value: not negative, at most 2 decimals.' }),
    signedOn: t.field({ type: 'Date', description: 'A new signing day.' }),
    description: t.string({ description: 'A new description; null or empty clears it.' }),
  }),
});

builder.mutationField('recordDeal', (t) =>
  t.field({
    type: Deal,
    description:
      'Records a deal at a published or held event, for an exhibitor registered there (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The recorded deal.'),
    args: {
      eventId: t.arg.id({ required: true, description: 'The event.' }),
      agencyId: t.arg.id({ required: true, description: 'The buying agency.' }),
      exhibitorId: t.arg.id({ required: true, description: 'The providing exhibitor.' }),
      input: t.arg({ type: RecordDealInput, required: true, description: 'The terms.' }),
    },
    resolve: (_root, args) =>
      deals.recordDeal(
        idsAndInput(
          {
            eventId: ['Event', args.eventId],
            agencyId: ['Agency', args.agencyId],
            exhibitorId: ['Exhibitor', args.exhibitorId],
          },
          deals.recordDealInput,
          args.input,
        ),
        args.input,
      ),
  }),
);

builder.mutationField('updateDeal', (t) =>
  t.field({
    type: Deal,
    description: 'Changes a deal (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The updated deal.'),
    args: {
      id: t.arg.id({ required: true, description: 'The deal.' }),
      input: t.arg({ type: UpdateDealInput, required: true, description: 'The changes.' }),
    },
    resolve: (_root, args) =>
      deals.updateDeal(
        idsAndInput({ id: ['Deal', args.id] }, deals.updateDealInput, args.input).id,
        args.input,
      ),
  }),
);

builder.mutationField('deleteDeal', (t) =>
  t.prismaField({
    type: 'Deal',
    description: 'Deletes a deal (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The deleted deal, as it was.'),
    args: { id: t.arg.id({ required: true, description: 'The deal.' }) },
    // The answer is read before the delete, with the selection's relations.
    resolve: (query, _root, args) => deals.deleteDeal(rowId('Deal', args.id), nonEmptyQuery(query)),
  }),
);
