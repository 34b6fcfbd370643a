// Builds the dashboard (web/build.mjs: only when web/dist is missing or stale, under a lock so
// parallel test files build it once) before a test serves it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

export function ensureDashboardBuilt(): void {
  const result = spawnSync(process.execPath, ['web/build.mjs'], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) {
    throw new Error(
      `building the dashboard failed (${result.status ?? result.signal}):\n${result.stderr}${result.stdout}`,
    );
  }
}
