// The main job (`npm start`): migrate, load the demo data into an empty database, then run the
// feed simulator, the API and the worker as child processes; a signal stops them all, a crashed
// child stops the rest. On a fresh database the worker first replays the demo history (the
// reported dates, each followed by a KPI recompute), then its schedules start.
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
  process.once('SIGTERM', () => stopAll(0));
  process.once('SIGINT', () => stopAll(0));
  if (cfg.FEED_SIM) {
    start('feed-sim', './feed/simulator-main.ts');
    // The worker's first pulls should find the feed listening.
    await waitUntilUp(`http://127.0.0.1:${cfg.FEED_SIM_PORT}/healthz`, 20_000).catch((err: Error) =>
      logger.warn({ err: err.message }, 'feed simulator not answering yet; the worker retries'),
    );
  }
  if (!stopping) for (const [name, file] of Object.entries(processes())) start(name, file);
});

/** The processes of the main job besides the feed simulator, by name. */
function processes(): Record<string, string> {
  return { api: './api/main.ts', worker: './worker/main.ts' };
}

async function waitUntilUp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
