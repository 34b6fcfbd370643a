// The `bisma` command as an operator runs it: a child process per subcommand against this
// file's database and Redis prefix, checking what it prints, its exit code and what it wrote.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { closeDb, pool, prisma } from '../../src/lib/db.js';
import { authenticateApiKey } from '../../src/services/api-keys.js';
import { ensureSources } from '../../src/services/ingest/sources.js';
import { createRun, upsertItems } from '../factories/kpi-items.js';
import { createTestDatabase } from '../helpers/db.js';
import { spawnEntry } from '../helpers/process.js';
import { flushTestPrefix } from '../helpers/redis.js';

/** Runs `bisma` (the TypeScript entry directly; `viaBin` goes through the npm bin script). */
async function bisma(args: string[], env: Record<string, string> = {}, viaBin = false) {
  const cli = spawnEntry(viaBin ? 'bin/bisma.js' : 'src/cli/bisma.ts', env, args);
  const { code } = await cli.exited;
  return { code, ...cli.output() };
}

const oneLine = (text: string) => text.trimEnd().split('\n').length === 1;

beforeAll(async () => {
  await createTestDatabase();
});
afterAll(async () => {
  await flushTestPrefix();
  await closeDb();
});

describe('help', () => {
  it('lists every subcommand, and shows one command’s usage by `help <command>` and by --help', async () => {
    const [overview, helpCreate, createFlag, group] = await Promise.all([
      bisma(['help'], {}, true),
      bisma(['help', 'keys', 'create']),
      bisma(['keys', 'create', '--help']),
      bisma(['ingest', '--help']),
    ]);
    expect(overview.code).toBe(0);
    for (const name of [
      'migrate',
      'seed',
      'ingest run',
      'ingest replay',
      'ingest file',
      'ingest sources',
      'ingest runs',
      'recompute',
      'keys create',
      'keys list',
      'keys revoke',
      'help',
    ]) {
      expect(overview.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
    expect(helpCreate.code).toBe(0);
    expect(helpCreate.stdout).toMatch(/^usage: bisma keys create NAME --role ANALYST\|ADMIN$/m);
    expect(createFlag).toEqual(helpCreate);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/^usage: bisma ingest <subcommand>/);
    expect(group.stdout).toMatch(/^ {2}ingest file +import a snapshot file/m);
  });
});

describe('wrong use', () => {
  it('refuses unknown commands, unknown options and missing or bad arguments with one line and exit 2', async () => {
    const keysBefore = await prisma.apiKey.count();
    const results = await Promise.all([
      bisma(['frobnicate']),
      bisma(['keys', 'rotate']),
      bisma(['keys', 'create', 'ops', '--role', 'ADMIN', '--colour', 'red']),
      bisma(['keys', 'create', '--role', 'ADMIN']),
      bisma(['keys', 'create', 'ops', '--role', 'ROOT']),
      bisma(['keys', 'create', 'ops']),
      bisma(['ingest', 'runs', '--limit', '0']),
      bisma(['migrate', 'now']),
    ]);
    const stderr = results.map((r) => r.stderr.trimEnd());
    expect(stderr).toEqual([
      "bisma frobnicate: unknown command (see 'bisma help' for the list)",
      "bisma keys: unknown subcommand 'rotate', one of: create, list, revoke",
      "bisma keys create: unknown option '--colour' (see 'bisma help keys create')",
      "bisma keys create: missing NAME (see 'bisma help keys create')",
      "bisma keys create: --role must be one of ANALYST, ADMIN, not 'ROOT' (see 'bisma help keys create')",
      "bisma keys create: --role is required, one of ANALYST, ADMIN (see 'bisma help keys create')",
      "bisma ingest runs: --limit must be a whole number above 0, not '0' (see 'bisma help ingest runs')",
      "bisma migrate: unexpected argument 'now' (see 'bisma help migrate')",
    ]);
    for (const r of results) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    }
    expect(await prisma.apiKey.count()).toBe(keysBefore);
  });

  it('says in one line, exit 1, that the database cannot be reached, naming it without its password', async () => {
    const env = { DATABASE_URL: 'postgresql://ops:hunter2secret@127.0.0.1:1/bisma' };
    const [list, migrate] = await Promise.all([bisma(['keys', 'list'], env), bisma(['migrate'], env)]);
    for (const r of [list, migrate]) {
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toBe(true);
      expect(r.stderr).toContain('cannot reach PostgreSQL at postgresql://ops:***@127.0.0.1:1/bisma');
      expect(r.stderr).not.toContain('hunter2secret');
    }
    expect(list.stderr).toMatch(/^bisma keys list: /);
    expect(migrate.stderr).toMatch(/^bisma migrate: /);
  });

  it('says in one line, exit 1, that Redis cannot be reached, and queues nothing meanwhile', async () => {
    await ensureSources();
    const source = await prisma.feedSource.findFirstOrThrow({ orderBy: { key: 'asc' } });
    const runsBefore = await prisma.ingestRun.count();
    const started = Date.now();
    const r = await bisma(['ingest', 'run', source.key], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^bisma ingest run: cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/? \(REDIS_URL\)/,
    );
    expect(oneLine(r.stderr)).toBe(true);
    expect(await prisma.ingestRun.count()).toBe(runsBefore);
  });

  it('exits 0 without an error when its reader stops early (`bisma … | head -1`)', async () => {
    await ensureSources();
    // The header line is written before the sources are read: the pipe is closed by then.
    const cli = spawnEntry('src/cli/bisma.ts', {}, ['ingest', 'sources']);
    // The reader takes one chunk, then closes the pipe, as `head -1` does.
    cli.child.stdout!.once('data', () => cli.child.stdout!.destroy());
    const { code } = await cli.exited;
    expect({ code, stderr: cli.output().stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('rejects an invalid setting before running anything', async () => {
    const r = await bisma(['keys', 'list'], { DATABASE_URL: 'mysql://nope' });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd()).toMatch(/^bisma cli failed to start: CONFIG_INVALID: .*DATABASE_URL/);
    expect(oneLine(r.stderr)).toBe(true);
  });
});

describe('database commands', () => {
  it('migrate reports nothing to apply on a migrated database, and seed loads the demo data', async () => {
    const migrate = await bisma(['migrate']);
    expect(migrate.stderr).toBe('');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/^applied 0 migration\(s\); [1-9]\d* already applied\n$/);

    const first = await bisma(['seed']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const created = JSON.parse(/^demo data loaded: (\{.*\})$/m.exec(first.stdout)![1]!) as Record<
      string,
      number
    >;
    expect(Object.values(created).some((n) => n > 0)).toBe(true);
    expect(await prisma.agency.count()).toBeGreaterThan(0);
  });
});

describe('API keys', () => {
  it('creates a key whose secret is printed once and works, lists it without the secret, and revokes it', async () => {
    const created = await bisma(['keys', 'create', 'nightly export', '--role', 'analyst']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const [, id, prefix] = /^created key (\d+) 'nightly export' \(ANALYST, prefix (\S+)\)$/m.exec(
      created.stdout,
    )!;
    const secret = /^secret \(shown once\): (bsm_\S+)$/m.exec(created.stdout)![1]!;
    expect(secret.startsWith(prefix!)).toBe(true);
    expect(await authenticateApiKey(secret)).toEqual({ id: Number(id), role: 'ANALYST' });

    const list = await bisma(['keys', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(`^${id}\\tnightly export\\tANALYST\\t${prefix}\\t\\S+\\t\\S+\\t-$`, 'm'),
    );
    expect(list.stdout).not.toContain(secret);

    const revoked = await bisma(['keys', 'revoke', id!]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(`revoked key ${id}\n`);
    await expect(authenticateApiKey(secret)).rejects.toThrow('the API key has been revoked');
  });

  it('fails with exit 1 and one line when the key to revoke does not exist', async () => {
    const r = await bisma(['keys', 'revoke', '999999']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('bisma keys revoke: ApiKey 999999 does not exist\n');
  });
});

describe('ingest and recompute', () => {
  it('queues a run of a source now, which `ingest runs` then lists, and the job waits in the ingest queue', async () => {
    await ensureSources();
    const source = await prisma.feedSource.findFirstOrThrow({ orderBy: { key: 'asc' } });
    const now = await bisma(['ingest', 'run', source.key]);
    expect(now.stderr).toBe('');
    expect(now.code).toBe(0);
    const runId = Number(/^run (\d+) queued \(MANUAL\)$/.exec(now.stdout.trimEnd())![1]);
    expect(await prisma.ingestRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({
      status: 'QUEUED',
      sourceId: source.id,
    });
    const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const queue = new Queue('ingest', { connection, prefix: process.env.REDIS_PREFIX! });
    try {
      expect((await queue.getJob(`run.${runId}`))?.data).toMatchObject({ runId });
    } finally {
      await queue.close();
      connection.disconnect();
    }

    const [runs, sources, unknown] = await Promise.all([
      bisma(['ingest', 'runs', '--source', source.key, '--limit', '5']),
      bisma(['ingest', 'sources']),
      bisma(['ingest', 'now', 'no-such-source']),
    ]);
    expect(runs.code).toBe(0);
    expect(runs.stdout.split('\n')[1]).toMatch(
      new RegExp(`^${runId}\\t${source.dataset}\\tMANUAL\\tQUEUED\\t`),
    );
    expect(sources.stdout).toMatch(new RegExp(`^${source.key}\\t`, 'm'));
    expect(unknown.code).toBe(1);
    expect(oneLine(unknown.stderr)).toBe(true);
    expect(unknown.stderr).toMatch(/^bisma ingest now: .*no-such-source/);
  });

  it('queues a replay of every source of a fiscal year as of one date, and refuses a year no source holds', async () => {
    await ensureSources();
    const sources = await prisma.feedSource.findMany({ where: { fiscalYear: 2024, enabled: true } });
    const replay = await bisma(['ingest', 'replay', '--year', '2024', '--as-of', '2024-06-09']);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    const ids = /^runs ([\d, ]+) queued \(REPLAY of 2024 as of 2024-06-09\)$/
      .exec(replay.stdout.trimEnd())![1]!
      .split(', ')
      .map(Number);
    const runs = await prisma.ingestRun.findMany({ where: { id: { in: ids } } });
    expect(runs.map((r) => r.sourceId).sort()).toEqual(sources.map((s) => s.id).sort());
    for (const run of runs) {
      expect(run).toMatchObject({ trigger: 'REPLAY', status: 'QUEUED' });
      expect(run.requestedAsOf?.toISOString().slice(0, 10)).toBe('2024-06-09');
    }
    const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const queue = new Queue('ingest', { connection, prefix: process.env.REDIS_PREFIX! });
    try {
      for (const id of ids) expect((await queue.getJob(`run.${id}`))?.data).toEqual({ runId: id });
    } finally {
      await queue.close();
      connection.disconnect();
    }

    const before = await prisma.ingestRun.count();
    const none = await bisma(['ingest', 'replay', '--year', '1999', '--as-of', '2024-06-09']);
    expect(none.code).toBe(2);
    expect(oneLine(none.stderr)).toBe(true);
    expect(none.stderr).toMatch(/no enabled feed source holds fiscal year 1999/);
    expect(await prisma.ingestRun.count()).toBe(before);
  });

  it('publishes a change with --full, confirms instead of publishing when nothing changed, and holds a quarantined run', async () => {
    const run = await createRun({ fiscalYear: 2023, asOf: '2023-05-31' });
    await upsertItems([{ sourceKey: 'cli-1', value: '1000.00', itemDate: '2023-05-02' }], run);
    const full = await bisma(['recompute', '--full', '--reason', 'cli test']);
    expect(full.stderr).toBe('');
    expect(full.code).toBe(0);
    const [, version, buckets] = /^data version (\d+) published: (\d+) bucket\(s\) recomputed \(full\)$/.exec(
      full.stdout.trimEnd(),
    )!;
    expect(Number(version)).toBeGreaterThan(0);
    const published = await prisma.$queryRaw<{ reason: string; status: string }[]>`
      SELECT reason, status::text FROM kpi_version WHERE id = ${Number(version)}`;
    expect(published).toEqual([{ reason: 'cli test', status: 'PUBLISHED' }]);
    expect(Number(buckets)).toBeGreaterThan(0);

    const [incremental, again] = [await bisma(['recompute']), await bisma(['recompute', '--full'])];
    expect(incremental.code).toBe(0);
    expect(incremental.stdout).toBe(
      `no change: data version ${version} stays published (0 bucket(s) recomputed, incremental)\n`,
    );
    expect(again.stdout).toMatch(new RegExp(`^no change: data version ${version} stays published`));

    // A rejected run still in the items: the CLI passes the same gate as the worker.
    const second = await createRun({ fiscalYear: 2023, asOf: '2023-06-30' });
    await upsertItems([{ sourceKey: 'cli-1', value: '1500.00', itemDate: '2023-05-02' }], second);
    await pool.query(
      `INSERT INTO kpi_run_quarantine (run_id, version_id, fiscal_years, reason) VALUES ($1, $2, '{2023}', 'REJECTED')`,
      [second, Number(version)],
    );
    const held = await bisma(['recompute', '--runs', String(second)]);
    expect(held.code).toBe(0);
    expect(held.stdout).toMatch(
      new RegExp(
        `^data version \\d+ held for an admin \\(.*ingest run ${second}.*\\); readers still see data version ${version}\n$`,
      ),
    );
    const bad = await bisma(['recompute', '--runs', 'x']);
    expect(bad.code).toBe(2);
  });
});
