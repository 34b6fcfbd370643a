#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx bisma` works without a build step. tsx is resolved
// from this package, not from the working directory, so the command works from anywhere.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../src/cli/bisma.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const result = spawnSync(process.execPath, ['--import', tsx, entry, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
