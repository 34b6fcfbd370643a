// The ingest subcommands of `bisma`: import a snapshot file, queue a run, list sources and runs.
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { PROCUREMENT_DATASETS } from '../feed/contract.js';
import { closeDb } from '../lib/db.js';
import { ValidationError } from '../lib/errors.js';
import { importFile } from '../services/ingest/file.js';
import { listRuns } from '../services/ingest/queries.js';
import { listSources, sourceTiming } from '../services/ingest/sources.js';
import { enqueueRecompute, triggerRun } from '../worker/ingest-jobs.js';
import { createProducer } from '../worker/queues.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

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

async function withProducer<T>(
  fn: (producer: ReturnType<typeof createProducer>['producer']) => Promise<T>,
): Promise<T> {
  const queue = createProducer();
  try {
    return await fn(queue.producer);
  } finally {
    await queue.close();
  }
}

export async function runIngestCommand(command: string, argv: string[]): Promise<void> {
  try {
    switch (command) {
      case 'ingest-file': {
        const { values, positionals } = parseArgs({
          args: argv,
          allowPositionals: true,
          options: { dataset: { type: 'string' }, klpd: { type: 'string' }, format: { type: 'string' } },
        });
        const path = positionals[0];
        if (!path) throw new ValidationError('PATH', 'give the file to import');
        if (values.format && values.format !== 'jsonl' && values.format !== 'csv') {
          throw new ValidationError('--format', 'must be jsonl or csv');
        }
        const run = await importFile({
          path,
          dataset: datasetArg(values.dataset, path),
          ...(values.klpd ? { klpdCode: values.klpd } : {}),
          ...(values.format ? { format: values.format as 'jsonl' | 'csv' } : {}),
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
        return;
      }
      case 'ingest-run': {
        const { values, positionals } = parseArgs({
          args: argv,
          allowPositionals: true,
          options: { 'as-of': { type: 'string' } },
        });
        if (!positionals[0])
          throw new ValidationError('SOURCE', 'give a source key (see bisma ingest-sources)');
        const run = await withProducer((p) =>
          triggerRun(p, { sourceKey: positionals[0]!, asOf: values['as-of'] ?? null }),
        );
        out(`run ${run.id} queued (${run.trigger}${values['as-of'] ? ` as of ${values['as-of']}` : ''})`);
        return;
      }
      case 'ingest-sources': {
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
        return;
      }
      case 'ingest-runs': {
        const { values } = parseArgs({
          args: argv,
          options: { source: { type: 'string' }, limit: { type: 'string', default: '20' } },
        });
        const runs = await listRuns(
          { take: Math.min(Number(values.limit) || 20, 1000) },
          { sourceKey: values.source ?? null },
        );
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
        return;
      }
      default:
        throw new Error(`not an ingest command: ${command}`);
    }
  } catch (err) {
    if (err instanceof ValidationError) {
      process.stderr.write(`bisma ${command}: ${err.field}: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  } finally {
    await closeDb();
  }
}
