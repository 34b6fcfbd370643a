// The ingest subcommands of `bisma`: import a snapshot file, queue a run, list sources and runs.
import { FEED_DATASETS } from '../feed/contract.js';
import type { Producer } from '../jobs/producer.js';
import { fromDbDate } from '../lib/dates.js';
import { AppError, ValidationError } from '../lib/errors.js';
import { type Command, out, positiveInt } from './command.js';

// The services load when a command runs, so `bisma help` and usage errors answer at once.

/** A dataset by its feed path or its last segment (e.g. paket-e-purchasing, master-satker). */
function datasetArg(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const found = FEED_DATASETS.find((d) => d === value || d.endsWith(`/${value}`));
  if (!found)
    throw new ValidationError('--dataset', `unknown dataset ${value}; one of: ${FEED_DATASETS.join(', ')}`);
  return found;
}

/** How many rejection reasons the import prints; the rest are one command away. */
const FIRST_REASONS = 5;

const iso = (d: Date | null | undefined) => (d ? d.toISOString().replace('.000Z', 'Z') : '-');

async function withProducer<T>(fn: (producer: Producer) => Promise<T>): Promise<T> {
  // Asked first, with one attempt: a queue on a dead Redis would wait for it for ever.
  const { redisProblem, redisUnreachable } = await import('../lib/waiting.js');
  const problem = await redisProblem();
  if (problem) throw new AppError('REDIS_UNREACHABLE', redisUnreachable(problem));
  const { createProducer } = await import('../jobs/producer.js');
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
  args: 'PATH [--dataset D] [--klpd K] [--year Y] [--as-of YYYY-MM-DD] [--partial] [--format json|jsonl|csv]',
  summary: 'import a snapshot file (a JSON array, JSON lines or CSV, as published) as an ingest run',
  details:
    'The file is read as LKPP and public dumps publish it: one JSON array (compact or pretty, with or ' +
    'without a byte-order mark), JSON lines, or CSV separated by `,` or `;` (detected). Its rows go ' +
    'through the feed’s validation and the same run bookkeeping as a pull; rejected rows are kept with ' +
    'their reasons. The file is a full snapshot of its dataset, KLPD and year: items it no longer lists ' +
    'are withdrawn (not with --partial). Its KLPD and year come from the rows, its as-of date from ' +
    '--as-of or from the data (the extraction date the rows state, else their latest date). A file ' +
    'whose rows are all rejected fails (exit 1) and changes nothing. Afterwards a KPI recompute is ' +
    'queued (if Redis is down, the next recompute picks the changes up).',
  options: {
    dataset: { type: 'string' },
    klpd: { type: 'string' },
    year: { type: 'string' },
    'as-of': { type: 'string' },
    partial: { type: 'boolean' },
    format: { type: 'string' },
  },
  optionHelp: [
    `--dataset D   the feed dataset, by path or last segment (default: recognised from the rows' fields): ${FEED_DATASETS.join(', ')}`,
    '--klpd K      the KLPD the file belongs to (default: the rows’ kd_klpd, else FEED_KLPD); rows of another KLPD are rejected',
    '--year Y      the fiscal year of the snapshot (default: the rows’)',
    '--as-of D     the date the snapshot stands as of (default: from the data, never the import day)',
    '--partial     the file holds only some rows: nothing is withdrawn',
    '--format F    json, jsonl or csv (default: from the content)',
  ],
  positionals: { min: 1, max: 1, names: ['PATH'] },
  usesDatabase: true,
  check(values) {
    if (values.format && !['json', 'jsonl', 'csv'].includes(values.format as string)) {
      throw new ValidationError('--format', 'must be json, jsonl or csv');
    }
    if (values.year !== undefined) positiveInt('--year', values.year, 0);
  },
  async run(values, [path]) {
    const format = values.format as 'json' | 'jsonl' | 'csv' | undefined;
    const dataset = datasetArg(values.dataset as string | undefined);
    const { importFile } = await import('../services/ingest/file.js');
    const { queueRecomputeAfter } = await import('../services/ingest/requests.js');
    const run = await importFile({
      path: path!,
      ...(dataset ? { dataset } : {}),
      ...(values.klpd ? { klpdCode: values.klpd as string } : {}),
      ...(values.year ? { year: Number(values.year) } : {}),
      ...(values['as-of'] ? { asOf: values['as-of'] as string } : {}),
      ...(values.partial ? { partial: true } : {}),
      ...(format ? { format } : {}),
    });
    out(
      `run ${run.id} ${run.status}: fetched ${run.fetched}, inserted ${run.inserted}, updated ${run.updated}, ` +
        `unchanged ${run.unchanged}, rejected ${run.rejected}, duplicates ${run.duplicates}, ` +
        `unknown agencies ${run.unknownAgencies}, withdrawn ${run.withdrawn}, as of ${run.asOf ?? '-'}` +
        (run.partial ? ' (partial: nothing withdrawn)' : ''),
    );
    if (run.rejected) {
      const { listRejected } = await import('../services/ingest/queries.js');
      for (const r of await listRejected(run.id, FIRST_REASONS)) {
        out(`  row ${r.rowNumber}${r.sourceKey ? ` (${r.sourceKey})` : ''}: ${r.reason}`);
      }
      out(`every rejected row: bisma ingest rejected ${run.id}`);
    }
    const { suspectItems } = await import('../services/ingest/suspects.js');
    const suspects = await suspectItems(run.id, FIRST_REASONS);
    if (suspects.count > 0) {
      out(`suspect rows (kept as reported, flagged in the KPIs): ${suspects.count}, value ${suspects.value}`);
      for (const s of suspects.rows) out(`  ${s.sourceKey}: ${s.reason}`);
    }
    if (run.status !== 'SUCCEEDED') throw new ImportFailed(`run ${run.id} ${run.status}: ${run.error ?? ''}`);
    // The KPI hand-off, as after a pull; the dirty buckets stay for the next recompute if Redis is down.
    const finished = { id: run.id, status: run.status, dataset: run.dataset };
    await withProducer((p) => queueRecomputeAfter(p, `file import run ${run.id}`, [finished])).catch(
      (err: Error) =>
        process.stderr.write(
          `warning: KPI recompute not queued (${err.message}); the next one picks it up\n`,
        ),
    );
  },
};

