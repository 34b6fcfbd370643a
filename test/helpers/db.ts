// Per-file database: cloned from the migrated template on first use.
import pg from 'pg';
import { adminUrl, templateDb } from './template.js';

/** Creates this test file's database (named in DATABASE_URL by test/helpers/env.ts). */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<string> {
  const url = process.env.DATABASE_URL!;
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    // CREATE DATABASE ... TEMPLATE fails while another session is connected to the template.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(
          options.migrated === false
            ? `CREATE DATABASE "${name}"`
            : `CREATE DATABASE "${name}" TEMPLATE "${templateDb()}"`,
        );
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // Commits need not wait for the WAL to reach the disk: a test database is thrown away after
    // its run, and only a crash of the PostgreSQL server (never caused by a test) could lose the
    // last commits. Every session of the file (its own, and the processes it starts) sees each
    // commit exactly as before; only the per-commit flush wait goes, which dominates the many
    // small write transactions the tests make.
    await admin.query(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
  } finally {
    await admin.end();
  }
  return url;
}
