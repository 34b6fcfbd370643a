// The feed simulator in its own process for the ingest benchmark (so its CPU and memory are not
// counted as the worker's): prints its URL on stdout, stops on SIGTERM.
import { startFeedSimulator } from '../src/feed/simulator.js';

const sim = await startFeedSimulator({ klpd: 'D999' });
process.stdout.write(`${sim.url}\n`);
process.once('SIGTERM', () => {
  sim.close().then(() => process.exit(0));
});
