// Starts the project's entry points as real child processes, as an operator would.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface Spawned {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs an entry with the given extra environment. A source entry (e.g. 'src/api/main.ts') runs
 * compiled, from its counterpart in dist/ (the test set-up builds dist/ from src/ before any test
 * file runs), as `npm start` runs the processes: tsx would compile each process's few hundred
 * modules again at every start, a second or two of CPU per process. Any other entry (bin/bisma.js,
 * a .ts file outside src/) runs as given, a TypeScript one through tsx.
 */
export function spawnEntry(
  entry: string,
  env: Record<string, string | undefined> = {},
  args: string[] = [],
): Spawned {
  const file = entry.replace(/^src\/(.+)\.ts$/, 'dist/$1.js');
  const loader = /\.m?js$/.test(file) ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, file, ...args], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => ({ stdout, stderr }), exited };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns a truthy value (returned), or fails naming `what` after the timeout. */
export async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls a URL until it answers 2xx, or fails after the timeout. */
export async function waitForHttp(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until a predicate over the process output holds. */
export async function waitForOutput(
  spawned: Spawned,
  test: (out: string) => boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test(spawned.output().stdout + spawned.output().stderr)) {
    if (Date.now() > deadline) throw new Error(`process output did not match within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
