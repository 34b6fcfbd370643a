// `npm run bench:soak`: the memory soak (not a test). A real API process on a fresh database with the
// demo data answers the dashboard query set and a hostile set (refused documents, introspection,
// forged cursors, padded persisted-query registrations, revoked keys, sockets opened and dropped,
// subscriptions) from several clients for some minutes; its RSS is sampled every second and printed
// at the start (after a warm-up under the same load and a short rest), at its peak and at the end
// (after the same rest). Done when the end is within 10 % of the start.
//
//   npm run bench:soak                           # 5 minutes, 8 clients
//   npm run bench:soak -- --duration 60 --warmup 20 --clients 4
//   npm run bench:soak -- --snapshots DIR        # heap snapshots of the API after warm-up and at the end
//   npm run bench:soak -- --heap 256             # the API with V8's old space capped at 256 MB
//   npm run bench:soak -- --rest 30              # seconds of quiet before each RSS figure (V8 shrinks its heap)
import { readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { getIntrospectionQuery } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { buildDist, type Child, freshBenchDatabase, post, round, startChild, stop } from './lib.js';
import { DASHBOARD } from './queries.js';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const DURATION_S = Number(option('duration') ?? 300);
const WARMUP_S = Number(option('warmup') ?? 30);
/** V8's old-space limit for the API process in MB, as production may set it (none: V8's default). */
const HEAP_MB = option('heap');
const CLIENTS = Number(option('clients') ?? 8);
const SNAPSHOTS = option('snapshots');
const REST_S = Number(option('rest') ?? 30);
const DB_NAME = process.env.SOAK_DB ?? 'bisma_soak';
const PREFIX = process.env.SOAK_REDIS_PREFIX ?? 'bisma_soak';

const base = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/bisma');
base.pathname = `/${DB_NAME}`;
Object.assign(process.env, {
  DATABASE_URL: base.toString(),
  REDIS_PREFIX: PREFIX,
  NODE_ENV: 'production',
  LOG_LEVEL: process.env.SOAK_LOG_LEVEL ?? 'silent',
  DEMO_SEED: 'false',
  // One load generator on one address would hit the per-address limits at once; the hostile set is
  // refused by the document limits, which is what this measures.
  RATE_LIMIT_ADDRESS_REQUESTS: '0',
  RATE_LIMIT_PUBLIC_POINTS: '0',
  RATE_LIMIT_KEY_POINTS: '0',
  GRAPHQL_APQ_ADDRESS_REGISTRATIONS: '0',
  RESPONSE_CACHE: 'true',
});

const pg = (await import('pg')).default;
const { migrate } = await import('../src/lib/migrate.js');
const { closeDb } = await import('../src/lib/db.js');
const { createRedis } = await import('../src/lib/redis.js');
const { loadDemoData } = await import('../src/demo/seed.js');
const { createApiKey, revokeApiKey } = await import('../src/services/api-keys.js');
const { operationId } = await import('../src/api/persisted-queries.js');

const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const freshDatabase = () => freshBenchDatabase(pg.Client, base, DB_NAME, migrate);

async function flushRedis(): Promise<void> {
  const redis = createRedis('producer');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The resident set size of a process, in MB (Linux /proc). */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return round(kb / 1024, 1);
}

const deep = `{ events { edges { node { participations { exhibitor { participations { event {
  participations { exhibitor { participations { event { participations { exhibitor { name } } } } } } } } } } } } } }`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The hostile set: each one is refused (or answered) without harm, and must leave nothing behind. */
function hostileCalls(n: number, revoked: string): Array<{ body: Record<string, unknown>; key?: string }> {
  const unique = `${n}-${Math.random().toString(36).slice(2)}`;
  const padded = `query Pad${unique.replace(/\W/g, '')} { __typename }${' '.repeat(12_000)}`;
  const missing = Array.from({ length: 100 }, (_, i) => b64(`Event:${9_000_000 + n * 100 + i}`));
  return [
    { body: { query: deep } },
    {
      body: {
        query: `{ events(first: 100) { edges { node { participations { exhibitor { participations { event { title } } } } } } } }`,
      },
    },
    { body: { query: `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: __typename`).join(' ')} }` } },
    { body: { query: `{ ${'__typename @include(if: true) '.repeat(60)}}` } },
    { body: { query: `{ ${'a '.repeat(10_001)}}` } },
    { body: { query: getIntrospectionQuery() } },
    { body: { query: `{ events(after: "${b64(`GPC:N:${n}.5`)}") { totalCount } }` } },
    { body: { query: `{ exhibitors(after: "${b64(`Event:id:${n + 1}`)}") { totalCount } }` } },
    { body: { query: `{ exhibitors(filter: { sector: "%${unique}" }) { totalCount } }` } },
    { body: { query: `query N($ids: [ID!]!) { nodes(ids: $ids) { id } }`, variables: { ids: missing } } },
    {
      body: {
        query: padded,
        extensions: { persistedQuery: { version: 1, sha256Hash: operationId(padded) } },
      },
    },
    { body: { extensions: { persistedQuery: { version: 1, sha256Hash: operationId(unique) } } } },
    { body: { query: '{ serverInfo { version } }' }, key: revoked },
    { body: { query: `{ __typename ${unique.replace(/\W/g, '')}: __typename }` } },
  ];
}

/** Opens a socket, runs a query and a subscription, and drops it without a goodbye. */
async function socketChurn(url: string, revoked: string, n: number): Promise<void> {
  const wsUrl = url.replace('http', 'ws');
  // A refused key, sent as a bare protocol client: the server closes it with 4403.
  const bad = new WebSocket(wsUrl, 'graphql-transport-ws');
  const refused = new Promise<void>((resolve) => {
    bad.on('close', () => resolve());
    bad.on('error', () => resolve());
  });
  bad.on('open', () =>
    bad.send(
      JSON.stringify({
        type: 'connection_init',
        payload: n % 2 ? { authorization: `Bearer ${revoked}` } : { authorization: 42 },
      }),
    ),
  );
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  try {
    await new Promise<void>((resolve) => {
      client.subscribe({ query: deep }, { next: () => undefined, error: () => resolve(), complete: resolve });
    });
    const stopSub = client.subscribe(
      { query: 'subscription { kpiRefreshed { dataVersion } }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    await new Promise<void>((resolve) => {
      client.subscribe(
        { query: DASHBOARD[0]!.query, variables: DASHBOARD[0]!.variables },
        { next: () => undefined, error: () => resolve(), complete: resolve },
      );
    });
    if (n % 3) stopSub();
  } finally {
    await client.dispose();
    await refused;
  }
}

async function client(url: string, revoked: string, until: number, counts: { requests: number }) {
  let n = 0;
  while (Date.now() < until) {
    n += 1;
    for (const q of DASHBOARD) {
      await post(url, { query: q.query, variables: q.variables });
      counts.requests += 1;
    }
    for (const call of hostileCalls(n, revoked)) {
      await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(call.key ? { authorization: `Bearer ${call.key}` } : {}),
        },
        body: JSON.stringify(call.body),
      }).then((res) => res.arrayBuffer());
      counts.requests += 1;
    }
    await socketChurn(url, revoked, n);
    counts.requests += 3;
  }
}

async function snapshot(api: Child, dir: string, name: string): Promise<void> {
  const before = new Set(await readdir(process.cwd()));
  api.child.kill('SIGUSR2');
  for (let i = 0; i < 600; i++) {
    await sleep(500);
    const written = (await readdir(process.cwd())).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (written) {
      // V8 writes the file in pieces: wait until it has stopped growing for a few seconds.
      let size = -1;
      for (let still = 0; still < 3; ) {
        await sleep(1_000);
        const now = (await stat(written)).size;
        still = now > 0 && now === size ? still + 1 : 0;
        size = now;
      }
      await rename(written, join(dir, `${name}.heapsnapshot`));
      log(`heap snapshot: ${join(dir, `${name}.heapsnapshot`)}`);
      return;
    }
  }
  throw new Error('no heap snapshot was written');
}

let api: Child | undefined;
try {
  log(`soak: ${WARMUP_S} s warm-up, then ${DURATION_S} s, ${CLIENTS} clients, database ${DB_NAME}`);
  await freshDatabase();
  await flushRedis();
  await loadDemoData();
  buildDist();
  const revokedKey = await createApiKey('soak revoked', 'ADMIN');
  await revokeApiKey(revokedKey.id);
  api = await startChild('./api-child.mjs', {
    BENCH_MEMORY_LOG: '1',
    NODE_OPTIONS: [
      SNAPSHOTS ? '--heapsnapshot-signal=SIGUSR2' : '',
      HEAP_MB ? `--max-old-space-size=${HEAP_MB}` : '',
    ].join(' '),
  });
  const pid = api.child.pid!;
  const counts = { requests: 0 };
  // Warm-up under the same load, so the start figure is a running server's (JIT code, pools, caches
  // filled to their bounds), not a cold one's; what grows after it is what the soak is looking for.
  const warm = Date.now() + WARMUP_S * 1000;
  await Promise.all(Array.from({ length: CLIENTS }, () => client(api!.url, revokedKey.key, warm, counts)));
  await sleep(REST_S * 1000);
  if (SNAPSHOTS) await snapshot(api, SNAPSHOTS, 'start');
  const start = await rssMb(pid);
  let peak = start;
  const until = Date.now() + DURATION_S * 1000;
  const sampler = setInterval(() => {
    rssMb(pid)
      .then((mb) => {
        peak = Math.max(peak, mb);
      })
      .catch(() => undefined);
  }, 1_000);
  let last = Date.now();
  const progress = setInterval(() => {
    if (Date.now() - last < 30_000) return;
    last = Date.now();
    rssMb(pid).then((mb) => log(`  ${counts.requests} requests, RSS ${mb} MB`));
  }, 5_000);
  await Promise.all(Array.from({ length: CLIENTS }, () => client(api!.url, revokedKey.key, until, counts)));
  clearInterval(progress);
  await sleep(REST_S * 1000);
  clearInterval(sampler);
  const end = await rssMb(pid);
  peak = Math.max(peak, end);
  if (SNAPSHOTS) await snapshot(api, SNAPSHOTS, 'end');
  const growth = round(((end - start) / start) * 100, 1);
  log(`requests: ${counts.requests}`);
  log(`RSS start ${start} MB, peak ${peak} MB, end ${end} MB (${growth >= 0 ? '+' : ''}${growth} %)`);
  log(growth <= 10 ? 'within 10 % of the start' : 'MORE than 10 % above the start');
  process.exitCode = growth <= 10 ? 0 : 1;
} finally {
  await stop(api);
  await closeDb();
}
