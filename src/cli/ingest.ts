// The ingest subcommands of `bisma`: import a snapshot file, queue a run, list sources and runs.
import { basename } from 'node:path';
import { PROCUREMENT_DATASETS } from '../feed/contract.js';
import { AppError, ValidationError } from '../lib/errors.js';
import type { Producer } from '../worker/queues.js';
import { type Command, out, positiveInt } from './command.js';

// The services load when a command runs, so `bisma help` and usage errors answer at once.

/**
 * A dataset by its feed path or its last segment (e.g. paket-e-purchasing); without one, the
 * segment the file name contains (the longest, as one segment can contain another).
 */
function datasetArg(value: string | undefined, file: string): string {
  if (!value) {
    const name = basename(file);
    const segment = (d: string) => d.slice(d.lastIndexOf('/') + 1);
    const bySegment = [...PROCUREMENT_DATASETS].sort((a, b) => segment(b).length - segment(a).length);
    const found = bySegment.find((d) => name.includes(segment(d)));
    if (found) return found;
    throw new ValidationError('--dataset', `give --dataset, one of: ${PROCUREMENT_DATASETS.join(', ')}`);
  }
  const found = PROCUREMENT_DATASETS.find((d) => d === value || d.endsWith(`/${value}`));
  if (!found)
    throw new ValidationError(
      '--dataset',
      `unknown dataset ${value}; one of: ${PROCUREMENT_DATASETS.join(', ')}`,
    );
  return found;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString().replace('.000Z', 'Z') : '-');

async function withProducer<T>(fn: (producer: Producer) => Promise<T>): Promise<T> {
  // Asked first, with one attempt: a queue on a dead Redis would wait for it for ever.
  const { redisProblem, redisUnreachable } = await import('../lib/waiting.js');
  const problem = await redisProblem();
  if (problem) throw new AppError('REDIS_UNREACHABLE', redisUnreachable(problem));
  const { createProducer } = await import('../worker/queues.js');
  const queue = createProducer();
  try {
    return await fn(queue.producer);
  } finally {
    await queue.close();
  }
}

const ingestFile: Command = {
  name: 'ingest file',
  aliases: ['ingest-file'],
  args: 'PATH [--dataset D] [--klpd K] [--format jsonl|csv]',
  summary: 'import a snapshot file (JSON lines or CSV) as an ingest run',
  details:
    'The rows go through the feed’s validation and the same run bookkeeping as a pull; rejected rows ' +
    'are kept with their reasons. Afterwards a KPI recompute is queued (if Redis is down, the next ' +
    'recompute picks the changes up).',
  options: { dataset: { type: 'string' }, klpd: { type: 'string' }, format: { type: 'string' } },
  optionHelp: [
    `--dataset D   the feed dataset, by path or last segment (default: the one the file name contains): ${PROCUREMENT_DATASETS.join(', ')}`,
    '--klpd K      the agency code the file belongs to (default: FEED_KLPD)',
    '--format F    jsonl or csv (default: from the file name)',
  ],
  positionals: { min: 1, max: 1, names: ['PATH'] },
  usesDatabase: true,
  check(values) {
    if (values.format && values.format !== 'jsonl' && values.format !== 'csv') {
      throw new ValidationError('--format', 'must be jsonl or csv');
    }
  },
  async run(values, [path]) {
    const format = values.format as string | undefined;
    const { importFile } = await import('../services/ingest/file.js');
    const { enqueueRecompute } = await import('../worker/ingest-jobs.js');
    const run = await importFile({
      path: path!,
      dataset: datasetArg(values.dataset as string | undefined, path!),
      ...(values.klpd ? { klpdCode: values.klpd as string } : {}),
      ...(format ? { format: format as 'jsonl' | 'csv' } : {}),
    });
    out(
      `run ${run.id} ${run.status}: fetched ${run.fetched}, inserted ${run.inserted}, updated ${run.updated}, ` +
        `unchanged ${run.unchanged}, rejected ${run.rejected}, duplicates ${run.duplicates}, ` +
        `unknown agencies ${run.unknown_agencies}`,
    );
    if (run.rejected)
      out(`rejected rows and their reasons: query ingestRun(runId: ${run.id}) { rejectedRows }`);
    // The KPI hand-off, as after a pull; the dirty buckets stay for the next recompute if Redis is down.
    await withProducer((p) => enqueueRecompute(p, `file import run ${run.id}`, [run.id])).catch(
      (err: Error) =>
        process.stderr.write(
          `warning: KPI recompute not queued (${err.message}); the next one picks it up\n`,
        ),
    );
  },
};

