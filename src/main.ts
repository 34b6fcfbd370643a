// The main job (`npm start`): migrate, load the demo data into an empty database, then run the
// feed simulator, the API and the worker as child processes; a signal stops them all, a crashed
// child stops the rest. On a fresh database the worker first replays the demo history (the
// reported dates, each followed by a KPI recompute), then its schedules start. One line says when
// the KPIs are ready, with the addresses to open.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { boot } from './lib/boot.js';
import { HEAP_MB, heapFlag } from './lib/heap.js';

// Compiled (`npm start` runs dist/main.js) the children are compiled too and start without tsx;
// run from source (`node --import tsx src/main.ts`) they start from source the same way.
const compiled = import.meta.url.endsWith('.js');
const here = (file: string) =>
  fileURLToPath(new URL(compiled ? file.replace(/\.ts$/, '.js') : file, import.meta.url));
const childExecArgv = compiled ? [] : ['--import', 'tsx'];

await boot('main', async () => {
  const { config } = await import('./config/env.js');
  const { migrate } = await import('./lib/migrate.js');
  const { closeDb, pool } = await import('./lib/db.js');
  const { logger } = await import('./lib/logger.js');
  const { isDatabaseEmpty, loadDemoData } = await import('./demo/seed.js');
  const { itemTableEmpty } = await import('./services/ingest/queries.js');

  const cfg = config();
  if (cfg.NODE_ENV === 'production' && !(cfg.DEMO_SEED && cfg.FEED_SIM)) {
    logger.info(
      `production: ${cfg.DEMO_SEED ? '' : 'no demo data (DEMO_SEED=true loads it), '}` +
        `${cfg.FEED_SIM ? '' : 'no feed simulator (FEED_SIM=true starts it), '}the feed is ${cfg.FEED_URL}`,
    );
  }
  const migrated = await migrate(cfg.DATABASE_URL).catch((err: Error & { code?: string }) => {
    throw new Error(`cannot migrate the database: ${err.message}`);
  });
  logger.info({ applied: migrated.applied }, 'database migrated');
  if (cfg.DEMO_SEED && (await isDatabaseEmpty())) {
    const { created } = await loadDemoData();
    logger.info({ created }, 'demo data loaded');
  }
  // The worker replays the demo history first in this case: the KPIs are ready after it.
  const warmUp = cfg.DEMO_SEED && (await itemTableEmpty());
  if (!warmUp) await closeDb();

  const children = new Map<string, ChildProcess>();
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children.values()) child.kill('SIGTERM');
    const check = setInterval(() => {
      if ([...children.values()].every((c) => c.exitCode !== null || c.signalCode !== null)) {
        clearInterval(check);
        logger.info('main stopped');
        logger.flush?.();
        process.exit(code);
      }
    }, 100);
  };
  const start = (name: string, file: string) => {
    const execArgv =
      name in HEAP_MB ? [...childExecArgv, heapFlag(name as keyof typeof HEAP_MB)] : childExecArgv;
    const child = fork(here(file), [], { execArgv, stdio: 'inherit' });
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
    if (cfg.FEED_URL_GIVEN && new URL(cfg.FEED_URL).port !== String(cfg.FEED_SIM_PORT)) {
      logger.warn(
        `the simulator listens on port ${cfg.FEED_SIM_PORT}, but the worker pulls FEED_URL=${cfg.FEED_URL}`,
      );
    }
    start('feed-sim', './demo/simulator-main.ts');
    // The worker's first pulls should find the feed listening.
    await waitUntil(
      () => answers(`http://127.0.0.1:${cfg.FEED_SIM_PORT}/healthz`),
      20_000,
      () => stopping,
    ).catch((err: Error) =>
      logger.warn({ err: err.message }, 'feed simulator not answering yet; the worker retries'),
    );
  }
  if (stopping) return;
  for (const [name, file] of Object.entries(processes())) start(name, file);

  const local = `http://127.0.0.1:${cfg.PORT}`;
  const browser = `http://${cfg.HOST === '0.0.0.0' || cfg.HOST === '::' ? 'localhost' : cfg.HOST}:${cfg.PORT}${cfg.BASE_PATH}`;
  await waitUntil(
    async () => (await answers(`${local}/readyz`)) && !(warmUp && !(await demoReplayed())),
    0,
    () => stopping,
  );
  if (stopping) return;
  if (warmUp) await closeDb();
  logger.info(
    { dashboard: `${browser}/`, explorer: `${browser}/explorer`, graphql: `${browser}/graphql` },
    `bisma ready: dashboard ${browser}/ · explorer ${browser}/explorer · GraphQL ${browser}/graphql`,
  );

  /** Whether the worker has finished (or given up on) the demo history. */
  async function demoReplayed(): Promise<boolean> {
    const res = await fetch(`${local}/readyz`).catch(() => undefined);
    const body = (await res?.json().catch(() => undefined)) as { warmingUp?: boolean } | undefined;
    if (body?.warmingUp !== false) return false;
    // Not warming up: finished, or not queued yet. Items and a published version say which.
    const { rows } = await pool.query(
      "SELECT (SELECT count(*) FROM kpi_version WHERE status = 'PUBLISHED') > 0 AS published",
    );
    return rows[0]?.published === true;
  }
});

/** The processes of the main job besides the feed simulator, by name. */
function processes(): Record<string, string> {
  return { api: './api/main.ts', worker: './worker/main.ts' };
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** Polls `probe` until it holds, `stop()` says to give up, or `timeoutMs` passes (0: no limit). */
async function waitUntil(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  stop: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (stop() || (await probe())) return;
    if (timeoutMs && Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
