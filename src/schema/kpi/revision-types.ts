// The graph's revision types: a data version with its gating state, the drift reasons of a held
// one and the per-agency/month deltas of a diff. Shared by the revision queries and mutations.
import type { Agency as AgencyRow } from '../../generated/prisma/client.js';
import type { DriftReason, DriftRules } from '../../services/kpi/gating.js';
import { centsToMoney } from '../../services/kpi/numbers.js';
import { loadAgencies } from '../../services/kpi/read.js';
import {
  type Delta,
  type Revision,
  revisionBuckets,
  revisionDeltas,
  type TouchedBucket,
} from '../../services/kpi/revisions.js';
import { Agency } from '../agencies.js';
import { builder } from '../builder.js';
import { encodeId, valueId } from '../common.js';
import type { Context } from '../context.js';

const agencyMaps = new WeakMap<Context, Promise<Map<number, AgencyRow>>>();

/** The agencies by id, read once per request. */
export function agenciesOf(ctx: Context): Promise<Map<number, AgencyRow>> {
  let hit = agencyMaps.get(ctx);
  if (!hit) {
    hit = loadAgencies();
    agencyMaps.set(ctx, hit);
  }
  return hit;
}

export const KpiRevisionStatus = builder.enumType('KpiRevisionStatus', {
  description: 'What became of a data version (publish gating). Readers only see PUBLISHED ones.',
  values: {
    PUBLISHED: { description: 'Readers see it (the newest published version holds the current figures).' },
    HELD: { description: 'It broke a drift rule and waits for an admin to approve or reject it.' },
    REJECTED: { description: 'An admin rejected it: it was never published.' },
    ROLLED_BACK: { description: 'It was published, then an admin rolled it back.' },
    SUPERSEDED: { description: 'It was held when a newer recompute took its changes over.' },
    UNCHANGED: {
      description:
        'Recorded because the stored figures moved, but they equal what is already published: never read. ' +
        'Listed only when asked for by status.',
    },
  },
});

export const KpiDriftRuleEnum = builder.enumType('KpiDriftRule', {
  description: 'A drift rule a recompute is checked against before it is published.',
  values: {
    REALISATION_FALL: { description: 'A year’s realisation fell by more than the allowed percent.' },
    AGENCY_ZERO: { description: 'An agency that had realisation items has none.' },
    REJECTED_ROWS: { description: 'The ingest runs behind it rejected more than the allowed share of rows.' },
    QUARANTINED_RUN: {
      description:
        'Its items still hold the snapshot of an ingest run whose version was rejected or rolled back: only an ' +
        'approval publishes it.',
    },
  },
});

export const KpiDriftReason = builder.objectRef<DriftReason>('KpiDriftReason').implement({
  description: 'One drift rule a held revision breaks, with the figures compared.',
  fields: (t) => ({
    id: t.id(valueId('KpiDriftReason')),
    rule: t.field({ type: KpiDriftRuleEnum, description: 'The rule.', resolve: (r) => r.rule }),
    year: t.exposeInt('year', { nullable: true, description: 'The fiscal year; null for REJECTED_ROWS.' }),
    agencyCode: t.exposeString('agencyCode', { nullable: true, description: 'The agency, for AGENCY_ZERO.' }),
    before: t.exposeString('before', {
      description: 'The published figure (realisation in Rupiah, item count, or rows read).',
    }),
    after: t.exposeString('after', {
      description: 'The new figure (realisation in Rupiah, item count, or rows rejected).',
    }),
    limit: t.exposeFloat('limit', { nullable: true, description: 'The rule’s limit in percent.' }),
    message: t.exposeString('message', { description: 'The reason in words.' }),
    snapshotId: t.int({
      nullable: true,
      description: 'The quarantined ingest run, for QUARANTINED_RUN.',
      resolve: (r) => r.runId ?? null,
    }),
  }),
});

export const KpiDelta = builder.objectRef<Delta>('KpiDelta').implement({
  description: 'How one agency’s month moved between two revisions.',
  fields: (t) => ({
    id: t.id(valueId('KpiDelta')),
    year: t.exposeInt('year', { description: 'The fiscal year.' }),
    month: t.exposeInt('month', { description: 'The month, 1–12; 0 for items without a date.' }),
    agency: t.field({
      type: Agency,
      nullable: true,
      description: 'The agency; null for items of unknown agencies.',
      resolve: async (d, _args, ctx) =>
        d.agencyId === null ? null : ((await agenciesOf(ctx)).get(d.agencyId) ?? null),
    }),
    realisationBefore: t.field({
      type: 'Money',
      description: 'Realisation in the earlier revision.',
      resolve: (d) => centsToMoney(d.realisationBefore),
    }),
    realisationAfter: t.field({
      type: 'Money',
      description: 'Realisation in the later revision.',
      resolve: (d) => centsToMoney(d.realisationAfter),
    }),
    realisationDelta: t.field({
      type: 'Money',
      description: 'After − before.',
      resolve: (d) => centsToMoney(d.realisationAfter - d.realisationBefore),
    }),
    totalValueDelta: t.field({
      type: 'Money',
      description: 'Change of the total value of counted procurement.',
      resolve: (d) => centsToMoney(d.totalValueAfter - d.totalValueBefore),
    }),
    itemsBefore: t.exposeInt('itemsBefore', { description: 'Counted realisation items before.' }),
    itemsAfter: t.exposeInt('itemsAfter', { description: 'Counted realisation items after.' }),
  }),
});

