// The benchmark harness still works end to end: `npm run bench -- --smoke` as a process (which first
// installs the bench's own packages, bench/package.json, if missing), in its own database and Redis
// prefix, writes a JSON document with every section filled. No timings are judged here (numbers
// come from the full bench on a quiet machine).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { flushTestPrefix } from '../helpers/redis.js';

const dir = await mkdtemp(join(tmpdir(), 'bisma-bench-smoke-'));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await flushTestPrefix();
});

describe('bench --smoke', () => {
  it('runs every section and writes them all to its JSON file', async () => {
    const out = join(dir, 'smoke.json');
    const prefix = process.env.REDIS_PREFIX!;
    const child = spawn('npm', ['run', '--silent', 'bench', '--', '--smoke', '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        BENCH_DB: `${new URL(process.env.DATABASE_URL!).pathname.slice(1)}_bench`,
        BENCH_REDIS_PREFIX: prefix,
      },
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    child.stderr!.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect({ code, tail: code === 0 ? '' : output.slice(-3000) }).toEqual({ code: 0, tail: '' });

    const results = JSON.parse(await readFile(out, 'utf8'));
    expect(results.meta.smoke).toBe(true);

    for (const size of results.meta.sizes as number[]) {
      expect(results.ingest[size].fetched).toBe(size);
      expect(results.ingest[size].rowsPerSecond).toBeGreaterThan(0);
      expect(results.ingest[size].peakRssMb).toBeGreaterThan(0);
      expect(results.ingest[size].copy.rows).toBeGreaterThan(0);
      expect(results.recompute[size].fullMs).toBeGreaterThan(0);
      expect(results.recompute[size].deltaMs).toBeGreaterThan(0);
      for (const q of ['kpiSummary', 'kpiSeries', 'agencyRanking']) {
        expect(results.kpiLatency[size][q].p50).toBeGreaterThan(0);
      }
    }
    expect(Object.keys(results.kpiLatency.ratio).sort()).toEqual([
      'agencyRanking',
      'kpiSeries',
      'kpiSummary',
    ]);
    expect(results.growth).toHaveLength(results.meta.sizes.length - 1);

    const runs = results.dashboard.runs;
    for (const set of ['eventsPage', 'mixed']) {
      for (const server of ['bisma', 'bismaCache', 'baseline']) {
        expect(runs[set][server].requests).toBeGreaterThan(0);
        expect(runs[set][server].errors).toBe(0);
      }
      expect(runs[set].ratios.bismaVsBaseline).toBeGreaterThan(0);
      expect(runs[set].ratios.bismaCacheVsBaseline).toBeGreaterThan(0);
    }
    // PostGraphile serves the events page, or the results say why it could not.
    expect(
      runs.eventsPage.postgraphile?.requests > 0 || typeof results.dashboard.postgraphileError === 'string',
    ).toBe(true);

    expect(results.nestedSql[5]).toBeGreaterThan(0);
    expect(results.nestedSql[50]).toBeGreaterThan(0);

    // Every target is judged on the run's own figures (met or not is the machine's business).
    expect(results.targets).toHaveLength(8);
    for (const t of results.targets) {
      expect(typeof t.met).toBe('boolean');
      expect(t.measured).not.toMatch(/undefined|NaN|Infinity/);
    }
    expect(output).toContain('(6) targets');

    expect(results.scaleOut.cacheShared).toEqual({ first: 'MISS', second: 'HIT', shared: true });
    expect(results.scaleOut.throughput.oneApi).toBeGreaterThan(0);
    expect(results.scaleOut.throughput.twoApis).toBeGreaterThan(0);
    expect(results.scaleOut.workers.settled).toBe(true);
    expect(results.scaleOut.workers.sources).toBe(results.scaleOut.workers.enabledSources);
    expect(results.scaleOut.workers.overlaps).toBe(0);
  }, 300_000);
});
