// The API process: checks its dependencies, listens, and shuts down cleanly on SIGTERM/SIGINT.
import { boot, portInUse } from '../lib/boot.js';

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
  onShutdown('api', async () => {
    await server.close();
    await closeDb();
  });
  const { HOST, PORT, BASE_PATH } = config();
  await server.app.listen({ host: HOST, port: PORT }).catch((err: NodeJS.ErrnoException) => {
    throw portInUse(err, 'PORT', HOST, PORT);
  });
  const address = server.app.server.address();
  const base = browserBase(HOST, typeof address === 'object' && address ? address.port : PORT, BASE_PATH);
  logger.info(
    { dashboard: `${base}/`, explorer: `${base}/explorer`, graphql: `${base}/graphql` },
    `api listening on ${base}/`,
  );
  // The API serves without Redis (reads from PostgreSQL), but the operator should know at once.
  const { redisProblem, redisUnreachable } = await import('../lib/waiting.js');
  const problem = await redisProblem();
  if (problem)
    logger.error(`${redisUnreachable(problem)}; caches, limits and queueing are off until it is back`);
});

/** The address a browser on this machine opens (a wildcard listen address is not one). */
function browserBase(host: string, port: number, basePath: string): string {
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}${basePath}`;
}
