// Publish gating: the drift rules a freshly computed data version is checked against before
// readers see it, and the rules themselves (config defaults, editable by admins at run time).
import type pg from 'pg';
import { z } from 'zod';
import { config } from '../../config/env.js';
import { pool } from '../../lib/db.js';
import { ValidationError } from '../../lib/errors.js';
import { centsToMoney, toCents } from './numbers.js';

export interface DriftRules {
  /** Hold when a year's realisation falls by more than this percent; null: rule off. */
  maxFallPercent: number | null;
  /** Hold when more than this percent of the rows the runs read were rejected; null: off. */
  maxRejectedPercent: number | null;
  /** Hold when an agency that had realisation items has none. */
  agencyZero: boolean;
  /** Null while the config's defaults apply. */
  updatedAt: Date | null;
  updatedBy: string | null;
}

export type DriftRule = 'REALISATION_FALL' | 'AGENCY_ZERO' | 'REJECTED_ROWS' | 'QUARANTINED_RUN';

/** One broken rule, as stored on a held version (kpi_version.held_reasons). */
export interface DriftReason {
  rule: DriftRule;
  /** The fiscal year concerned (null for the rejected-rows rule, which is about the runs). */
  year: number | null;
  agencyId: number | null;
  agencyCode: string | null;
  /** The published figure compared with (sen as text, a count, or a percent). */
  before: string;
  /** The new figure. */
  after: string;
  /** The rule's limit (percent), when it has one. */
  limit: number | null;
  message: string;
  /** The quarantined run, for QUARANTINED_RUN. */
  runId?: number | null;
}

const positiveOrOff = (n: number) => (n > 0 ? n : null);

