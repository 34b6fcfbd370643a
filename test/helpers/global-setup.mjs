// Once per run: drop databases left by earlier runs, then build a fresh migrated template that
// each test file's database is cloned from. Plain JS: Jest loads global setup outside its ESM
// transform, so the migration runs through the project's own CLI.
import { spawnSync } from 'node:child_process';
import pg from 'pg';

export const TEMPLATE_DB = 'bisma_test_template';

export function adminUrl(database = 'postgres') {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${database}`;
  return url.toString();
}

export async function dropTestDatabases({ keepTemplate }) {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      `SELECT datname FROM pg_database WHERE datname LIKE 'bisma\\_test\\_%'`,
    );
    for (const { datname } of rows) {
      if (keepTemplate && datname === TEMPLATE_DB) continue;
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

export default async function globalSetup() {
  await dropTestDatabases({ keepTemplate: false });
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/bisma.ts', 'migrate'], {
    env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: adminUrl(TEMPLATE_DB), LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`migrating the test template failed: ${result.stderr}`);
}
