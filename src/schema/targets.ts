// Fiscal targets: per year and agency, the official PDN commitment and the share targets.

import * as targets from '../services/targets.js';
import { Agency } from './agencies.js';
import { builder, typedErrors } from './builder.js';
import { cacheable } from './cacheable.js';
import { idsAndInput, intId } from './common.js';

export const FiscalTarget = builder.prismaNode('FiscalTarget', {
  description: 'The commitment and targets of one agency for one fiscal year.',
  id: { field: 'id' },
  fields: (t) => ({
    fiscalYear: t.exposeInt('fiscalYear', { description: 'The fiscal year.' }),
    agency: t.relation('agency', { description: 'The agency.' }),
    officialCommitment: t.expose('officialCommitment', {
      type: 'Money',
      nullable: true,
      description: 'The official PDN commitment in rupiah (Komitmen Aksi Afirmasi BBI), when set.',
    }),
    pdnShareTarget: t.float({
      description: 'Target PDN share of procurement, percent (e.g. 95).',
      select: { pdnShareTarget: true },
      resolve: (row) => row.pdnShareTarget.toNumber(),
    }),
    umkShareTarget: t.float({
      description: 'Target UMK-Koperasi share of procurement, percent (e.g. 40).',
      select: { umkShareTarget: true },
      resolve: (row) => row.umkShareTarget.toNumber(),
    }),
    note: t.exposeString('note', { nullable: true, description: 'A note, e.g. the source of the figure.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it was last changed.' }),
  }),
});

builder.queryField('fiscalTargets', (t) =>
  t.prismaField({
    extensions: cacheable,
    type: ['FiscalTarget'],
    description: 'Commitments and targets, by year then agency. Readable by everyone.',
    args: {
      fiscalYear: t.arg.int({ description: 'Only this fiscal year.' }),
      agencies: t.arg.globalIDList({ for: Agency, description: 'Only these agencies.' }),
    },
    resolve: (query, _root, args) =>
      targets.listFiscalTargets(query, { fiscalYear: args.fiscalYear, agencyIds: args.agencies?.map(intId) }),
  }),
);

const SetFiscalTargetInput = builder.inputType('SetFiscalTargetInput', {
  description: 'Targets for one agency and year; fields left out keep their value.',
  fields: (t) => ({
    fiscalYear: t.int({ required: true, description: 'The fiscal year (2000-2100).' }),
    officialCommitment: t.field({
      type: 'Money',
      description: 'The official PDN commitment in rupiah (not negative, 2 decimals); null clears it.',
    }),
    pdnShareTarget: t.float({ description: 'Target PDN share, percent 0-100 (default 95 for a new row).' }),
    umkShareTarget: t.float({ description: 'Target UMK share, percent 0-100 (default 40 for a new row).' }),
    note: t.string({ description: 'A note; null or empty clears it.' }),
  }),
});

builder.mutationField('setFiscalTarget', (t) =>
  t.field({
    type: FiscalTarget,
    description: 'Sets the commitment and share targets of an agency for a year (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The targets as now stored.'),
    args: {
      agencyId: t.arg.id({ required: true, description: 'The agency.' }),
      input: t.arg({ type: SetFiscalTargetInput, required: true, description: 'The targets.' }),
    },
    resolve: (_root, args) =>
      targets.setFiscalTarget(
        idsAndInput({ agencyId: ['Agency', args.agencyId] }, targets.setFiscalTargetInput, args.input)
          .agencyId,
        args.input,
      ),
  }),
);
