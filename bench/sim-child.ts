// The feed simulator in its own process for the benchmarks (so its CPU and memory are not
// counted as the worker's): prints its URL on stdout, stops on SIGTERM. SIM_SIZE, when set, is the
// rows per (dataset, year) of requests that give no size.
import { startFeedSimulator } from '../src/demo/simulator.js';

const size = Number(process.env.SIM_SIZE ?? '') || undefined;
const sim = await startFeedSimulator({ klpd: 'D999', ...(size ? { size } : {}) });
process.stdout.write(`${sim.url}\n`);
process.once('SIGTERM', () => {
  sim.close().then(() => process.exit(0));
});
