// kpiCrossBreakdown: a fiscal year's realisation split by any two of agency, month, channel and
// vendor scale in one answer (month × channel, agency × vendor scale…).
import {
  type CrossBreakdown,
  type CrossCell,
  crossBreakdown,
  type Dimension,
} from '../../services/kpi/cross.js';
import { Agency } from '../agencies.js';
import { builder } from '../builder.js';
import { encodeId } from '../common.js';
import { KpiMeasures, KpiProvenance } from './types.js';

const KpiDimension = builder.enumType('KpiDimension', {
  description: 'A dimension of the KPI aggregates.',
  values: {
    AGENCY: { description: 'The agency (key: its code; UNATTRIBUTED for items of an unknown agency).' },
    MONTH: { description: 'The Asia/Jakarta calendar month, 1-12 (UNDATED for items without a date).' },
    CHANNEL: { description: 'The procurement channel (enum name).' },
    VENDOR_SCALE: { description: 'The vendor’s scale (enum name; UNKNOWN when not stated).' },
  },
});

/** The breakdown each cell was answered in, for its id. */
const breakdownOf = new WeakMap<CrossCell, string>();

const breakdownKey = (b: CrossBreakdown) =>
  [
    b.year,
    b.pick?.version ?? 0,
    b.scope.includeSubunits ? 1 : 0,
    b.scope.agency?.code ?? '',
    b.rows,
    b.columns,
  ].join(':');

const KpiCrossCell = builder.objectRef<CrossCell>('KpiCrossCell').implement({
  description: 'The realisation of one pair of dimension values (no commitment: attainment is null).',
  interfaces: [KpiMeasures],
  fields: (t) => ({
    id: t.id({
      description: 'Its global id, stable: the breakdown’s question and data version, and the pair.',
      resolve: (c) => encodeId('KpiCrossCell', `${breakdownOf.get(c) ?? ''}:${c.row}:${c.column}`),
    }),
    row: t.exposeString('row', { description: 'The value of the `rows` dimension.' }),
    column: t.exposeString('column', { description: 'The value of the `columns` dimension.' }),
  }),
});

const KpiCrossBreakdown = builder.objectRef<CrossBreakdown>('KpiCrossBreakdown').implement({
  description: 'A fiscal year’s realisation split two ways, read from one data version.',
  fields: (t) => ({
    id: t.id({
      description: 'Its global id, stable: the question and the data version.',
      resolve: (b) => encodeId('KpiCrossBreakdown', breakdownKey(b)),
    }),
    year: t.exposeInt('year', { description: 'The fiscal year.' }),
    agency: t.field({
      type: Agency,
      nullable: true,
      description: 'The agency (with its sub-units when asked); null for the whole province.',
      resolve: (b) => b.scope.agency,
    }),
    rows: t.field({ type: KpiDimension, description: 'The first dimension.', resolve: (b) => b.rows }),
    columns: t.field({ type: KpiDimension, description: 'The second dimension.', resolve: (b) => b.columns }),
    dataVersion: t.int({ description: 'The data version read.', resolve: (b) => b.pick?.version ?? 0 }),
    cells: t.field({
      type: [KpiCrossCell],
      description: 'One cell per pair of values with counted data, by row then column key.',
      resolve: (b) => {
        const key = breakdownKey(b);
        for (const cell of b.cells) breakdownOf.set(cell, key);
        return b.cells;
      },
    }),
    provenance: t.field({
      type: KpiProvenance,
      description: 'Where the figures come from.',
      resolve: (b) => ({ pick: b.pick, coverage: null }),
    }),
  }),
});

builder.queryField('kpiCrossBreakdown', (t) =>
  t.field({
    type: KpiCrossBreakdown,
    description:
      'A fiscal year’s realisation split by two of agency, month, channel and vendor scale (e.g. MONTH × ' +
      'CHANNEL, AGENCY × VENDOR_SCALE), for the province or one agency, as of a snapshot date. Readable by everyone.',
    args: {
      year: t.arg.int({ required: true, description: 'The fiscal year.' }),
      rows: t.arg({ type: KpiDimension, required: true, description: 'The first dimension.' }),
      columns: t.arg({
        type: KpiDimension,
        required: true,
        description: 'The second dimension (not `rows`).',
      }),
      agency: t.arg.string({ description: 'An agency code (kd_satker_str); omit for the whole province.' }),
      asOf: t.arg({ type: 'Date', description: 'Read the figures as of this date (YYYY-MM-DD).' }),
      includeSubunits: t.arg.boolean({ defaultValue: true, description: 'Include the agency’s sub-units.' }),
    },
    resolve: (_root, args) =>
      crossBreakdown({
        year: args.year,
        rows: args.rows as Dimension,
        columns: args.columns as Dimension,
        agency: args.agency,
        asOf: args.asOf,
        includeSubunits: args.includeSubunits,
      }),
  }),
);
