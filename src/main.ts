// The main job (`npm start`): migrate, load the demo data into an empty database, then run the
// API and the worker as child processes; a signal stops both, a crashed child stops the rest.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { boot } from './lib/boot.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

await boot('main', async () => {
  const { config } = await import('./config/env.js');
  const { migrate } = await import('./lib/migrate.js');
  const { closeDb } = await import('./lib/db.js');
  const { logger } = await import('./lib/logger.js');
  const { isDatabaseEmpty, loadDemoData } = await import('./services/demo/seed.js');

  const cfg = config();
  const migrated = await migrate(cfg.DATABASE_URL).catch((err: Error & { code?: string }) => {
    throw new Error(`cannot migrate the database: ${err.message}`);
  });
  logger.info({ applied: migrated.applied }, 'database migrated');
  if (cfg.DEMO_SEED && (await isDatabaseEmpty())) {
    const { created } = await loadDemoData();
    logger.info({ created }, 'demo data loaded');
  }
  await closeDb();

  const children = new Map<string, ChildProcess>();
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children.values()) child.kill('SIGTERM');
    const check = setInterval(() => {
      if ([...children.values()].every((c) => c.exitCode !== null || c.signalCode !== null)) {
        clearInterval(check);
        process.exit(code);
      }
    }, 100);
  };
  const start = (name: string, file: string) => {
    const child = fork(here(file), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    children.set(name, child);
    child.on('exit', (code, signal) => {
      if (!stopping) {
        logger.error({ code, signal }, `${name} exited; stopping the main job`);
        stopAll(code || 1);
      }
    });
  };
  for (const [name, file] of Object.entries(processes())) start(name, file);
  process.once('SIGTERM', () => stopAll(0));
  process.once('SIGINT', () => stopAll(0));
});

/** The processes of the main job, by name. */
function processes(): Record<string, string> {
  return { api: './api/main.ts', worker: './worker/main.ts' };
}
