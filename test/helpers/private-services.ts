// Private PostgreSQL and Redis servers for fault tests: each on its own free port and temp dir, so
// a test can stop and start them without disturbing the shared servers other test files use.
// Everything started here is stopped and deleted at close(), and at process exit if a test failed
// before it got there.
import { type ChildProcess, execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, type Spawned, waitForHttp, waitForOutput } from './process.js';

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PG_USER = 'postgres';

/** Cleanups still owed; run synchronously at exit so a crashed test leaves no server behind. */
const owed = new Set<() => void>();
process.once('exit', () => {
  for (const cleanup of owed) cleanup();
});

async function until(ready: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** Stops the server; its data is gone (no persistence, as in docker-compose.yml). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  running(): boolean;
  /** Stops the server for good. */
  close(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  let log = '';

  const ping = () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout;
  const kill = () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  async function start() {
    if (child) throw new Error('the private Redis is already running');
    const started = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    started.stdout!.on('data', (d) => {
      log += d;
    });
    started.stderr!.on('data', (d) => {
      log += d;
    });
    child = started;
    await until(() => {
      if (started.exitCode !== null) throw new Error(`redis-server exited: ${log}`);
      return ping().trim() === 'PONG';
    }, `private Redis on port ${port} answering`);
  }

  async function stop() {
    const running = child;
    if (!running) return;
    child = null;
    const exited = new Promise((r) => running.once('exit', r));
    if (running.exitCode === null && running.signalCode === null) running.kill('SIGTERM');
    await exited;
  }

  owed.add(kill);
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    running: () => child !== null,
    async close() {
      await stop();
      owed.delete(kill);
    },
  };
}

export interface PrivatePostgres {
  port: number;
  /** A connection URL to one of its databases (trust auth, user postgres). */
  url(database?: string): string;
  /** Fast shutdown: open sessions are disconnected, the data stays. */
  stop(): Promise<void>;
  /** Starts the same cluster again on the same port. */
  start(): Promise<void>;
  running(): boolean;
  /** Stops the server and deletes its files. */
  close(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bisma-pg-'));
  const uid = Number(execFileSync('id', ['-u', PG_USER], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', PG_USER], { encoding: 'utf8' }));
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  let up = false;

  /** Runs a PostgreSQL binary as the postgres OS user (the server refuses to run as root). */
  const asPostgres = (bin: string, args: string[]) => {
    const result = spawnSync('runuser', ['-u', PG_USER, '--', join(PG_BIN, bin), ...args], {
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  // pg_ctl runs without blocking the event loop: load from the test keeps flowing meanwhile.
  const ctl = async (...args: string[]) => {
    try {
      await promisify(execFile)('runuser', [
        '-u',
        PG_USER,
        '--',
        join(PG_BIN, 'pg_ctl'),
        '-D',
        data,
        ...args,
      ]);
    } catch (err) {
      throw new Error(`pg_ctl ${args.join(' ')} failed: ${(err as { stderr?: string }).stderr ?? err}`);
    }
  };

  const cleanup = () => {
    spawnSync('runuser', [
      '-u',
      PG_USER,
      '--',
      join(PG_BIN, 'pg_ctl'),
      '-D',
      data,
      'stop',
      '-m',
      'immediate',
    ]);
    rmSync(dir, { recursive: true, force: true });
  };
  owed.add(cleanup);

  asPostgres('initdb', ['-D', data, '-U', PG_USER, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);

  async function start() {
    await ctl('-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start');
    up = true;
  }
  async function stop() {
    if (!up) return;
    up = false;
    await ctl('-m', 'fast', '-w', '-t', '30', 'stop');
  }

  await start();
  return {
    port,
    url: (database = 'postgres') => `postgresql://${PG_USER}@127.0.0.1:${port}/${database}`,
    start,
    stop,
    running: () => up,
    async close() {
      cleanup();
      owed.delete(cleanup);
    },
  };
}

/** Waits until `url` answers 2xx; fails at once, with the process's stderr, if it exits first. */
export async function whenServing(spawned: Spawned, url: string, timeoutMs = 40_000): Promise<void> {
  let serving = false;
  const exited = spawned.exited.then(({ code, signal }) => {
    if (!serving) throw new Error(`exited (${code ?? signal}) before serving: ${spawned.output().stderr}`);
  });
  await Promise.race([waitForHttp(url, timeoutMs), exited]);
  serving = true;
}

/** Waits until the process has written `text`; fails at once, with its stderr, if it exits first. */
export async function whenWritten(spawned: Spawned, text: string, timeoutMs = 40_000): Promise<void> {
  let written = false;
  const exited = spawned.exited.then(({ code, signal }) => {
    if (!written)
      throw new Error(`exited (${code ?? signal}) before writing "${text}": ${spawned.output().stderr}`);
  });
  await Promise.race([waitForOutput(spawned, (out) => out.includes(text), timeoutMs), exited]);
  written = true;
}
