// kpiBreakdown: a year's realisation split by channel, agency or vendor scale.

import type { KpiBreakdownBy as KpiBreakdownByName } from '../../common/kpi.js';
import { type Breakdown, type BreakdownRow, kpiBreakdown } from '../../services/kpi/kpis.js';
import { Agency } from '../agencies.js';
import { builder } from '../builder.js';
import { cacheable } from '../cacheable.js';
import { valueId } from '../common.js';
import { KpiLocaleEnum, KpiMeasures, KpiProvenance, PERCENT_RULE, pct } from './types.js';

export const KpiBreakdownBy = builder.enumType('KpiBreakdownBy', {
  description: 'How to split realisation.',
  values: {
    CHANNEL: {
      description: 'By procurement channel (tender, non-tender, recorded purchase, e-Katalog, Toko Daring…).',
    },
    AGENCY: {
      description:
        'By agency (work unit), with each agency’s commitment and status; agencies with plans and no realisation ' +
        'included; items of unknown agencies form the row UNATTRIBUTED.',
    },
    VENDOR_SCALE: { description: 'By the vendor’s scale (micro, small, medium, large, koperasi, unknown).' },
  } satisfies Record<KpiBreakdownByName, { description: string }>,
});

const LABELS: Record<string, { id: string; en: string }> = {
  TENDER: { id: 'Tender', en: 'Tender' },
  NON_TENDER: { id: 'Non-tender', en: 'Non-tender' },
  PENCATATAN: { id: 'Pencatatan non-tender', en: 'Recorded purchases' },
  E_KATALOG: { id: 'e-Katalog', en: 'e-Catalogue' },
  TOKO_DARING: { id: 'Toko Daring', en: 'Online shops (Toko Daring)' },
  SWAKELOLA: { id: 'Swakelola', en: 'Self-managed (swakelola)' },
  RUP: { id: 'RUP', en: 'Procurement plans (RUP)' },
  OTHER: { id: 'Lainnya', en: 'Other' },
  MICRO: { id: 'Usaha mikro', en: 'Micro' },
  SMALL: { id: 'Usaha kecil', en: 'Small' },
  MEDIUM: { id: 'Usaha menengah', en: 'Medium' },
  LARGE: { id: 'Usaha besar', en: 'Large' },
  KOPERASI: { id: 'Koperasi', en: 'Cooperative' },
  UNKNOWN: { id: 'Tidak diketahui', en: 'Unknown' },
  UNATTRIBUTED: { id: 'Satker tidak dikenal', en: 'Unknown agency' },
};

const KpiBreakdownRow = builder.objectRef<BreakdownRow>('KpiBreakdownRow').implement({
  description:
    'The realisation of one channel, agency or vendor scale. By AGENCY a row also carries the agency’s own ' +
    'commitment, attainment, targets and status (as agencyRanking); by CHANNEL or VENDOR_SCALE there is no ' +
    'commitment (attainment is null).',
  interfaces: [KpiMeasures],
  fields: (t) => ({
    id: t.id(valueId('KpiBreakdownRow')),
    key: t.exposeString('key', {
      description:
        'The channel or vendor scale (enum name), or the agency code (UNATTRIBUTED for unknown agencies).',
    }),
    label: t.string({
      description: 'A name for readers.',
      args: {
        locale: t.arg({ type: KpiLocaleEnum, defaultValue: 'id', description: 'The locale (default ID).' }),
      },
      resolve: (row, args) =>
        row.agency?.name ?? LABELS[row.key]?.[args.locale === 'en' ? 'en' : 'id'] ?? row.key,
    }),
    agency: t.field({
      type: Agency,
      nullable: true,
      description: 'The agency, in a breakdown by AGENCY.',
      resolve: (row) => row.agency,
    }),
    shareOfRealisation: t.float({
      nullable: true,
      description: `This row’s realisation ÷ the whole scope’s realisation × 100. ${PERCENT_RULE}`,
      resolve: (row) => pct(row.shareOfRealisation),
    }),
  }),
});

const KpiBreakdown = builder.objectRef<Breakdown>('KpiBreakdown').implement({
  description: 'A fiscal year’s realisation split one way; rows by realisation, largest first.',
  fields: (t) => ({
    id: t.id(valueId('KpiBreakdown')),
    year: t.int({ description: 'The fiscal year.', resolve: (b) => b.summary.year }),
    by: t.field({ type: KpiBreakdownBy, description: 'How it is split.', resolve: (b) => b.by }),
    asOf: t.field({
      type: 'Date',
      nullable: true,
      description: 'The snapshot date of the data version read.',
      resolve: (b) => b.summary.pick?.asOf ?? null,
    }),
    dataVersion: t.int({
      description: 'The data version read.',
      resolve: (b) => b.summary.pick?.version ?? 0,
    }),
    rows: t.field({ type: [KpiBreakdownRow], description: 'The rows.', resolve: (b) => b.rows }),
    provenance: t.field({
      type: KpiProvenance,
      description: 'Where the figures come from.',
      resolve: (b) => ({ pick: b.summary.pick, coverage: b.summary.coverage }),
    }),
  }),
});

builder.queryField('kpiBreakdown', (t) =>
  t.field({
    extensions: cacheable,
    type: KpiBreakdown,
    description:
      'A fiscal year’s realisation split by channel, agency or vendor scale, for the province or one agency. ' +
      'Readable by everyone.',
    args: {
      year: t.arg.int({ required: true, description: 'The fiscal year.' }),
      by: t.arg({ type: KpiBreakdownBy, required: true, description: 'How to split.' }),
      agency: t.arg.string({ description: 'An agency code (kd_satker_str); omit for the whole province.' }),
      asOf: t.arg({ type: 'Date', description: 'Read the figures as of this date (YYYY-MM-DD).' }),
      includeSubunits: t.arg.boolean({ defaultValue: true, description: 'Include the agency’s sub-units.' }),
    },
    resolve: (_root, args) =>
      kpiBreakdown({
        year: args.year,
        by: args.by,
        agency: args.agency,
        asOf: args.asOf,
        includeSubunits: args.includeSubunits,
      }),
  }),
);
