// The demo history: on a fresh installation the worker replays every source as of each date the
// programme's figures were reported (FEED.md), oldest first, each date followed by a KPI
// recompute, so a data version exists for every reported date. Safe to retry: finished replays
// are found by their job keys and not read again.

import { logger } from '../lib/logger.js';
import { type PullOptions, pull } from '../services/ingest/pull.js';
import { listSources } from '../services/ingest/sources.js';
import { recomputeKpis } from '../services/kpi/recompute.js';
import { REPORTED_FIGURES } from './sim-data.js';

export interface DemoStep {
  asOf: string;
  fiscalYear: number;
}

/** The reported dates, oldest first, with the fiscal year whose sources each one replays. */
export function demoHistorySteps(): DemoStep[] {
  return [...REPORTED_FIGURES]
    .sort((a, b) => a.asOf.localeCompare(b.asOf))
    .map((f) => ({ asOf: f.asOf, fiscalYear: f.fiscalYear }));
}

export type DemoOutcome =
  | { outcome: 'finished'; versions: Array<{ asOf: string; version: number; runIds: number[] }> }
  | { outcome: 'paused' }
  | { outcome: 'busy'; sourceKey: string }
  /** The feed asked to wait this long (Retry-After): the job comes back then. */
  | { outcome: 'delayed'; delayMs: number };

export async function replayDemoHistory(
  options: Pick<PullOptions, 'signal' | 'feed' | 'finalAttempt'> = {},
): Promise<DemoOutcome> {
  const sources = await listSources({ enabled: true });
  const versions: Array<{ asOf: string; version: number; runIds: number[] }> = [];
  for (const step of demoHistorySteps()) {
    const runIds: number[] = [];
    for (const source of sources.filter((s) => s.fiscalYear === step.fiscalYear)) {
      const result = await pull(
        {
          sourceKey: source.key,
          trigger: 'REPLAY',
          jobKey: `demo.${step.asOf}.${source.key}`,
          requestedAsOf: step.asOf,
        },
        options,
      );
      if (result.outcome === 'busy') return result;
      if (result.outcome === 'delayed') return { outcome: 'delayed', delayMs: result.delayMs };
      if (result.outcome !== 'finished') return { outcome: 'paused' };
      runIds.push(result.run.id);
    }
    const { version } = await recomputeKpis({
      reason: `demo history as of ${step.asOf}`,
      runIds,
      asOf: step.asOf,
    });
    versions.push({ asOf: step.asOf, version, runIds });
    logger.info({ asOf: step.asOf, version, runs: runIds.length }, 'demo history: snapshot replayed');
  }
  return { outcome: 'finished', versions };
}
