// Exhibitors (providers): the type, the searchable list and the admin mutations.

import { PUBLIC_EVENT_STATUSES } from '../services/events.js';
import * as exhibitors from '../services/exhibitors.js';
import { builder, typedErrors } from './builder.js';
import { cacheable } from './cacheable.js';
import { countedPage, idsAndInput, intId, orderInput, totalCountField, visibility } from './common.js';
import type { Context } from './context.js';
import { Event } from './events.js';

export const ExhibitorScale = builder.enumType('ExhibitorScale', {
  description: 'Business scale of a provider (UMK = micro and small; koperasi = cooperative).',
  values: {
    MICRO: { description: 'Usaha mikro.' },
    SMALL: { description: 'Usaha kecil.' },
    MEDIUM: { description: 'Usaha menengah.' },
    LARGE: { description: 'Usaha besar.' },
    KOPERASI: { description: 'A cooperative (koperasi).' },
  },
});

/** The participations a viewer may see: the public only those in PUBLISHED and DONE events. */
const visibleParticipations = (ctx: Context) =>
  visibility(ctx).includeDrafts ? {} : { event: { status: { in: PUBLIC_EVENT_STATUSES } } };

export const Exhibitor = builder.prismaNode('Exhibitor', {
  description: 'A provider (penyedia) that exhibits at Business Matching events.',
  id: { field: 'id' },
  // Select mode: a query reads only the columns its fields ask for (each field names what it needs).
  select: { id: true },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The business name.' }),
    nib: t.exposeString('nib', {
      nullable: true,
      description: 'Nomor Induk Berusaha (13 digits), when known.',
    }),
    npwp: t.exposeString('npwp', {
      nullable: true,
      authScopes: { analyst: true },
      description: 'Tax number (NPWP), digits only (analysts only).',
    }),
    vendorCode: t.exposeString('vendorCode', {
      nullable: true,
      description: "LKPP's provider code (kd_penyedia): links the exhibitor to procurement vendors.",
    }),
    scale: t.expose('scale', { type: ExhibitorScale, description: 'Business scale.' }),
    sector: t.exposeString('sector', { description: 'Business sector, e.g. Makanan dan Minuman.' }),
    city: t.exposeString('city', { nullable: true, description: 'Where the business is based.' }),
    siinasRegistered: t.exposeBoolean('siinasRegistered', {
      description: 'Whether it has a Siinas (national industry information system) account.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the exhibitor was recorded.' }),
    products: t.relation('products', {
      description: 'The products it offers, by name.',
      deprecationReason: 'Grows with the catalogue: use productsConnection (pages and a total count).',
      query: { orderBy: [{ name: 'asc' }, { id: 'asc' }] },
    }),
    productsConnection: t.relatedConnection(
      'products',
      {
        description: 'The products it offers, by name, as pages.',
        cursor: 'id',
        totalCount: true,
        query: { orderBy: [{ name: 'asc' }, { id: 'asc' }] },
      },
      {
        name: 'ExhibitorProductsConnection',
        description: 'A page of products.',
        fields: (t) => ({ totalCount: t.int(totalCountField) }),
      },
      { description: 'A product and its cursor.' },
    ),
    participations: t.relation('participations', {
      description: 'The (visible) events it took part in, earliest first.',
      deprecationReason: 'Grows with every batch: use participationsConnection (pages and a total count).',
      query: (_args, ctx) => ({
        where: visibleParticipations(ctx),
        orderBy: [{ event: { startDate: 'asc' } }, { id: 'asc' }],
      }),
    }),
    participationsConnection: t.relatedConnection(
      'participations',
      {
        description: 'The (visible) events it took part in, earliest first, as pages.',
        cursor: 'id',
        totalCount: true,
        query: (_args, ctx) => ({
          where: visibleParticipations(ctx),
          orderBy: [{ event: { startDate: 'asc' } }, { id: 'asc' }],
        }),
      },
      {
        name: 'ExhibitorParticipationsConnection',
        description: 'A page of participations.',
        fields: (t) => ({ totalCount: t.int(totalCountField) }),
      },
      { description: 'A participation and its cursor.' },
    ),
    eventsAttended: t.relationCount('participations', {
      description: 'How many (visible) events it took part in.',
      where: (_args, ctx) => visibleParticipations(ctx),
    }),
    deals: t.relatedConnection(
      'deals',
      {
        description: 'Business agreements it signed (analysts only), latest first.',
        authScopes: { analyst: true },
        cursor: 'id',
        totalCount: true,
        query: { orderBy: [{ signedOn: 'desc' }, { id: 'desc' }] },
      },
      ...countedPage('deals', 'A deal'),
    ),
  }),
});

const ExhibitorOrderField = builder.enumType('ExhibitorOrderField', {
  description: 'What to sort exhibitors by.',
  values: {
    NAME: { description: 'The name, alphabetically (case and accents ignored).' },
    CREATED_AT: { description: 'When the exhibitor was recorded.' },
  },
});

const ExhibitorOrder = orderInput('ExhibitorOrder', 'exhibitors', ExhibitorOrderField);

