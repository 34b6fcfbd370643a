// `bisma recompute`: recomputes the KPI aggregates in this process and publishes a data version.
import { type Command, out } from './command.js';

export const recompute: Command = {
  name: 'recompute',
  args: '[--full] [--reason TEXT] [--as-of YYYY-MM-DD]',
  summary: 'recompute the KPI aggregates now (changed buckets, or all with --full)',
  details:
    'Runs here, not on the worker, serialised with the worker’s recomputes by a database lock. ' +
    'Without changes and without --full it publishes nothing and prints the current version.',
  options: {
    full: { type: 'boolean' },
    reason: { type: 'string' },
    'as-of': { type: 'string' },
  },
  optionHelp: [
    '--full          recompute every bucket from the stored items, not only the changed ones',
    '--reason TEXT   recorded on the data version (default: "bisma recompute")',
    '--as-of D       the as-of date (YYYY-MM-DD) recorded for the years this version touches',
  ],
  usesDatabase: true,
  async run(values) {
    const full = values.full === true;
    const { recomputeKpis } = await import('../services/kpi/recompute.js');
    const result = await recomputeKpis({
      reason: (values.reason as string | undefined) ?? 'bisma recompute',
      full,
      asOf: (values['as-of'] as string | undefined) ?? null,
    });
    out(
      `data version ${result.version}: ${result.touchedBuckets} bucket(s) recomputed (${full ? 'full' : 'incremental'})`,
    );
  },
};
