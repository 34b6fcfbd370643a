// programmeKpis: the Business Matching programme of a year: events, exhibitors, deals, conversion.

import { prisma } from '../../lib/db.js';
import { ValidationError } from '../../lib/errors.js';
import { centsToMoney, formatMoney, formatPercent, type KpiLocale } from '../../services/kpi/numbers.js';
import {
  type Conversion,
  type ConvertedExhibitor,
  type ConvertedItem,
  convertedItems,
  type ProgrammeBatch as ProgrammeBatchData,
  type ProgrammeKpis as ProgrammeKpisData,
  programmeKpis,
} from '../../services/kpi/programme.js';
import { builder } from '../builder.js';
import { cacheable } from '../cacheable.js';
import { valueId } from '../common.js';
import { Event } from '../events.js';
import { loadNodesByKey } from '../node.js';
import { resolveVersionedConnection } from '../versioned-pages.js';
import { KpiLocaleEnum, PERCENT_RULE, pct } from './types.js';

const ProgrammeBatch = builder.objectRef<ProgrammeBatchData>('ProgrammeBatch').implement({
  description: 'One held batch of the programme.',
  fields: (t) => ({
    id: t.id(valueId('ProgrammeBatch')),
    event: t.field({ type: Event, description: 'The event.', resolve: (b) => b.event }),
    batchNumber: t.int({ description: 'The batch number.', resolve: (b) => b.event.batchNumber }),
    exhibitors: t.exposeInt('exhibitors', { description: 'Exhibitors that took part.' }),
    newExhibitors: t.exposeInt('newExhibitors', {
      description: 'Exhibitors taking part in a held Business Matching event for the first time.',
    }),
    returningExhibitors: t.exposeInt('returningExhibitors', {
      description: 'Exhibitors that took part before.',
    }),
    dealCount: t.exposeInt('dealCount', { description: 'Deals recorded at the batch.' }),
    dealValue: t.field({
      type: 'Money',
      description: 'Σ value of those deals.',
      resolve: (b) => centsToMoney(b.dealValue),
    }),
    convertedExhibitors: t.exposeInt('convertedExhibitors', {
      description:
        'Of the exhibitors whose first batch of the year this was, those that later became vendors.',
    }),
    convertedValue: t.field({
      type: 'Money',
      description: 'Σ value of their procurement since this batch.',
      resolve: (b) => centsToMoney(b.convertedValue),
    }),
  }),
});

const ProgrammeConversionText = builder
  .objectRef<{ conversion: Conversion; locale: KpiLocale }>('ProgrammeConversionText')
  .implement({
    description: 'Conversion figures as text.',
    fields: (t) => ({
      id: t.id(valueId('ProgrammeConversionText')),
      value: t.string({
        description: 'Value, e.g. `Rp1,2 miliar`.',
        resolve: (x) => formatMoney(x.conversion.value, x.locale),
      }),
      pdnValue: t.string({
        description: 'PDN value.',
        resolve: (x) => formatMoney(x.conversion.pdnValue, x.locale),
      }),
      rate: t.string({
        nullable: true,
        description: 'Rate, e.g. `12,5 %`.',
        resolve: (x) => (x.conversion.rate ? formatPercent(x.conversion.rate, x.locale) : null),
      }),
    }),
  });

const ProgrammeConvertedItem = builder.node(builder.objectRef<ConvertedItem>('ProgrammeConvertedItem'), {
  id: {
    description: 'Its global id, stable: the exhibitor, its first batch and the procurement item.',
    resolve: (i) => `${i.exhibitorId}:${i.firstEventId}:${i.id}`,
  },
  description:
    'A counted realisation item matched to a converted exhibitor (vendor identifiers are not shown).',
  fields: (t) => ({
    itemDate: t.field({
      type: 'Date',
      description: 'The date that places it in a month.',
      resolve: (i) => i.itemDate,
    }),
    channel: t.exposeString('channel', {
      description: 'Its procurement channel, e.g. E_KATALOG (as kpiBreakdown(by: CHANNEL) keys it).',
    }),
    agency: t.prismaField({
      type: 'Agency',
      nullable: true,
      description: 'The buying agency (null when the feed’s agency code is unknown).',
      resolve: (query, i) =>
        i.agencyId === null ? null : prisma.agency.findUnique({ ...query, where: { id: i.agencyId } }),
    }),
    title: t.exposeString('title', {
      nullable: true,
      description: 'The package title, as the feed gives it.',
    }),
    value: t.field({
      type: 'Money',
      nullable: true,
      description: 'Its value (null: unknown at the source, left out of the sums).',
      resolve: (i) => (i.value === null ? null : centsToMoney(i.value)),
    }),
    pdnValue: t.field({
      type: 'Money',
      nullable: true,
      description: 'Its PDN value (null: unknown at the source).',
      resolve: (i) => (i.pdnValue === null ? null : centsToMoney(i.pdnValue)),
    }),
  }),
});

