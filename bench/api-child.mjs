// One Bisma API process for the benchmarks (buildServer as production builds it) on a free port:
// prints its /graphql URL; RESPONSE_CACHE etc. come from the environment; stops on SIGTERM. It runs
// the compiled code in dist/ (`npm run build`, which the bench runs first), as production does.
import { buildServer } from '../dist/api/server.js';
import { closeDb } from '../dist/lib/db.js';

// Rate limits off: the benchmark's load all comes from one address, far past any real client's.
const server = await buildServer({
  limits: { rateLimit: { addressRequests: 0, publicPoints: 0, keyPoints: 0 } },
});
await server.app.listen({ port: 0, host: '127.0.0.1' });
const address = server.app.server.address();
if (!address || typeof address === 'string') throw new Error('no TCP address');
process.stdout.write(`http://127.0.0.1:${address.port}/graphql\n`);
// The soak (bench/soak.ts) asks where the memory is: V8's heap, or outside it.
if (process.env.BENCH_MEMORY_LOG) {
  setInterval(() => {
    const m = process.memoryUsage();
    const mb = (n) => Math.round(n / 1024 / 1024);
    process.stderr.write(
      `  api memory: rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB, external ${mb(m.external)} MB, array buffers ${mb(m.arrayBuffers)} MB\n`,
    );
  }, 15_000).unref();
}
process.once('SIGTERM', () => {
  server
    .close()
    .then(closeDb)
    .then(() => process.exit(0));
});
