// `bisma recompute`: recomputes the KPI aggregates in this process, through the same service and
// the same publish gate as the worker, and says what readers see afterwards.
import { type Command, out, UsageError } from './command.js';

function runIdList(value: string | boolean | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const ids = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : [];
  if (ids.length === 0 || ids.some((id) => !/^\d+$/.test(id) || Number(id) < 1)) {
    throw new UsageError(`--runs must be ingest run ids separated by commas, not '${String(value)}'`);
  }
  return ids.map(Number);
}

export const recompute: Command = {
  name: 'recompute',
  args: '[--full] [--runs ID,…] [--reason TEXT] [--as-of YYYY-MM-DD]',
  summary: 'recompute the KPI aggregates now (changed buckets, or all with --full)',
  details:
    'Runs here, not on the worker, serialised with the worker’s recomputes by a database lock, and passes ' +
    'the same publish gate: a version that breaks a drift rule or still holds a rejected or rolled-back ' +
    'run is held for an admin. Figures equal to the published ones publish nothing (they are confirmed). ' +
    'It prints the version readers see afterwards.',
  options: {
    full: { type: 'boolean' },
    runs: { type: 'string' },
    reason: { type: 'string' },
    'as-of': { type: 'string' },
  },
  optionHelp: [
    '--full          recompute every bucket from the stored items, not only the changed ones',
    '--runs ID,…     ingest runs this recompute follows (every run not yet accounted for is included anyway)',
    '--reason TEXT   recorded on the data version (default: "bisma recompute")',
    '--as-of D       the as-of date (YYYY-MM-DD) recorded for the years this version touches',
  ],
  usesDatabase: true,
  check(values) {
    runIdList(values.runs);
  },
  async run(values) {
    const full = values.full === true;
    const runIds = runIdList(values.runs);
    const { recomputeKpis, publishedVersionId } = await import('../services/kpi/recompute.js');
    const result = await recomputeKpis({
      reason: (values.reason as string | undefined) ?? 'bisma recompute',
      full,
      ...(runIds ? { runIds } : {}),
      asOf: (values['as-of'] as string | undefined) ?? null,
    });
    const mode = full ? 'full' : 'incremental';
    if (result.status === 'PUBLISHED') {
      out(
        `data version ${result.version} published: ${result.touchedBuckets} bucket(s) recomputed (${mode})`,
      );
    } else if (result.status === 'HELD') {
      const reasons = (result.heldReasons ?? []).map((r) => r.message).join('; ');
      out(
        `data version ${result.version} held for an admin (${reasons}); readers still see data version ${await publishedVersionId()}`,
      );
    } else {
      out(
        `no change: data version ${result.version} stays published (${result.touchedBuckets} bucket(s) recomputed, ${mode})`,
      );
    }
    if (result.waitingYears?.length) {
      out(`waiting: ${result.waitingYears.join(', ')} (some sources were replayed as of another date)`);
    }
    if (result.restoredRuns?.length) {
      out(`live state restored: replayed run(s) ${result.restoredRuns.join(', ')} taken back`);
    }
  },
};
