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
  const server = await buildServer();
  const { HOST, PORT } = config();
  await server.app.listen({ host: HOST, port: PORT });
  logger.info({ url: `http://${HOST}:${PORT}/graphql` }, 'api listening');

  onShutdown('api', async () => {
    await server.close();
    await closeDb();
  });
});