export const KpiTouchedBucket = builder.objectRef<TouchedBucket>('KpiTouchedBucket').implement({
  description: 'A (fiscal year, agency, month, channel) bucket whose figures a revision changed.',
  fields: (t) => ({
    id: t.id(valueId('KpiTouchedBucket')),
    year: t.exposeInt('year', { description: 'The fiscal year.' }),
    agency: t.field({
      type: Agency,
      nullable: true,
      description: 'The agency; null for items of unknown agencies.',
      resolve: async (b, _args, ctx) =>
        b.agencyId === null ? null : ((await agenciesOf(ctx)).get(b.agencyId) ?? null),
    }),
    month: t.exposeInt('month', { description: 'The month, 1–12; 0 for items without a date.' }),
    channel: t.exposeString('channel', { description: 'The procurement channel (e.g. TENDER, E_KATALOG).' }),
  }),
});

const KpiTouchedBucketPage = builder
  .objectRef<{ total: number; buckets: TouchedBucket[] }>('KpiTouchedBucketPage')
  .implement({
    description: 'One page of the buckets a revision changed.',
    fields: (t) => ({
      id: t.id(valueId('KpiTouchedBucketPage')),
      total: t.exposeInt('total', { description: 'How many buckets it changed in all.' }),
      buckets: t.field({
        type: [KpiTouchedBucket],
        description: 'This page, by year, agency, month and channel.',
        resolve: (p) => p.buckets,
      }),
    }),
  });

export const KpiRevision = builder.objectRef<Revision>('KpiRevision').implement({
  description:
    'A stored revision of the KPI figures: one recompute, what it was built from, its gating state and what ' +
    'it changed.',
  fields: (t) => ({
    id: t.id({
      description: 'Its global id, stable (it encodes the version number).',
      resolve: (r) => encodeId('KpiRevision', r.version),
    }),
    version: t.exposeInt('version', { description: 'The data version number (grows with every recompute).' }),
    status: t.field({ type: KpiRevisionStatus, description: 'Its gating state.', resolve: (r) => r.status }),
    reason: t.exposeString('reason', { description: 'Why the recompute ran, e.g. "ingest run 42".' }),
    full: t.exposeBoolean('full', { description: 'Whether every bucket was recomputed.' }),
    snapshotIds: t.exposeIntList('runIds', { description: 'The ingest runs whose changes it consumed.' }),
    inputsHash: t.exposeString('inputsHash', {
      nullable: true,
      description: 'SHA-256 of its inputs (buckets recomputed, runs, as-of override, full).',
    }),
    fiscalYears: t.exposeIntList('fiscalYears', { description: 'The fiscal years it recomputed.' }),
    asOf: t.field({
      type: 'Date',
      nullable: true,
      description: 'The snapshot date it stands for.',
      resolve: (r) => r.asOf,
    }),
    touchedBuckets: t.exposeInt('touchedBuckets', {
      description: 'Buckets (year, agency, month) recomputed.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was computed.' }),
    publishedAt: t.expose('publishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When readers first saw it; null while held or if never published.',
    }),
    decidedAt: t.expose('decidedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When an admin approved, rejected or rolled it back (or a newer one superseded it).',
    }),
    decidedBy: t.exposeString('decidedBy', { nullable: true, description: 'Who decided, e.g. "api key 3".' }),
    decisionNote: t.exposeString('decisionNote', { nullable: true, description: 'The note given with it.' }),
    heldReasons: t.field({
      type: [KpiDriftReason],
      description: 'The drift rules it broke (why it was held); empty when it broke none.',
      resolve: (r) => r.heldReasons,
    }),
    buckets: t.field({
      type: KpiTouchedBucketPage,
      description: 'The (year, agency, month, channel) buckets it changed, paged.',
      args: {
        limit: t.arg.int({ defaultValue: 50, description: 'At most this many (1–500, default 50).' }),
        offset: t.arg.int({ defaultValue: 0, description: 'Skip this many.' }),
      },
      resolve: (r, args) => revisionBuckets(r.version, { limit: args.limit ?? 50, offset: args.offset ?? 0 }),
    }),
    deltas: t.field({
      type: [KpiDelta],
      description: 'What it changed per agency and month against the revision before it.',
      args: { year: t.arg.int({ description: 'Only this fiscal year.' }) },
      resolve: (r, args) => revisionDeltas(r.version, args.year),
    }),
  }),
});

export const KpiDriftRules = builder.objectRef<DriftRules>('KpiDriftRules').implement({
  description: 'The drift rules every recompute is checked against before it is published.',
  fields: (t) => ({
    id: t.id(valueId('KpiDriftRules')),
    maxFallPercent: t.exposeFloat('maxFallPercent', {
      nullable: true,
      description: 'Hold when a year’s realisation falls by more than this percent; null: rule off.',
    }),
    maxRejectedPercent: t.exposeFloat('maxRejectedPercent', {
      nullable: true,
      description:
        'Hold when the runs behind it rejected more than this percent of their rows; null: rule off.',
    }),
    agencyZero: t.exposeBoolean('agencyZero', {
      description: 'Hold when an agency that had realisation items has none.',
    }),
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When an admin last set them; null while the configured defaults apply.',
    }),
    updatedBy: t.exposeString('updatedBy', { nullable: true, description: 'Who last set them.' }),
  }),
});

/** How a decision is attributed. */
export function decidedBy(ctx: Context): string | null {
  return ctx.viewer.keyId === undefined ? null : `api key ${ctx.viewer.keyId}`;
}
