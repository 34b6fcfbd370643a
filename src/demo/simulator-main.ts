// Runs the feed simulator as its own process: `node dist/demo/simulator-main.js` once built
// (`npm run build`), or `node --import tsx src/demo/simulator-main.ts` from source.
import { boot, portInUse } from '../lib/boot.js';

await boot('feed-sim', async () => {
  const { config } = await import('../config/env.js');
  const { logger } = await import('../lib/logger.js');
  const { onShutdown } = await import('../lib/shutdown.js');
  const { startFeedSimulator } = await import('./simulator.js');

  const cfg = config();
  const simulator = await startFeedSimulator({
    port: cfg.FEED_SIM_PORT,
    host: cfg.FEED_SIM_HOST,
    token: cfg.FEED_TOKEN,
    klpd: cfg.FEED_KLPD,
  }).catch((err: NodeJS.ErrnoException) => {
    throw portInUse(err, 'FEED_SIM_PORT', cfg.FEED_SIM_HOST, cfg.FEED_SIM_PORT);
  });
  logger.info({ url: simulator.url, klpd: cfg.FEED_KLPD }, 'feed simulator listening');
  onShutdown('feed simulator', () => simulator.close());
});
