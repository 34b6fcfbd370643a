// Runs the feed simulator as its own process: `node --import tsx src/feed/simulator-main.ts`.
import { config } from '../config/env.js';
import { logger } from '../lib/logger.js';
import { startFeedSimulator } from './simulator.js';

const cfg = config();
const simulator = await startFeedSimulator({
  port: cfg.FEED_SIM_PORT,
  host: cfg.FEED_SIM_HOST,
  token: cfg.FEED_TOKEN,
  klpd: cfg.FEED_KLPD,
});
logger.info({ url: simulator.url, klpd: cfg.FEED_KLPD }, 'feed simulator listening');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'feed simulator did not close cleanly');
        process.exit(1);
      },
    );
  });
}