const MAX_ROW_ID = 2_147_483_647;

// Refetched by id while it still counts for that exhibitor and batch.
loadNodesByKey('ProgrammeConvertedItem', async (key) => {
  const match = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(key);
  if (!match || match.slice(1).some((n) => Number(n) > MAX_ROW_ID)) {
    throw new ValidationError('id', 'not the id of a converted exhibitor’s item');
  }
  const { items } = await convertedItems({ exhibitorId: Number(match[1]), firstEventId: Number(match[2]) });
  return items.find((i) => i.id === Number(match[3])) ?? null;
});

/** The year each member was answered for, for its id. */
const yearOf = new WeakMap<ConvertedExhibitor, number>();

const ProgrammeConvertedExhibitor = builder.node(
  builder.objectRef<ConvertedExhibitor>('ProgrammeConvertedExhibitor'),
  {
    id: {
      description: 'Its global id, stable: the programme year and the exhibitor.',
      resolve: (m) => `${yearOf.get(m) ?? 0}:${m.exhibitorId}`,
    },
    description:
      'An exhibitor that became a vendor: its first batch of the year and its matching procurement.',
    fields: (t) => ({
      exhibitor: t.prismaField({
        type: 'Exhibitor',
        description: 'The exhibitor.',
        resolve: (query, m) => prisma.exhibitor.findUniqueOrThrow({ ...query, where: { id: m.exhibitorId } }),
      }),
      firstEvent: t.prismaField({
        type: 'Event',
        description: 'Its first held batch of the year: matching procurement counts from its first day.',
        resolve: (query, m) => prisma.event.findUniqueOrThrow({ ...query, where: { id: m.firstEventId } }),
      }),
      items: t.exposeInt('items', { description: 'Its matching procurement items.' }),
      procurementItems: t.connection(
        {
          type: ProgrammeConvertedItem,
          description:
            'Its matching procurement items, in date order. Cursors carry the version of this list: a ' +
            'cursor issued before it changed is refused with STALE_CURSOR.',
          resolve: async (m, args) => {
            const { items, version } = await convertedItems(m);
            return Object.assign(
              resolveVersionedConnection('ProgrammeConvertedItems', version, args, items),
              {
                totalCount: items.length,
              },
            );
          },
        },
        {
          name: 'ProgrammeConvertedItemConnection',
          extensions: { cursorKind: 'version' },
          description: 'A page of procurement items behind a converted exhibitor.',
          fields: (cf) => ({
            totalCount: cf.int({
              description: 'How many items match.',
              resolve: (conn) => (conn as unknown as { totalCount: number }).totalCount,
            }),
          }),
        },
        { name: 'ProgrammeConvertedItemEdge', description: 'A procurement item and its cursor.' },
      ),
      value: t.field({ type: 'Money', description: 'Σ their value.', resolve: (m) => centsToMoney(m.value) }),
      pdnValue: t.field({
        type: 'Money',
        description: 'Σ their PDN value.',
        resolve: (m) => centsToMoney(m.pdnValue),
      }),
    }),
  },
);

// Refetched by id from the programme figures of its year, as they stand now.
loadNodesByKey('ProgrammeConvertedExhibitor', async (key) => {
  const match = /^(\d{4}):(\d{1,10})$/.exec(key);
  if (!match) throw new ValidationError('id', 'not the id of a converted exhibitor');
  const year = Number(match[1]);
  const member = (await programmeKpis(year)).conversion.members.find(
    (m) => m.exhibitorId === Number(match[2]),
  );
  if (member) yearOf.set(member, year);
  return member ?? null;
});

