// Feed sources: one per (dataset, KLPD, fiscal year), created from configuration at worker start,
// each with its own schedule (cron pattern, IANA zone, catch-up policy) that admins can change.
import { config } from '../../config/env.js';
import { type FeedDataset, PROCUREMENT_DATASETS, type ProcurementDataset } from '../../feed/contract.js';
import type { CatchUpPolicy, FeedSource } from '../../generated/prisma/client.js';
import { prisma } from '../../lib/db.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { nextSlot, slotsBetween, validateSchedule } from './schedule.js';

export type { FeedSource };

/** A readable, stable key: the dataset's last path segment, the KLPD and the year. */
export function sourceKey(dataset: FeedDataset, klpdCode: string, fiscalYear: number): string {
  return `${dataset.slice(dataset.lastIndexOf('/') + 1)}.${klpdCode}.${fiscalYear}`;
}

export function isProcurementDataset(value: string): value is ProcurementDataset {
  return (PROCUREMENT_DATASETS as readonly string[]).includes(value);
}

/**
 * Creates the configured sources that are missing and brings the schedule of every source an
 * admin has not customised to the configured default. Safe from several workers at once.
 */
export async function ensureSources(): Promise<{ created: number; total: number }> {
  const cfg = config();
  validateSchedule({ cron: cfg.INGEST_CRON, timezone: cfg.INGEST_TZ }, 'INGEST');
  // The agencies (INGEST_AGENCIES): one master-satker source per KLPD, as of the latest year.
  const agencyYears = cfg.INGEST_AGENCIES ? [Math.max(...cfg.INGEST_YEARS)] : [];
  const datasets = (year: number): FeedDataset[] =>
    agencyYears.includes(year) ? ['rup/master-satker', ...PROCUREMENT_DATASETS] : [...PROCUREMENT_DATASETS];
  const wanted = cfg.INGEST_YEARS.flatMap((fiscalYear) =>
    datasets(fiscalYear).map((dataset) => ({
      key: sourceKey(dataset, cfg.FEED_KLPD, fiscalYear),
      dataset,
      klpdCode: cfg.FEED_KLPD,
      fiscalYear,
      cron: cfg.INGEST_CRON,
      timezone: cfg.INGEST_TZ,
      catchUp: cfg.INGEST_CATCH_UP,
    })),
  );
  const { count: created } = await prisma.feedSource.createMany({ data: wanted, skipDuplicates: true });
  await prisma.feedSource.updateMany({
    where: {
      customSchedule: false,
      OR: [
        { cron: { not: cfg.INGEST_CRON } },
        { timezone: { not: cfg.INGEST_TZ } },
        { catchUp: { not: cfg.INGEST_CATCH_UP } },
      ],
    },
    data: { cron: cfg.INGEST_CRON, timezone: cfg.INGEST_TZ, catchUp: cfg.INGEST_CATCH_UP },
  });
  return { created, total: wanted.length };
}

export async function getSource(key: string): Promise<FeedSource> {
  const source = await prisma.feedSource.findUnique({ where: { key } });
  if (!source) throw new NotFoundError('FeedSource', key);
  return source;
}

export function listSources(where: { enabled?: boolean } = {}): Promise<FeedSource[]> {
  return prisma.feedSource.findMany({
    where,
    orderBy: [{ fiscalYear: 'asc' }, { dataset: 'asc' }, { key: 'asc' }],
  });
}

export interface ScheduleChange {
  cron?: string | null;
  timezone?: string | null;
  catchUp?: CatchUpPolicy | null;
  enabled?: boolean | null;
}

/** Changes a source's schedule; it then keeps it across restarts whatever the configuration says. */
export async function updateSchedule(key: string, change: ScheduleChange): Promise<FeedSource> {
  const source = await getSource(key);
  const cron = change.cron?.trim() || source.cron;
  const timezone = change.timezone?.trim() || source.timezone;
  validateSchedule({ cron, timezone });
  if (change.cron !== undefined && change.cron !== null && !change.cron.trim()) {
    throw new ValidationError('input.cron', 'a cron pattern cannot be empty');
  }
  return prisma.feedSource.update({
    where: { id: source.id },
    data: {
      cron,
      timezone,
      catchUp: change.catchUp ?? source.catchUp,
      enabled: change.enabled ?? source.enabled,
      customSchedule: true,
    },
  });
}

export interface SourceTiming {
  /** The next slot of the schedule (null when the source is disabled). */
  nextRunAt: Date | null;
  /** Slots found missed so far, plus those overdue now and not yet handled. */
  missedRuns: number;
  /** Seconds since the oldest slot that is due and not yet handled (run, skipped or caught up); 0 if none. */
  lagSeconds: number;
}

export function sourceTiming(
  source: FeedSource,
  now = new Date(),
  graceMs = config().INGEST_MISSED_GRACE_MS,
): SourceTiming {
  if (!source.enabled) return { nextRunAt: null, missedRuns: source.missedRuns, lagSeconds: 0 };
  const schedule = { cron: source.cron, timezone: source.timezone };
  const handledUntil = source.scheduleCheckedAt ?? source.createdAt;
  const firstDue = nextSlot(schedule, handledUntil);
  const overdue = slotsBetween(schedule, handledUntil, new Date(now.getTime() - graceMs), 0, 10_000).total;
  return {
    nextRunAt: nextSlot(schedule, now),
    missedRuns: source.missedRuns + overdue,
    lagSeconds: firstDue <= now ? Math.floor((now.getTime() - firstDue.getTime()) / 1000) : 0,
  };
}
