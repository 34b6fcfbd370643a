// One ingest run in its own process, as a worker runs it (HTTP pages from the simulator,
// validation, hashing, upsert): prints one JSON line with its time and the process's peak RSS.
//   node --import tsx bench/ingest-child.ts <sourceKey> <size> <simulatorUrl> <jobKey>

import { closeDb } from '../src/lib/db.js';
import { pull } from '../src/services/ingest/pull.js';

const [sourceKey, size, feedUrl, jobKey] = process.argv.slice(2) as [string, string, string, string];
const t0 = performance.now();
const outcome = await pull(
  { sourceKey, trigger: 'STARTUP', jobKey },
  { feed: { baseUrl: feedUrl }, params: { size } },
);
const seconds = (performance.now() - t0) / 1000;
if (outcome.outcome !== 'finished' || outcome.run.status !== 'SUCCEEDED') {
  throw new Error(`ingest: ${JSON.stringify(outcome)}`);
}
await closeDb();
const run = outcome.run;
process.stdout.write(
  `${JSON.stringify({
    seconds,
    fetched: run.fetched,
    inserted: run.inserted,
    unchanged: run.unchanged,
    rejected: run.rejected,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