const ExhibitorFilter = builder.inputType('ExhibitorFilter', {
  description: 'Conditions an exhibitor must meet; all given conditions apply.',
  fields: (t) => ({
    search: t.string({
      description: 'Part of the name; case and accents are ignored ("kopi" finds "KOPI Énak").',
    }),
    scales: t.field({ type: [ExhibitorScale], description: 'Only exhibitors of one of these scales.' }),
    sector: t.string({ description: 'Only exhibitors of this sector (exact, case ignored).' }),
    siinasRegistered: t.boolean({
      description: 'Only exhibitors with (true) or without (false) a Siinas account.',
    }),
    attendedEvents: t.globalIDList({
      for: Event,
      description: 'Only exhibitors that took part in at least one of these events.',
    }),
    minEventsAttended: t.int({ description: 'Only exhibitors that took part in at least this many events.' }),
    minProductTkdn: t.float({
      description: 'Only exhibitors with at least one product whose TKDN (percent) is at least this.',
    }),
  }),
});

type ExhibitorFilterArg = typeof ExhibitorFilter.$inferInput | null | undefined;

function toFilter(filter: ExhibitorFilterArg): exhibitors.ExhibitorFilter {
  return {
    search: filter?.search,
    scales: filter?.scales,
    sector: filter?.sector,
    siinasRegistered: filter?.siinasRegistered,
    attendedEventIds: filter?.attendedEvents?.map(intId),
    minEventsAttended: filter?.minEventsAttended,
    minProductTkdn: filter?.minProductTkdn,
  };
}

builder.queryField('exhibitors', (t) =>
  t.prismaConnection(
    {
      extensions: cacheable,
      type: 'Exhibitor',
      cursor: 'id',
      description: 'Exhibitors, by name by default, with search and filters. Readable by everyone.',
      args: {
        filter: t.arg({ type: ExhibitorFilter, description: 'Only exhibitors meeting these conditions.' }),
        orderBy: t.arg({ type: ExhibitorOrder, description: 'The sort order (default: NAME ASC).' }),
      },
      totalCount: (_connection, args, ctx) =>
        exhibitors.countExhibitors(toFilter(args.filter), visibility(ctx)),
      resolve: (query, _parent, args, ctx) =>
        exhibitors.listExhibitors(
          query,
          toFilter(args.filter),
          { field: args.orderBy?.field ?? 'NAME', direction: args.orderBy?.direction ?? 'ASC' },
          visibility(ctx),
        ),
    },
    ...countedPage('exhibitors', 'An exhibitor'),
  ),
);

// ---------------------------------------------------------------- admin mutations

const CreateExhibitorInput = builder.inputType('CreateExhibitorInput', {
  description: 'A new exhibitor.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The business name (at most 200 characters).' }),
    nib: t.string({ description: 'Nomor Induk Berusaha: 13 digits, unique.' }),
    npwp: t.string({ description: 'Tax number: 15 or 16 digits (dots and dashes are ignored).' }),
    vendorCode: t.string({ description: "LKPP's provider code, when known." }),
    scale: t.field({ type: ExhibitorScale, required: true, description: 'Business scale.' }),
    sector: t.string({ required: true, description: 'Business sector.' }),
    city: t.string({ description: 'Where the business is based.' }),
    siinasRegistered: t.boolean({ description: 'Whether it has a Siinas account (default false).' }),
  }),
});

const UpdateExhibitorInput = builder.inputType('UpdateExhibitorInput', {
  description: 'Changes to an exhibitor; fields left out keep their value, null clears optional ones.',
  fields: (t) => ({
    name: t.string({ description: 'A new name.' }),
    nib: t.string({ description: 'A new NIB (13 digits, unique); null clears it.' }),
    npwp: t.string({ description: 'A new NPWP; null clears it.' }),
    vendorCode: t.string({ description: 'A new LKPP provider code; null clears it.' }),
    scale: t.field({ type: ExhibitorScale, description: 'A new scale.' }),
    sector: t.string({ description: 'A new sector.' }),
    city: t.string({ description: 'A new city; null clears it.' }),
    siinasRegistered: t.boolean({ description: 'Whether it has a Siinas account.' }),
  }),
});

builder.mutationField('createExhibitor', (t) =>
  t.field({
    type: Exhibitor,
    description: 'Records a new exhibitor (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The created exhibitor.'),
    args: { input: t.arg({ type: CreateExhibitorInput, required: true, description: 'The exhibitor.' }) },
    resolve: (_root, { input }) => exhibitors.createExhibitor(input),
  }),
);

builder.mutationField('updateExhibitor', (t) =>
  t.field({
    type: Exhibitor,
    description: 'Changes an exhibitor (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The updated exhibitor.'),
    args: {
      id: t.arg.id({ required: true, description: 'The exhibitor.' }),
      input: t.arg({ type: UpdateExhibitorInput, required: true, description: 'The changes.' }),
    },
    resolve: (_root, { id, input }) =>
      exhibitors.updateExhibitor(
        idsAndInput({ id: ['Exhibitor', id] }, exhibitors.updateExhibitorInput, input).id,
        input,
      ),
  }),
);
