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

/**
 * The slot bookkeeping locks one source row and runs a few short statements; Prisma's default
 * 5 s limit for an interactive transaction was exceeded on a loaded machine (the watchdog then
 * failed its tick), so it gets more room, like any other short locked step.
 */
const SLOT_TRANSACTION = { timeout: 60_000, maxWait: 30_000 };

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
      // The slots the policy does not run (all for SKIP; all but the latest for RUN_ONCE, whose
      // catch-up pull stands for it; those beyond the backfill limit) are recorded as missed.
      const running = new Set(slots.map((slot) => slot.getTime()));
      const all = slotsBetween(
        { cron: source.cron, timezone: source.timezone },
        source.checked,
        horizon,
        MISSED_ROWS_MAX,
      );
      await recordMissed(
        tx,
        id,
        all.slots.filter((slot) => !running.has(slot.getTime())),
        'no worker ran at this slot',
      );
      return total > 0 ? { sourceKey: source.key, policy, missed: total, slots } : null;
    }, SLOT_TRANSACTION);
    if (plan) found.push(plan);
  }
  return found;
}

export type SlotDecision = 'run' | 'handled' | 'skip';

/** At most this many missed slots are recorded as runs per finding (all are counted). */
const MISSED_ROWS_MAX = 1000;

/**
 * Records missed schedule slots as MISSED runs of the source (the newest MISSED_ROWS_MAX of them),
 * so the run history shows every slot: run, or missed.
 */
async function recordMissed(
  tx: Pick<typeof prisma, '$executeRaw'>,
  sourceId: number,
  slots: Date[],
  why: string,
): Promise<void> {
  const kept = slots.slice(-MISSED_ROWS_MAX).map((slot) => slot.toISOString());
  if (kept.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO ingest_run (source_id, dataset, klpd_code, trigger, status, scheduled_for, finished_at, error)
    SELECT s.id, s.dataset, s.klpd_code, 'SCHEDULE', 'MISSED', slot, now(), ${why}
    FROM feed_source s, unnest(${kept}::timestamptz[]) AS slot
    WHERE s.id = ${sourceId}`;
}

/**
 * Claims one scheduled slot for the job that fires it. 'handled': the slot was already dealt with
 * (caught up at start, or a second job for it). A slot that fires later than the grace period
 * was missed: counted, and skipped when the policy says so. Slots between the last handled one
 * and this one that no job fired (BullMQ fires only the next slot after a pause) are missed too:
 * counted and recorded.
 */
export async function claimScheduledSlot(
  sourceKey: string,
  slot: Date,
  now = new Date(),
): Promise<SlotDecision> {
  return prisma.$transaction(async (tx) => {
    const [source] = await tx.$queryRaw<
      Array<{
        id: number;
        cron: string;
        timezone: string;
        catch_up: CatchUpPolicy;
        enabled: boolean;
        checked: Date | null;
      }>
    >`SELECT id, cron, timezone, catch_up, enabled, schedule_checked_at AS checked
      FROM feed_source WHERE key = ${sourceKey} FOR UPDATE`;
    if (!source || (source.checked !== null && source.checked >= slot)) return 'handled';
    await tx.feedSource.update({ where: { id: source.id }, data: { scheduleCheckedAt: slot } });
    if (!source.enabled) return 'skip';
    const skipped =
      source.checked === null
        ? { slots: [], total: 0 }
        : slotsBetween(
            { cron: source.cron, timezone: source.timezone },
            source.checked,
            new Date(slot.getTime() - 1),
            MISSED_ROWS_MAX,
          );
    const late = now.getTime() - slot.getTime() > config().INGEST_MISSED_GRACE_MS;
    const skipThis = late && source.catch_up === 'SKIP';
    const missed = [...skipped.slots, ...(skipThis ? [slot] : [])];
    const count = skipped.total + (late ? 1 : 0);
    if (count > 0) {
      await tx.feedSource.update({ where: { id: source.id }, data: { missedRuns: { increment: count } } });
      await recordMissed(tx, source.id, missed, 'no worker ran at this slot');
    }
    if (!late) return 'run';
    return skipThis ? 'skip' : 'run';
  }, SLOT_TRANSACTION);
}
