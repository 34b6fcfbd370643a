// Runs missed while no worker ran: found from each source's schedule and the instant up to which
// its slots were handled, then dealt with by the source's catch-up policy (skip, run once, or
// backfill each missed slot). The queue side (enqueueing the runs) is the worker's.

import { config } from '../../config/env.js';
import type { CatchUpPolicy } from '../../generated/prisma/client.js';
import { prisma } from '../../lib/db.js';
import { slotsBetween } from './schedule.js';

export interface MissedRuns {
  sourceKey: string;
  policy: CatchUpPolicy;
  /** Slots missed since the source's slots were last handled. */
  missed: number;
  /** The slots to run now: none (SKIP), the latest (RUN_ONCE), the latest few each (BACKFILL). */
  slots: Date[];
}

/** Why a BACKFILL source runs as RUN_ONCE, as the source shows it. */
export const BACKFILL_UNSUPPORTED =
  'BACKFILL runs as RUN_ONCE: the feed cannot answer as of a date, so a missed slot cannot be replayed';

/** Whether the configured feed can answer as of a date (what BACKFILL replays each missed slot with). */
export function feedAnswersAsOf(): boolean {
  return config().FEED_ANSWERS_AS_OF;
}

/**
 * Finds each enabled source's missed slots in (last handled, now − grace], records them and
 * marks them handled, atomically per source: two workers starting together plan them once.
 * BACKFILL against a feed that cannot answer as of a date would pull today's data once per missed
 * slot: it runs as RUN_ONCE, and the source says so (`catch_up_note`).
 */
export async function detectMissedRuns(
  now = new Date(),
  answersAsOf = feedAnswersAsOf(),
): Promise<MissedRuns[]> {
  const cfg = config();
  const horizon = new Date(now.getTime() - cfg.INGEST_MISSED_GRACE_MS);
  const ids = await prisma.feedSource.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
  const found: MissedRuns[] = [];
  for (const { id } of ids) {
    const plan = await prisma.$transaction(async (tx) => {
      const [source] = await tx.$queryRaw<
        Array<{
          key: string;
          cron: string;
          timezone: string;
          catch_up: CatchUpPolicy;
          enabled: boolean;
          checked: Date | null;
        }>
      >`SELECT key, cron, timezone, catch_up, enabled, schedule_checked_at AS checked
        FROM feed_source WHERE id = ${id} FOR UPDATE`;
      if (!source) return null;
      const policy: CatchUpPolicy =
        source.catch_up === 'BACKFILL' && !answersAsOf ? 'RUN_ONCE' : source.catch_up;
      const note = policy === source.catch_up ? null : BACKFILL_UNSUPPORTED;
      await tx.$executeRaw`UPDATE feed_source SET catch_up_note = ${note}
        WHERE id = ${id} AND catch_up_note IS DISTINCT FROM ${note}`;
      // A new or disabled source has missed nothing: its slots count from now on.
      if (!source.enabled || source.checked === null) {
        await tx.feedSource.update({ where: { id }, data: { scheduleCheckedAt: now } });
        return null;
      }
      if (source.checked >= horizon) return null;
      const keep = policy === 'BACKFILL' ? cfg.INGEST_BACKFILL_MAX : policy === 'RUN_ONCE' ? 1 : 0;
      const { slots, total } = slotsBetween(
        { cron: source.cron, timezone: source.timezone },
        source.checked,
        horizon,
        keep,
      );
      await tx.feedSource.update({
        where: { id },
        data: { scheduleCheckedAt: horizon, missedRuns: { increment: total } },
      });
      return total > 0 ? { sourceKey: source.key, policy, missed: total, slots } : null;
    });
    if (plan) found.push(plan);
  }
  return found;
}

export type SlotDecision = 'run' | 'handled' | 'skip';

/**
 * Claims one scheduled slot for the job that fires it. 'handled': the slot was already dealt with
 * (caught up at start, or a second job for it). A slot that fires later than the grace period
 * was missed: counted, and skipped when the policy says so.
 */
export async function claimScheduledSlot(
  sourceKey: string,
  slot: Date,
  now = new Date(),
): Promise<SlotDecision> {
  const claimed = await prisma.$queryRaw<Array<{ catch_up: CatchUpPolicy; enabled: boolean }>>`
    UPDATE feed_source SET schedule_checked_at = ${slot}
    WHERE key = ${sourceKey} AND (schedule_checked_at IS NULL OR schedule_checked_at < ${slot})
    RETURNING catch_up, enabled`;
  const source = claimed[0];
  if (!source) return 'handled';
  if (!source.enabled) return 'skip';
  const late = now.getTime() - slot.getTime() > config().INGEST_MISSED_GRACE_MS;
  if (!late) return 'run';
  await prisma.feedSource.update({ where: { key: sourceKey }, data: { missedRuns: { increment: 1 } } });
  return source.catch_up === 'SKIP' ? 'skip' : 'run';
}