const ProgrammeConversion = builder.objectRef<Conversion>('ProgrammeConversion').implement({
  description:
    'Exhibitors that later appear as vendors in the procurement feed: exhibitor.vendor_code = the item’s ' +
    'vendor code, or the exhibitor’s NPWP (digits; 15 → 16 with a leading 0) = the item’s vendor NPWP, over ' +
    'counted, not withdrawn realisation items dated on or after the first day of the exhibitor’s first ' +
    'batch of the year. Read from the current items, not a data version.',
  fields: (t) => ({
    id: t.id(valueId('ProgrammeConversion')),
    exhibitors: t.exposeInt('exhibitors', { description: 'Unique exhibitors of the year’s held batches.' }),
    matchable: t.exposeInt('matchable', {
      description: 'Of them, those with a vendor code or NPWP to match on.',
    }),
    converted: t.exposeInt('converted', {
      description: 'Exhibitors with at least one matching procurement.',
    }),
    rate: t.float({
      nullable: true,
      description: `converted ÷ exhibitors × 100. ${PERCENT_RULE}`,
      resolve: (c) => pct(c.rate),
    }),
    items: t.exposeInt('items', { description: 'Matching procurement items.' }),
    value: t.field({ type: 'Money', description: 'Σ their value.', resolve: (c) => centsToMoney(c.value) }),
    pdnValue: t.field({
      type: 'Money',
      description: 'Σ their PDN value.',
      resolve: (c) => centsToMoney(c.pdnValue),
    }),
    version: t.exposeString('version', {
      description:
        'The version of the converted-exhibitor list (a digest of who converted and for how much): it ' +
        'changes when an item, a registration or an event changes the list, and stamps its cursors.',
    }),
    convertedExhibitors: t.connection(
      {
        type: ProgrammeConvertedExhibitor,
        description:
          'The converted exhibitors behind these figures, largest value first (ties by exhibitor). Cursors ' +
          'carry `version`: a cursor issued before the list changed is refused with STALE_CURSOR (read again ' +
          'from the first page), a malformed one with BAD_USER_INPUT.',
        resolve: (c, args) =>
          Object.assign(resolveVersionedConnection('ProgrammeConversion', c.version, args, c.members), {
            totalCount: c.members.length,
          }),
      },
      {
        name: 'ProgrammeConvertedExhibitorConnection',
        extensions: { cursorKind: 'version' },
        description: 'A page of converted exhibitors.',
        fields: (cf) => ({
          totalCount: cf.int({
            description: 'How many exhibitors converted.',
            resolve: (conn) => (conn as unknown as { totalCount: number }).totalCount,
          }),
        }),
      },
      { name: 'ProgrammeConvertedExhibitorEdge', description: 'A converted exhibitor and its cursor.' },
    ),
    formatted: t.field({
      type: ProgrammeConversionText,
      description: 'The money and rate as text for readers.',
      args: {
        locale: t.arg({ type: KpiLocaleEnum, defaultValue: 'id', description: 'The locale (default ID).' }),
      },
      resolve: (c, args) => ({ conversion: c, locale: (args.locale ?? 'id') as KpiLocale }),
    }),
  }),
});

const ProgrammeKpis = builder.objectRef<ProgrammeKpisData>('ProgrammeKpis').implement({
  description:
    'The Business Matching programme of a year. A batch counts as held when it is DONE, or PUBLISHED ' +
    'and its last day has passed (Asia/Jakarta).',
  fields: (t) => ({
    id: t.id(valueId('ProgrammeKpis')),
    year: t.exposeInt('year', { description: 'The programme year.' }),
    asOf: t.field({
      type: 'Date',
      description: 'The day events were judged held on.',
      resolve: (p) => p.asOf,
    }),
    eventsHeld: t.exposeInt('eventsHeld', { description: 'Batches held.' }),
    uniqueExhibitors: t.exposeInt('uniqueExhibitors', {
      description: 'Distinct exhibitors over the held batches.',
    }),
    dealCount: t.exposeInt('dealCount', { description: 'Deals recorded at held batches.' }),
    dealValue: t.field({
      type: 'Money',
      description: 'Σ value of those deals.',
      resolve: (p) => centsToMoney(p.dealValue),
    }),
    batches: t.field({
      type: [ProgrammeBatch],
      description: 'The held batches, in date order.',
      resolve: (p) => p.batches,
    }),
    conversion: t.field({
      type: ProgrammeConversion,
      description: 'Exhibitors that became vendors.',
      resolve: (p) => {
        for (const member of p.conversion.members) yearOf.set(member, p.year);
        return p.conversion;
      },
    }),
  }),
});

builder.queryField('programmeKpis', (t) =>
  t.field({
    extensions: cacheable,
    type: ProgrammeKpis,
    description:
      'Business Matching KPIs of a year: batches held, unique and new exhibitors per batch, deal value and ' +
      'conversion of exhibitors into procurement vendors. Readable by everyone.',
    args: { year: t.arg.int({ required: true, description: 'The programme year.' }) },
    resolve: (_root, args) => programmeKpis(args.year),
  }),
);
