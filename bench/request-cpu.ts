// API CPU per request, in process and one request at a time (so the machine's load matters less
// than under autocannon): each dashboard query through Fastify (`inject`: hooks, rate limit,
// logging, Apollo, resolvers) and through Apollo alone (`executeHTTPGraphQLRequest`), response
// cache off; with RESPONSE_CACHE=true the Fastify figure is of cache hits (every request after the
// first). CPU is this process's user + system time over the requests; PostgreSQL's is not in it.
// Usage: DATABASE_URL=<a bench database> node --import tsx bench/request-cpu.ts [requests] [query names,…]
// (add --cpu-prof before --import to profile; naming one query keeps the profile to it).
// WARMUP=<requests> (default 30) runs that many of each before measuring: the first thousand or so
// of a fresh process also pay V8 compiling the hot paths on its background threads, which this
// process's CPU time counts (WARMUP=2000 gives the steady state, about half the default's figure).
import { DASHBOARD } from './queries.js';

// Before the server's modules read the configuration, and before graphql-js loads: it picks its
// production `instanceOf` (no cross-realm checks) from NODE_ENV when it is first imported.
Object.assign(process.env, {
  RESPONSE_CACHE: process.env.RESPONSE_CACHE ?? 'false',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  NODE_ENV: 'production',
  DEMO_SEED: 'false',
});
const { HeaderMap } = await import('@apollo/server');
const { buildServer } = await import('../src/api/server.js');
const { closeDb } = await import('../src/lib/db.js');
const N = Number(process.argv[2] ?? 300);
const only = process.argv[3]?.split(',');
const WARMUP = Number(process.env.WARMUP ?? 30);
const server = await buildServer({
  limits: { rateLimit: { addressRequests: 0, publicPoints: 0, keyPoints: 0 } },
});

async function measure(run: () => Promise<void>): Promise<{ cpuMs: number; wallMs: number }> {
  for (let i = 0; i < WARMUP; i++) await run();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await run();
  const used = process.cpuUsage(cpu);
  return {
    cpuMs: Math.round(((used.user + used.system) / 1000 / N) * 1000) / 1000,
    wallMs: Math.round(((performance.now() - t0) / N) * 1000) / 1000,
  };
}

const results: Record<string, unknown> = {};
for (const q of DASHBOARD.filter((d) => !only || only.includes(d.name))) {
  const body = { query: q.query, variables: q.variables };
  const http = await measure(async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    if (res.statusCode !== 200 || res.body.includes('"errors"')) throw new Error(res.body.slice(0, 300));
  });
  const headers = new HeaderMap([['content-type', 'application/json']]);
  const apollo = await measure(async () => {
    const res = await server.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body },
      context: async () =>
        ({ requestId: 'bench', address: '127.0.0.1', viewer: { role: 'PUBLIC' } }) as never,
    });
    if (res.status !== undefined && res.status !== 200) throw new Error(`status ${res.status}`);
  });
  results[q.name] = { http, apollo };
  console.log(
    `${q.name.padEnd(14)} via HTTP ${http.cpuMs} ms CPU (${http.wallMs} ms wall); Apollo alone ${apollo.cpuMs} ms CPU (${apollo.wallMs} ms wall)`,
  );
}
await server.close();
await closeDb();
