// Orderly shutdown on SIGTERM/SIGINT with our own deadline: a stuck close never hangs a deploy.
import { logger } from './logger.js';

const DEADLINE_MS = 25_000;

export function onShutdown(name: string, close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, `${name} shutting down`);
    const timer = setTimeout(() => {
      logger.error(`${name} did not shut down within ${DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, DEADLINE_MS);
    timer.unref();
    close().then(
      () => {
        logger.info(`${name} stopped`);
        logger.flush?.();
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, `${name} failed to shut down cleanly`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
