// Builds the dashboard into web/dist when it is missing or older than its sources (`--force`:
// always). Used by `npm start` (prestart) and the browser test. A lock lets several callers run at
// once (parallel test files): one builds, the others wait and find it fresh. The new build is
// written beside web/dist and swapped in, so a reader never sees half a build.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const web = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(web);
const dist = path.join(web, 'dist');
const cache = path.join(root, 'node_modules', '.cache');
const lock = path.join(cache, 'bisma-web-build.lock');
// src/common holds the KPI vocabulary and money text the dashboard imports from the API's tree.
const INPUTS = [
  ...['index.html', 'vite.config.ts', 'build.mjs', 'src', 'public'].map((p) => path.join(web, p)),
  path.join(root, 'src', 'common'),
];
const STALE_LOCK_MS = 120_000;

function newestMtime(p) {
  let stat;
  try {
    stat = statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

function isFresh() {
  let built;
  try {
    built = statSync(path.join(dist, 'index.html')).mtimeMs;
  } catch {
    return false;
  }
  return Math.max(...INPUTS.map(newestMtime)) <= built;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function acquireLock() {
  mkdirSync(cache, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS)
          rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released meanwhile: try again.
      }
      sleep(200);
    }
  }
}

function sizes(dir) {
  const rows = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const file = path.join(d, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(js|css|html)$/.test(name)) {
        const body = readFileSync(file);
        rows.push({
          file: path.relative(dir, file),
          raw: body.length,
          gzip: gzipSync(body, { level: 9 }).length,
        });
      }
    }
  };
  walk(dir);
  return rows;
}

function viteBin() {
  try {
    const pkg = createRequire(path.join(root, 'package.json')).resolve('vite/package.json');
    return path.join(path.dirname(pkg), 'bin', 'vite.js');
  } catch {
    return null;
  }
}

function build(vite) {
  const out = path.join(cache, `bisma-web-dist-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  const result = spawnSync(
    process.execPath,
    [
      vite,
      'build',
      '--config',
      path.join(web, 'vite.config.ts'),
      '--outDir',
      out,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`vite build failed (exit ${result.status ?? result.signal})`);
  }
  rmSync(dist, { recursive: true, force: true });
  renameSync(out, dist);
  const rows = sizes(dist);
  const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip }), { raw: 0, gzip: 0 });
  const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
  for (const r of rows)
    console.log(`dashboard: ${r.file.padEnd(32)} ${kb(r.raw).padStart(9)}  gzip ${kb(r.gzip)}`);
  console.log(`dashboard: built into web/dist, ${kb(total.raw)} (gzip ${kb(total.gzip)})`);
}

const force = process.argv.includes('--force');
if (!force && isFresh()) process.exit(0);
const vite = viteBin();
if (!vite) {
  // A production install (--omit=dev) has no Vite: the API still starts, and `/` says how to build.
  console.warn('dashboard: Vite is not installed (dev dependencies omitted); web/dist is not rebuilt');
  process.exit(force ? 1 : 0);
}
acquireLock();
try {
  if (force || !isFresh()) build(vite);
} finally {
  rmSync(lock, { recursive: true, force: true });
}
