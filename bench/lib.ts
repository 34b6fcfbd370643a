// Helpers shared by the bench scripts: child processes that print their URL, load runs, timing.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

/**
 * Compiles src/ to dist/ (`npm run build`; a no-op when nothing changed): the bench's API and ingest
 * children run the compiled code, as production does.
 */
export function buildDist(): void {
  const built = spawnSync(process.execPath, [new URL('../scripts/build.mjs', import.meta.url).pathname], {
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error(`npm run build failed (exit ${built.status})`);
}

export interface Child {
  url: string;
  child: ChildProcess;
}

/** Starts `node [--import tsx] <script>` with extra env and waits for the first stdout line (its URL). */
export async function startChild(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<Child> {
  const path = new URL(script, import.meta.url).pathname;
  // A .mjs child runs compiled code (dist/) as production does; a .ts one through tsx.
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, path, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  const lines = createInterface({ input: child.stdout! });
  const first = once(lines, 'line') as Promise<[string]>;
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${script} exited (${code}) before printing its URL`);
  });
  const [line] = await Promise.race([first, exited]);
  exited.catch(() => undefined);
  return { url: line.trim(), child };
}

/** Runs a script to completion and parses the JSON its last stdout line holds. */
export async function runChild<T>(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
  nodeFlags: string[] = [],
): Promise<T> {
  const path = new URL(script, import.meta.url).pathname;
  // A .mjs child runs compiled code (dist/) as production does; a .ts one through tsx.
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeFlags, ...loader, path, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${script} failed (exit ${code})`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

export async function stop(c: Child | undefined): Promise<void> {
  if (!c || c.child.exitCode !== null || c.child.signalCode !== null) return;
  const exited = once(c.child, 'exit');
  c.child.kill('SIGTERM');
  const timer = setTimeout(() => c.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface GraphQLCall {
  query: string;
  variables?: Record<string, unknown>;
}

export async function post(
  url: string,
  call: GraphQLCall,
  headers: Record<string, string> = {},
): Promise<{ json: { data?: unknown; errors?: unknown[] }; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: call.query, variables: call.variables ?? {} }),
  });
  return { json: (await res.json()) as { data?: unknown; errors?: unknown[] }, headers: res.headers };
}

/** Sends a call once and fails loudly unless it answers data without errors. */
export async function check(url: string, call: GraphQLCall, label: string): Promise<unknown> {
  const { json } = await post(url, call);
  if (json.errors?.length || !json.data) {
    throw new Error(`${label}: ${JSON.stringify(json.errors ?? json).slice(0, 400)}`);
  }
  return json.data;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
  /** CPU time (user + system) the server process spent per request, when its pid was given. */
  cpuMsPerRequest?: number;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Concurrent load with autocannon; `calls` are sent round-robin on every connection. */
export async function load(
  url: string,
  calls: GraphQLCall[],
  options: { connections: number; duration: number },
  serverPid?: number,
): Promise<LoadResult> {
  const cpuBefore = serverPid ? processCpuMs(serverPid) : 0;
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.duration,
    requests: calls.map((c) => ({
      method: 'POST',
      path: new URL(url).pathname,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: c.query, variables: c.variables ?? {} }),
    })),
  });
  return {
    rps: Math.round(result.requests.total / result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
    requests: result.requests.total,
    ...(serverPid
      ? {
          cpuMsPerRequest: round(
            (processCpuMs(serverPid) - cpuBefore) / Math.max(result.requests.total, 1),
            3,
          ),
        }
      : {}),
  };
}

/** Sequential latency of one call (ms): p50 and mean over `n` requests after `warm` warm-ups. */
export async function latency(url: string, call: GraphQLCall, n: number, warm: number) {
  for (let i = 0; i < warm; i++) await post(url, call);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const { json } = await post(url, call);
    times.push(performance.now() - t0);
    if (json.errors?.length) throw new Error(`latency: ${JSON.stringify(json.errors).slice(0, 300)}`);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), mean: round(times.reduce((a, b) => a + b, 0) / n) };
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await run();
  return { ms: round(performance.now() - t0), result };
}

/**
 * Drops the bench's own database. The caller passes its pg Client class: bench/node_modules holds
 * another copy of pg (PostGraphile's), and the service's copy is the one to use.
 */
export async function dropBenchDatabase(
  Client: typeof import('pg').Client,
  base: URL,
  name: string,
): Promise<void> {
  const admin = new Client({ connectionString: new URL('/postgres', base).toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Drops the bench's database and migrates a new one. */
export async function freshBenchDatabase(
  Client: typeof import('pg').Client,
  base: URL,
  name: string,
  migrate: (url: string) => Promise<unknown>,
): Promise<void> {
  await dropBenchDatabase(Client, base, name);
  await migrate(base.toString());
}
