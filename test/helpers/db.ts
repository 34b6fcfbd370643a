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
  } finally {
    await admin.end();
  }
  return url;
}
