// Writes schema/operations.json, the allow-list of the operations the dashboard sends
// (GRAPHQL_ALLOWLIST=true runs only these). `--check` fails instead when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { buildManifest, DEFAULT_MANIFEST } from '../src/api/persisted-queries.js';
import * as dashboardQueries from '../web/src/queries.js';

/** Every operation text web/src/queries.ts exports (its `*_QUERY` constants). */
function dashboardOperations(): string[] {
  return Object.entries(dashboardQueries)
    .filter(([name, value]) => name.endsWith('_QUERY') && typeof value === 'string')
    .map(([, value]) => value as string);
}

const text = `${JSON.stringify(buildManifest(dashboardOperations()), null, 2)}\n`;
let current = '';
try {
  current = readFileSync(DEFAULT_MANIFEST, 'utf8');
} catch {
  // not written yet
}
if (process.argv.includes('--check')) {
  if (current !== text) {
    process.stderr.write(`${DEFAULT_MANIFEST} is stale: run npm run operations:manifest\n`);
    process.exit(1);
  }
} else if (current !== text) {
  writeFileSync(DEFAULT_MANIFEST, text);
  process.stdout.write(`wrote ${DEFAULT_MANIFEST}\n`);
}
