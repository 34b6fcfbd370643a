// `npm run build`: compiles src/ to dist/ with tsc (tsconfig.build.json, incremental: a second run
// with no change takes about a second) and copies the files the modules read beside themselves
// (the ingest SQL). `npm start` runs it first; the production processes run dist/, not tsx.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tsc = path.join(root, 'node_modules', '.bin', 'tsc');
const result = spawnSync(tsc, ['-p', path.join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
  cwd: root,
});
if (result.status !== 0) process.exit(result.status ?? 1);

/** Copies every file under src/ that is not TypeScript and that modules load at run time. */
function copyAssets(dir) {
  for (const entry of readdirSync(path.join(root, 'src', dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(rel);
    else if (entry.name.endsWith('.sql')) {
      cpSync(path.join(root, 'src', rel), path.join(root, 'dist', rel));
    }
  }
}
copyAssets('.');
