// The API process: checks its dependencies, listens, and shuts down cleanly on SIGTERM/SIGINT.
import { boot } from '../lib/boot.js';

await boot('api', async () => {
  const { config } = await import('../config/env.js');
  const { closeDb } = await import('../lib/db.js');
  const { checkDatabase } = await import('../lib/health.js');
  const { logger } = await import('../lib/logger.js');
  const { onShutdown } = await import('../lib/shutdown.js');
  const { buildServer } = await import('./server.js');

  await checkDatabase();
  const { BOOTSTRAP_ADMIN_KEY } = config();
  if (BOOTSTRAP_ADMIN_KEY) {
    const { ensureBootstrapKey } = await import('../services/api-keys.js');
    if (await ensureBootstrapKey(BOOTSTRAP_ADMIN_KEY)) logger.info('created the bootstrap admin API key');
  }
  const server = await buildServer();
  const { HOST, PORT } = config();
  await server.app.listen({ host: HOST, port: PORT });
  logger.info(
    { url: `http://${HOST}:${PORT}/graphql`, explorer: `http://${HOST}:${PORT}/explorer` },
    'api listening',
  );

  onShutdown('api', async () => {
    await server.close();
    await closeDb();
  });
});
