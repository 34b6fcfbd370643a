// Live updates: graphql-ws clients over a real WebSocket to the API's /graphql receive
// kpiRefreshed after an ingest and its recompute, and the run's progress; each only what its
// role may read; a bad key is refused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadDemoData } from '../../src/demo/seed.js';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { closeDb } from '../../src/lib/db.js';
import { createRedis } from '../../src/lib/redis.js';
import { pull } from '../../src/services/ingest/pull.js';
import { ensureSources, listSources } from '../../src/services/ingest/sources.js';
import { kpiRefreshedChannel } from '../../src/services/kpi/notify.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { ingestProgressChannel, kpiRevisionChannel } from '../../src/services/live/pubsub.js';
import { type Api, createKeys, type Keys, startApi } from '../factories/api.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

let api: Api;
let keys: Keys;
let sim: RunningFeedSimulator;
const clients: Client[] = [];

// biome-ignore lint/suspicious/noExplicitAny: payloads are checked by the assertions
type Payload = { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

function connect(key?: string): Client {
  const client = createClient({
    url: `${api.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    // A refused connection is asserted through the `closed` event, not logged.
    onNonLazyError: () => undefined,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
  });
  clients.push(client);
  return client;
}

/** Collects a subscription's payloads; `until` resolves with the first payload that matches. */
function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const received: Payload[] = [];
  const waiters: Array<{ match: (p: Payload) => boolean; resolve: (p: Payload) => void }> = [];
  const deliver = (p: Payload) => {
    received.push(p);
    for (const w of [...waiters])
      if (w.match(p)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p);
      }
  };
  client.subscribe<Payload['data']>(
    { query, variables },
    {
      next: (p) => deliver(p as Payload),
      error: (e) =>
        deliver({ errors: Array.isArray(e) ? e : [{ message: String((e as Error).message ?? e) }] }),
      complete: () => undefined,
    },
  );
  return {
    received,
    until: (match: (p: Payload) => boolean) =>
      new Promise<Payload>((resolve) => {
        const hit = received.find(match);
        if (hit) resolve(hit);
        else waiters.push({ match, resolve });
      }),
  };
}

/** Waits until this process's API holds a Redis subscription on the channel. */
async function subscribed(channel: string): Promise<void> {
  const redis = createRedis('producer');
  try {
    for (;;) {
      const [, count] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
      if (Number(count) > 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    redis.disconnect();
  }
}

beforeAll(async () => {
  await createTestDatabase();
  await loadDemoData();
  await ensureSources();
  keys = await createKeys();
  sim = await startFeedSimulator({ klpd: 'D999' });
  api = await startApi();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await api?.close();
  await sim?.close();
  await closeDb();
  await flushTestPrefix();
});

describe('subscriptions over graphql-ws', () => {
  it('refuses a connection with an unknown API key', async () => {
    const client = connect('not-a-real-key-at-all');
    const closed = new Promise<number>((resolve) =>
      client.on('closed', (e) => resolve((e as { code: number }).code)),
    );
    expect(await closed).toBe(4403);
  });

  it('refuses a connection with a revoked key or a credential that is not a string, never serving it as public', async () => {
    for (const params of [
      { authorization: `Bearer ${keys.revoked}` },
      { authorization: { key: keys.admin } },
    ]) {
      const client = createClient({
        url: `${api.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => undefined,
        connectionParams: params,
      });
      clients.push(client);
      const closed = new Promise<number>((resolve) =>
        client.on('closed', (e) => resolve((e as { code: number }).code)),
      );
      expect(await closed).toBe(4403);
    }
  });

  it('does not give a public client the ingest progress, which only analysts may read', async () => {
    const sub = subscribe(connect(), 'subscription { ingestRunProgress { runId } }');
    const refused = await sub.until((p) => p.errors !== undefined);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('delivers kpiRefreshed to a public client, run progress and the revision to analysts after an ingest', async () => {
    const refreshed = subscribe(
      connect(),
      'subscription { kpiRefreshed { dataVersion years asOf publishedAt } }',
    );
    const progress = subscribe(
      connect(keys.analyst),
      'subscription { ingestRunProgress { runId status fetched inserted } }',
    );
    const revisions = subscribe(
      connect(keys.analyst),
      'subscription { kpiRevisionChanged { version status } }',
    );
    await subscribed(kpiRefreshedChannel());
    await subscribed(ingestProgressChannel());
    await subscribed(kpiRevisionChannel());

    const source = (await listSources({ enabled: true })).find(
      (s) => s.fiscalYear === 2024 && s.dataset === 'tender/tender-ekontrak-kontrak',
    )!;
    const outcome = await pull(
      { sourceKey: source.key, trigger: 'STARTUP', jobKey: 'live.1' },
      { feed: { baseUrl: sim.url, backoffBaseMs: 5, backoffMaxMs: 20 } },
    );
    if (outcome.outcome !== 'finished') throw new Error(`pull ${outcome.outcome}`);
    const runId = outcome.run.id;
    const { version } = await recomputeKpis({ reason: `ingest run ${runId}`, runIds: [runId] });

    const event = await refreshed.until((p) => p.data?.kpiRefreshed?.dataVersion === version);
    expect(event.data.kpiRefreshed.years).toContain(2024);
    const revision = await revisions.until((p) => p.data?.kpiRevisionChanged?.version === version);
    expect(revision.data.kpiRevisionChanged.status).toBe('PUBLISHED');
    const done = await progress.until((p) => p.data?.ingestRunProgress?.status === 'SUCCEEDED');
    expect(done.data.ingestRunProgress).toMatchObject({ runId, fetched: outcome.run.fetched });
    expect(outcome.run.fetched).toBeGreaterThan(0);
    const batches = progress.received.filter((p) => p.data?.ingestRunProgress?.status === null);
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((p) => p.data.ingestRunProgress.runId === runId)).toBe(true);
  });
});