const ingestRun: Command = {
  name: 'ingest run',
  aliases: ['ingest-run', 'ingest now'],
  args: 'SOURCE [--as-of YYYY-MM-DD]',
  summary: 'queue a pull of a feed source now (or a replay as of a date); prints the run number',
  details: 'The worker runs it; follow it with `bisma ingest runs`. Needs Redis (the queue).',
  options: { 'as-of': { type: 'string' } },
  optionHelp: ['--as-of D   replay the feed as it was on that date (YYYY-MM-DD)'],
  positionals: { min: 1, max: 1, names: ['SOURCE'] },
  usesDatabase: true,
  async run(values, [sourceKey]) {
    const asOf = (values['as-of'] as string | undefined) ?? null;
    const { triggerRun } = await import('../worker/ingest-jobs.js');
    const run = await withProducer((p) => triggerRun(p, { sourceKey: sourceKey!, asOf }));
    out(`run ${run.id} queued (${run.trigger}${asOf ? ` as of ${asOf}` : ''})`);
  },
};

const ingestSources: Command = {
  name: 'ingest sources',
  aliases: ['ingest-sources'],
  summary: 'list the feed sources with their schedules, next run, missed runs and lag',
  usesDatabase: true,
  async run() {
    const { listSources, sourceTiming } = await import('../services/ingest/sources.js');
    out('key\tcron\ttimezone\tcatch-up\tenabled\tnext run\tlast success\tsnapshot as of\tmissed\tlag s');
    for (const s of await listSources()) {
      const t = sourceTiming(s);
      out(
        [
          s.key,
          s.cron,
          s.timezone,
          s.catchUp,
          s.enabled,
          iso(t.nextRunAt),
          iso(s.lastSuccessAt),
          s.lastSnapshotAsOf?.toISOString().slice(0, 10) ?? '-',
          t.missedRuns,
          t.lagSeconds,
        ].join('\t'),
      );
    }
  },
};

const ingestRuns: Command = {
  name: 'ingest runs',
  aliases: ['ingest-runs', 'runs'],
  args: '[--source KEY] [--limit N]',
  summary: 'list the latest ingest runs with their counts, newest first',
  options: { source: { type: 'string' }, limit: { type: 'string' } },
  optionHelp: [
    '--source KEY   only the runs of this feed source',
    '--limit N      at most N runs (default 20)',
  ],
  usesDatabase: true,
  check(values) {
    positiveInt('--limit', values.limit, 20);
  },
  async run(values) {
    const { listRuns } = await import('../services/ingest/queries.js');
    const take = Math.min(positiveInt('--limit', values.limit, 20), 1000);
    const runs = await listRuns({ take }, { sourceKey: (values.source as string | undefined) ?? null });
    out(
      'run\tdataset\ttrigger\tstatus\tas of\tfetched\tinserted\tupdated\tunchanged\trejected\twithdrawn\terror',
    );
    for (const r of runs) {
      out(
        [
          r.id,
          r.dataset,
          r.trigger,
          r.status,
          r.asOf?.toISOString().slice(0, 10) ?? '-',
          r.fetched,
          r.inserted,
          r.updated,
          r.unchanged,
          r.rejected,
          r.withdrawn,
          r.error ?? '',
        ].join('\t'),
      );
    }
  },
};

export const INGEST_COMMANDS: Command[] = [ingestRun, ingestFile, ingestSources, ingestRuns];
