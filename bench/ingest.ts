// Ingest benchmark (`npm run bench:ingest`): pulls one source of 10^5 and 10^6 rows from the feed
// simulator (its own process, on loopback) into a scratch database, twice each (new rows, then the
// same snapshot: all unchanged), and prints throughput (rows/s) and the peak memory of this process.
// Sizes can be given as arguments: `npm run bench:ingest -- 100000 1000000`.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const SIZES = sizes.length ? sizes : [100_000, 1_000_000];
const base = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/bisma');
// BENCH_DATABASE names another scratch database, so that two benches can run side by side.
const database = process.env.BENCH_DATABASE ?? 'bisma_bench';
base.pathname = `/${database}`;
process.env.DATABASE_URL = base.toString();
process.env.LOG_LEVEL ??= 'warn';
process.env.DB_STATEMENT_TIMEOUT_MS ??= '0';

const { migrate } = await import('../src/lib/migrate.js');
const pg = (await import('pg')).default;

async function freshDatabase(): Promise<void> {
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await client.end();
  await migrate(base.toString());
}

async function startSimulator(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./sim-child.ts', import.meta.url).pathname],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { url: line.trim(), child };
}

await freshDatabase();
const { closeDb, pool } = await import('../src/lib/db.js');
const { loadDemoData } = await import('../src/demo/seed.js');
const { pull } = await import('../src/services/ingest/pull.js');
const { ensureSources, sourceKey } = await import('../src/services/ingest/sources.js');
await loadDemoData();
await ensureSources();
const sim = await startSimulator();

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
let job = 0;

for (const size of SIZES) {
  // A dataset that maps every field: the widest rows.
  const key = sourceKey('tender/tender-ekontrak-kontrak', 'D999', 2023);
  await pool.query(
    'TRUNCATE procurement_item, kpi_dirty_bucket, rejected_row, ingest_stage_row, ingest_item_journal',
  );
  for (const pass of ['new rows', 'same snapshot again']) {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let peakHeap = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 20);
    const started = performance.now();
    job += 1;
    const outcome = await pull(
      { sourceKey: key, trigger: 'STARTUP', jobKey: `bench.${job}` },
      { feed: { baseUrl: sim.url }, params: { size: String(size) } },
    );
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    if (outcome.outcome !== 'finished' || outcome.run.status !== 'SUCCEEDED')
      throw new Error(`bench pull: ${outcome.outcome}`);
    const run = outcome.run;
    const timing = await pool.query<{ fetch_ms: number; write_ms: number }>(
      'SELECT fetch_ms, write_ms FROM ingest_run WHERE id = $1',
      [run.id],
    );
    const line =
      `${String(size).padStart(9)} rows, ${pass.padEnd(19)}: ${seconds.toFixed(1).padStart(6)} s, ` +
      `${Math.round(run.fetched / seconds)
        .toLocaleString('en')
        .padStart(8)} rows/s ` +
      `(fetched ${run.fetched}, inserted ${run.inserted}, unchanged ${run.unchanged}, rejected ${run.rejected}, ` +
      `duplicates ${run.duplicates}); waiting for the feed ${(timing.rows[0]!.fetch_ms / 1000).toFixed(1)} s, ` +
      `writing ${(timing.rows[0]!.write_ms / 1000).toFixed(1)} s; peak RSS ${mb(peakRss)} ` +
      `(+${mb(peakRss - rssBefore)}), peak heap ${mb(peakHeap)}`;
    process.stdout.write(`${line}\n`);
  }
}

sim.child.kill('SIGTERM');
await closeDb();
process.stdout.write(`\nnode ${process.version}, ${(await import('node:os')).cpus().length} cores\n`);
