// The `bisma` operator command: one entry, a subcommand per task.
import { boot } from '../lib/boot.js';

const INGEST_COMMANDS = ['ingest-file', 'ingest-run', 'ingest-sources', 'ingest-runs'];

const HELP = `usage: bisma <command>

commands:
  migrate     apply pending database migrations (safe to run twice, or from two processes)
  seed        load the demo data set (idempotent)
  ingest-file PATH --dataset D [--klpd K] [--format jsonl|csv]
              import a snapshot file (JSON lines or CSV) with the feed's validation and run bookkeeping
  ingest-run SOURCE [--as-of YYYY-MM-DD]
              queue a run of a feed source now (or a replay as of a date); prints the run number
  ingest-sources
              list the feed sources with their schedules, next run, missed runs and lag
  ingest-runs [--source KEY] [--limit N]
              list the latest runs with their counts
  help        show this text`;

const [command = 'help', ...rest] = process.argv.slice(2);

await boot('cli', async () => {
  const { config } = await import('../config/env.js');
  if (INGEST_COMMANDS.includes(command)) {
    const { runIngestCommand } = await import('./ingest.js');
    await runIngestCommand(command, rest);
    return;
  }
  switch (command) {
    case 'migrate': {
      const { migrate } = await import('../lib/migrate.js');
      const result = await migrate(config().DATABASE_URL);
      process.stdout.write(
        `applied ${result.applied.length} migration(s)${result.applied.length ? `: ${result.applied.join(', ')}` : ''}; ` +
          `${result.alreadyApplied.length} already applied\n`,
      );
      return;
    }
    case 'seed': {
      const { loadDemoData } = await import('../services/demo/seed.js');
      const { closeDb } = await import('../lib/db.js');
      const { created } = await loadDemoData();
      await closeDb();
      process.stdout.write(`demo data loaded: ${JSON.stringify(created)}\n`);
      return;
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${HELP}\n`);
      return;
    default:
      process.stderr.write(`bisma: unknown command '${command}'\n${HELP}\n`);
      process.exit(2);
  }
});
