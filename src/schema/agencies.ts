// Agencies (Perangkat Daerah / work units) of the province: the type and its list.

import * as agencies from '../services/agencies.js';
import { builder, typedErrors } from './builder.js';
import { cacheable } from './cacheable.js';
import { countedPage, intId, orderInput } from './common.js';

export const AgencyKind = builder.enumType('AgencyKind', {
  description: 'The kind of work unit.',
  values: {
    PROVINCE: { description: 'The province as a whole (Pemerintah Provinsi).' },
    DINAS: { description: 'An office (dinas).' },
    BADAN: { description: 'An agency (badan).' },
    BIRO: { description: 'A bureau of the regional secretariat (biro).' },
    KOTA_ADMINISTRASI: { description: 'An administrative city or regency.' },
    SEKRETARIAT: { description: 'A secretariat.' },
    RSUD: { description: 'A regional public hospital.' },
    UPT: { description: 'A technical implementation unit.' },
    OTHER: { description: 'Any other unit.' },
  },
});

export const Agency = builder.prismaNode('Agency', {
  description: 'A Perangkat Daerah / work unit (satker) of the province.',
  id: { field: 'id' },
  fields: (t) => ({
    code: t.exposeString('code', { description: "LKPP's work-unit code (kd_satker_str)." }),
    name: t.exposeString('name', { description: 'The name of the unit.' }),
    kind: t.expose('kind', { type: AgencyKind, description: 'The kind of unit.' }),
    klpdCode: t.exposeString('klpdCode', { nullable: true, description: 'The KLPD code, when known.' }),
    numericCode: t.exposeString('numericCode', {
      nullable: true,
      description:
        "master-satker's numeric kd_satker, which Toko Daring and e-Katalog v5 rows carry instead of the code.",
    }),
    active: t.exposeBoolean('active', { description: 'Whether the unit still exists.' }),
    parent: t.relation('parent', { nullable: true, description: 'The unit above it, if any.' }),
    children: t.relation('children', {
      description: 'The units below it, by code.',
      query: { orderBy: { code: 'asc' } },
    }),
    targets: t.relation('targets', {
      description: 'Its commitments and share targets, per fiscal year.',
      query: { orderBy: { fiscalYear: 'asc' } },
    }),
    deals: t.relatedConnection(
      'deals',
      {
        description: 'Business agreements it signed at events (analysts only), latest first.',
        authScopes: { analyst: true },
        cursor: 'id',
        totalCount: true,
        query: { orderBy: [{ signedOn: 'desc' }, { id: 'desc' }] },
      },
      ...countedPage('deals', 'A deal'),
    ),
  }),
});

const AgencyOrderField = builder.enumType('AgencyOrderField', {
  description: 'What to sort agencies by.',
  values: {
    CODE: { description: 'The work-unit code.' },
    NAME: { description: 'The name.' },
  },
});

const AgencyOrder = orderInput('AgencyOrder', 'agencies', AgencyOrderField);

const AgencyFilter = builder.inputType('AgencyFilter', {
  description: 'Conditions an agency must meet; all given conditions apply.',
  fields: (t) => ({
    search: t.string({ description: 'Part of the name or code, case ignored.' }),
    kinds: t.field({ type: [AgencyKind], description: 'Only units of one of these kinds.' }),
    active: t.boolean({ description: 'Only active (true) or inactive (false) units.' }),
  }),
});

type AgencyFilterArg = typeof AgencyFilter.$inferInput | null | undefined;

const toFilter = (f: AgencyFilterArg): agencies.AgencyFilter => ({
  search: f?.search,
  kinds: f?.kinds,
  active: f?.active,
});

builder.queryField('agencies', (t) =>
  t.prismaConnection(
    {
      extensions: cacheable,
      type: 'Agency',
      cursor: 'id',
      description: 'The work units of the province, by code by default. Readable by everyone.',
      args: {
        filter: t.arg({ type: AgencyFilter, description: 'Only agencies meeting these conditions.' }),
        orderBy: t.arg({ type: AgencyOrder, description: 'The sort order (default: CODE ASC).' }),
      },
      totalCount: (_connection, args) => agencies.countAgencies(toFilter(args.filter)),
      resolve: (query, _parent, args) =>
        agencies.listAgencies(query, toFilter(args.filter), {
          field: args.orderBy?.field ?? 'CODE',
          direction: args.orderBy?.direction ?? 'ASC',
        }),
    },
    ...countedPage('agencies', 'An agency'),
  ),
);

const CreateAgencyInput = builder.inputType('CreateAgencyInput', {
  description: 'A work unit the source does not list (yet). Agencies normally come from rup/master-satker.',
  fields: (t) => ({
    code: t.string({ required: true, description: "LKPP's work-unit code (kd_satker_str); unique." }),
    name: t.string({ required: true, description: 'The name of the unit.' }),
    kind: t.field({ type: AgencyKind, description: 'The kind of unit (default OTHER).' }),
    klpdCode: t.string({ description: 'The KLPD code.' }),
    numericCode: t.string({ description: "master-satker's numeric kd_satker, digits." }),
    parentId: t.globalID({ for: Agency, description: 'The unit above it.' }),
  }),
});

builder.mutationField('createAgency', (t) =>
  t.field({
    type: Agency,
    description:
      'Creates an agency (admins only). Items already waiting for its code or numeric code are attributed to ' +
      'it; the KPIs change at the next recompute.',
    authScopes: { admin: true },
    errors: typedErrors('The agency created.'),
    args: { input: t.arg({ type: CreateAgencyInput, required: true, description: 'The agency.' }) },
    resolve: (_root, { input }) =>
      agencies.createAgency({
        code: input.code,
        name: input.name,
        kind: input.kind,
        klpdCode: input.klpdCode,
        numericCode: input.numericCode,
        parentId: input.parentId ? intId(input.parentId) : null,
      }),
  }),
);

builder.mutationField('renameAgency', (t) =>
  t.field({
    type: Agency,
    description:
      'Renames an agency (admins only). A later master-satker import brings back the name the source gives.',
    authScopes: { admin: true },
    errors: typedErrors('The agency renamed.'),
    args: {
      id: t.arg.globalID({ for: Agency, required: true, description: 'The agency.' }),
      name: t.arg.string({ required: true, description: 'The new name.' }),
    },
    resolve: (_root, args) => agencies.renameAgency(intId(args.id), { name: args.name }),
  }),
);