/** An import that ended without importing anything: exit code 1 after the counts. */
class ImportFailed extends AppError {
  constructor(message: string) {
    super('IMPORT_FAILED', message);
  }
}

const ingestRejected: Command = {
  name: 'ingest rejected',
  aliases: ['ingest-rejected'],
  args: 'RUN [--limit N]',
  summary: 'list the rejected rows of an ingest run with their reasons',
  options: { limit: { type: 'string' } },
  optionHelp: ['--limit N   at most N rows (default 1000)'],
  positionals: { min: 1, max: 1, names: ['RUN'] },
  usesDatabase: true,
  check(values, [run]) {
    positiveInt('RUN', run, 0);
    positiveInt('--limit', values.limit, 1000);
  },
  async run(values, [run]) {
    const { listRejected } = await import('../services/ingest/queries.js');
    out('row\tsource key\treason');
    for (const r of await listRejected(Number(run), positiveInt('--limit', values.limit, 1000))) {
      out([r.rowNumber, r.sourceKey ?? '-', r.reason].join('\t'));
    }
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
    const { triggerRun } = await import('../services/ingest/requests.js');
    const run = await withProducer((p) => triggerRun(p, { sourceKey: sourceKey!, asOf }));
    out(`run ${run.id} queued (${run.trigger}${asOf ? ` as of ${asOf}` : ''})`);
  },
};

const ingestReplay: Command = {
  name: 'ingest replay',
  aliases: ['ingest-replay'],
  args: '--year Y --as-of YYYY-MM-DD',
  summary: 'queue a replay of every feed source of a fiscal year as of a date; prints the run numbers',
  details:
    'The worker runs them; once all are done the year is reconstructed as of that date (published ' +
    'when it differs from what was published for it) and the items return to the latest snapshots. ' +
    'Needs Redis (the queue).',
  options: { year: { type: 'string' }, 'as-of': { type: 'string' } },
  optionHelp: ['--year Y     the fiscal year', '--as-of D    the date to reconstruct (YYYY-MM-DD)'],
  usesDatabase: true,
  async run(values) {
    if (values.year === undefined) throw new ValidationError('--year', 'give the fiscal year to replay');
    const fiscalYear = positiveInt('--year', values.year, 0);
    const asOf = values['as-of'] as string | undefined;
    if (!asOf) throw new ValidationError('--as-of', 'give the date to replay, YYYY-MM-DD');
    const { triggerReplay } = await import('../services/ingest/requests.js');
    const runs = await withProducer((p) => triggerReplay(p, { fiscalYear, asOf }));
    out(`runs ${runs.map((r) => r.id).join(', ')} queued (REPLAY of ${fiscalYear} as of ${asOf})`);
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
          s.lastSnapshotAsOf ? fromDbDate(s.lastSnapshotAsOf) : '-',
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
          r.asOf ? fromDbDate(r.asOf) : '-',
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

export const INGEST_COMMANDS: Command[] = [
  ingestRun,
  ingestReplay,
  ingestFile,
  ingestRejected,
  ingestSources,
  ingestRuns,
];
