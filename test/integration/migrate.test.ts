// The project's migration runner: ordered, once, recorded as Prisma records, safe in parallel.
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { MIGRATIONS_DIR, migrate, readMigrations } from '../../src/lib/migrate.js';
import { createTestDatabase } from '../helpers/db.js';

let url: string;
beforeEach(async () => {
  url = await createTestDatabase({ migrated: false });
});

async function records(): Promise<{ migration_name: string; checksum: string; finished_at: Date | null }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY 1',
    );
    return rows;
  } finally {
    await client.end();
  }
}

describe('migrate', () => {
  it('applies every migration once and records it the way prisma migrate deploy does', async () => {
    const first = await migrate(url);
    const all = await readMigrations();
    expect(first.applied).toEqual(all.map((m) => m.name));
    const rows = await records();
    expect(rows.map((r) => r.migration_name)).toEqual(all.map((m) => m.name));
    expect(rows.map((r) => r.checksum)).toEqual(all.map((m) => m.checksum));
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
  });

  it('changes nothing when run a second time', async () => {
    await migrate(url);
    const second = await migrate(url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied.length).toBeGreaterThan(0);
    expect(await records()).toHaveLength(second.alreadyApplied.length);
  });

  it('applies each migration exactly once when two processes migrate at the same time', async () => {
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    expect([...a.applied, ...b.applied].sort()).toEqual((await readMigrations()).map((m) => m.name).sort());
    expect(await records()).toHaveLength((await readMigrations()).length);
  });

  it('refuses to go on when an applied migration was edited afterwards', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bisma-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await migrate(url, dir);
    const [first] = await readMigrations(dir);
    await writeFile(path.join(dir, first!.name, 'migration.sql'), `${first!.sql}\n-- edited\n`);
    await expect(migrate(url, dir)).rejects.toMatchObject({ code: 'MIGRATION_MODIFIED' });
  });

  it('rolls back a failing migration completely and does not record it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bisma-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const bad = path.join(dir, '99999999999999_broken');
    await cp(path.join(dir, (await readMigrations(dir))[0]!.name), bad, { recursive: true });
    await writeFile(
      path.join(bad, 'migration.sql'),
      'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n',
    );
    await expect(migrate(url, dir)).rejects.toMatchObject({ code: 'MIGRATION_ERROR' });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rowCount } = await client.query(`SELECT 1 FROM pg_tables WHERE tablename = 'half_done'`);
    await client.end();
    expect(rowCount).toBe(0);
    expect((await records()).map((r) => r.migration_name)).not.toContain('99999999999999_broken');
  });
});