export async function driftRules(db: pg.ClientBase | pg.Pool = pool): Promise<DriftRules> {
  const { rows } = await db.query<{
    max_fall_percent: string | null;
    max_rejected_percent: string | null;
    agency_zero: boolean;
    updated_at: Date;
    updated_by: string | null;
  }>(
    'SELECT max_fall_percent, max_rejected_percent, agency_zero, updated_at, updated_by FROM kpi_drift_rule',
  );
  const row = rows[0];
  if (!row) {
    const cfg = config();
    return {
      maxFallPercent: positiveOrOff(cfg.KPI_DRIFT_MAX_FALL_PERCENT),
      maxRejectedPercent: positiveOrOff(cfg.KPI_DRIFT_MAX_REJECTED_PERCENT),
      agencyZero: cfg.KPI_DRIFT_AGENCY_ZERO,
      updatedAt: null,
      updatedBy: null,
    };
  }
  return {
    maxFallPercent: row.max_fall_percent === null ? null : Number(row.max_fall_percent),
    maxRejectedPercent: row.max_rejected_percent === null ? null : Number(row.max_rejected_percent),
    agencyZero: row.agency_zero,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

const percentLimit = z.number().gt(0, 'must be above 0 (null turns the rule off)').max(100_000).nullable();
const rulesInput = z.object({
  maxFallPercent: percentLimit,
  maxRejectedPercent: percentLimit,
  agencyZero: z.boolean(),
});

/** Replaces the drift rules (admins); they apply from the next recompute on. */
export async function setDriftRules(
  input: { maxFallPercent: number | null; maxRejectedPercent: number | null; agencyZero: boolean },
  by: string | null,
): Promise<DriftRules> {
  const parsed = rulesInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(issue.path.join('.') || 'input', issue.message);
  }
  const r = parsed.data;
  await pool.query(
    `INSERT INTO kpi_drift_rule (id, max_fall_percent, max_rejected_percent, agency_zero, updated_at, updated_by)
     VALUES (1, $1, $2, $3, now(), $4)
     ON CONFLICT (id) DO UPDATE SET max_fall_percent = $1, max_rejected_percent = $2, agency_zero = $3,
       updated_at = now(), updated_by = $4`,
    [r.maxFallPercent, r.maxRejectedPercent, r.agencyZero, by],
  );
  return driftRules();
}

/** Realisation and items per agency of one year at two versions ($2 baseline, $3 candidate). */
const AGENCY_TOTALS = `
SELECT agency_id,
  coalesce(sum(pdn_value) FILTER (WHERE version_from <= $2 AND (version_to IS NULL OR version_to > $2)), 0)::text AS before_pdn,
  coalesce(sum(pdn_value) FILTER (WHERE version_from <= $3 AND (version_to IS NULL OR version_to > $3)), 0)::text AS after_pdn,
  coalesce(sum(item_count) FILTER (WHERE version_from <= $2 AND (version_to IS NULL OR version_to > $2)), 0)::int AS before_items,
  coalesce(sum(item_count) FILTER (WHERE version_from <= $3 AND (version_to IS NULL OR version_to > $3)), 0)::int AS after_items
FROM kpi_aggregate
WHERE fiscal_year = $1 AND version_from <= greatest($2, $3)
  AND (version_to IS NULL OR version_to > least($2, $3))
GROUP BY agency_id`;

/**
 * The rules `candidate` breaks against what readers see now: per fiscal year, `baselines` names
 * the published version a reader gets for the same question (the current live figures, or the
 * answer for the reconstructed date); a year without one (its first version) has nothing to drift
 * from. Runs in the recompute's transaction, before the candidate is published.
 */
export async function checkDrift(
  client: pg.ClientBase,
  candidate: number,
  runIds: number[],
  rules: DriftRules,
  baselines: Map<number, number | null>,
): Promise<DriftReason[]> {
  const reasons: DriftReason[] = [];
  for (const [year, baseline] of baselines) {
    if (baseline === null) continue;
    const { rows } = await client.query<{
      agency_id: number | null;
      before_pdn: string;
      after_pdn: string;
      before_items: number;
      after_items: number;
    }>(AGENCY_TOTALS, [year, baseline, candidate]);
    let before = 0n;
    let after = 0n;
    for (const r of rows) {
      before += toCents(r.before_pdn);
      after += toCents(r.after_pdn);
    }
    // fall% > limit ⇔ (before − after) × 100 > limit × before, compared exactly in hundredths.
    if (rules.maxFallPercent !== null && before > 0n) {
      const limit = BigInt(Math.round(rules.maxFallPercent * 100));
      if ((before - after) * 10_000n > limit * before) {
        const fall = Number(((before - after) * 10_000n) / before) / 100;
        reasons.push({
          rule: 'REALISATION_FALL',
          year,
          agencyId: null,
          agencyCode: null,
          before: centsToMoney(before),
          after: centsToMoney(after),
          limit: rules.maxFallPercent,
          message: `${year}: realisation falls by ${fall} % (limit ${rules.maxFallPercent} %)`,
        });
      }
    }
    if (rules.agencyZero) {
      const vanished = rows.filter((r) => r.agency_id !== null && r.before_items > 0 && r.after_items === 0);
      const codes = await agencyCodes(
        client,
        vanished.map((r) => r.agency_id!),
      );
      for (const r of vanished) {
        reasons.push({
          rule: 'AGENCY_ZERO',
          year,
          agencyId: r.agency_id,
          agencyCode: codes.get(r.agency_id!) ?? null,
          before: String(r.before_items),
          after: '0',
          limit: null,
          message: `${year}: agency ${codes.get(r.agency_id!) ?? r.agency_id} had ${r.before_items} realisation items and has none`,
        });
      }
    }
  }
  if (rules.maxRejectedPercent !== null && runIds.length > 0) {
    const { rows } = await client.query<{ fetched: number; rejected: number }>(
      `SELECT coalesce(sum(fetched), 0)::int AS fetched, coalesce(sum(rejected), 0)::int AS rejected
       FROM ingest_run WHERE id = ANY($1::int[])`,
      [runIds],
    );
    const { fetched, rejected } = rows[0]!;
    if (fetched > 0 && rejected * 100 > rules.maxRejectedPercent * fetched) {
      const share = Math.round((rejected * 10_000) / fetched) / 100;
      reasons.push({
        rule: 'REJECTED_ROWS',
        year: null,
        agencyId: null,
        agencyCode: null,
        before: String(fetched),
        after: String(rejected),
        limit: rules.maxRejectedPercent,
        message: `the runs rejected ${rejected} of ${fetched} rows (${share} %, limit ${rules.maxRejectedPercent} %)`,
      });
    }
  }
  return reasons;
}

async function agencyCodes(client: pg.ClientBase, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await client.query<{ id: number; code: string }>(
    'SELECT id, code FROM agency WHERE id = ANY($1::int[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.code]));
}
