// One ingest run in its own process, as the production worker runs it: compiled JavaScript from
// dist/ (`npm run build`), not TypeScript through tsx, so its peak RSS is the deployed worker's.
// HTTP pages from the simulator, validation, hashing, staging, the apply. Prints one JSON line
// with its time, where the time went and the process's peak RSS.
//   node bench/ingest-child.mjs <sourceKey> <size> <simulatorUrl> <jobKey>
import { closeDb } from '../dist/lib/db.js';
import { pull } from '../dist/services/ingest/pull.js';

const [sourceKey, size, feedUrl, jobKey] = process.argv.slice(2);
const t0 = performance.now();
// The last staged batch's progress report: what follows it is the apply.
let staged = t0;
const outcome = await pull(
  { sourceKey, trigger: 'STARTUP', jobKey },
  {
    feed: { baseUrl: feedUrl },
    params: { size },
    onProgress: () => {
      staged = performance.now();
    },
  },
);
const end = performance.now();
if (outcome.outcome !== 'finished' || outcome.run.status !== 'SUCCEEDED') {
  throw new Error(`ingest: ${JSON.stringify(outcome)}`);
}
await closeDb();
const run = outcome.run;
process.stdout.write(
  `${JSON.stringify({
    seconds: (end - t0) / 1000,
    fetched: run.fetched,
    inserted: run.inserted,
    unchanged: run.unchanged,
    rejected: run.rejected,
    // Waiting for the feed and staging batches, summed over batches (they overlap validation).
    fetchMs: run.fetchMs,
    stageMs: run.writeMs,
    applyMs: Math.round(end - staged),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
