// Once per run: migrate a template database that each test file's database is cloned from.
// Names carry the run's start time, so concurrent runs (several developers, CI) never touch
// each other's databases, and leftovers of crashed runs are dropped once they are an hour old.
// Plain JS: Jest loads global set-up outside its ESM transform, so migrating goes through the CLI.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const STALE_AFTER_S = 3600;
/** Sessions dropping databases at the same time. */
const DROP_LANES = 8;

export function adminUrl(database = 'postgres') {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${database}`;
  return url.toString();
}

/** Drops the databases of one run (by tag), or of every run older than the stale limit. */
export async function dropTestDatabases({ runTag }) {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      `SELECT datname FROM pg_database WHERE datname LIKE 'bisma\\_test\\_%'`,
    );
    const now = Math.floor(Date.now() / 1000);
    const doomed = rows
      .map(({ datname }) => datname)
      .filter((datname) => {
        const started = Number(/^bisma_test_(\d+)_/.exec(datname)?.[1] ?? 0);
        return runTag ? datname.startsWith(`bisma_test_${runTag}_`) : now - started > STALE_AFTER_S;
      });
    // Each DROP DATABASE waits for a checkpoint; drops that wait at the same time share one, so a
    // few sessions dropping side by side take seconds where one after another took a minute and
    // more (a run leaves about a hundred databases).
    const lanes = Array.from({ length: Math.min(DROP_LANES, doomed.length) }, async () => {
      const client = new pg.Client({ connectionString: adminUrl() });
      await client.connect();
      try {
        for (let name = doomed.shift(); name !== undefined; name = doomed.shift())
          await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    });
    await Promise.all(lanes);
  } finally {
    await admin.end();
  }
}

export default async function globalSetup() {
  await dropTestDatabases({});
  const runTag = `${Math.floor(Date.now() / 1000)}_${randomBytes(3).toString('hex')}`;
  process.env.BISMA_TEST_RUN = runTag;
  // Compile dist/ once, before any test file runs: tests run the processes compiled (as npm start
  // does), the processes and bench-smoke tests build first themselves (their builds are then
  // incremental no-ops, and two compilers never write dist/ at the same time), and the template is
  // migrated by the compiled CLI.
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], {
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`npm run build failed: ${built.stdout}${built.stderr}`);
  const result = spawnSync(process.execPath, ['dist/cli/bisma.js', 'migrate'], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      DATABASE_URL: adminUrl(`bisma_test_${runTag}_tpl`),
      LOG_LEVEL: 'silent',
    },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`migrating the test template failed: ${result.stderr}`);
}
