// Bisma behind a reverse proxy under a path (BASE_PATH=/bisma), over real HTTP: the explorer, its
// assets, GraphQL and the queue board load from /bisma/…, whether the proxy keeps the prefix or
// strips it, because every link a page makes is relative or names the prefix. Also the warm-up
// marker: while the demo history is queued, answers and /readyz say the figures are partial.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

// Read by the configuration on first use, so it is set before the server's modules load.
process.env.BASE_PATH = '/bisma/';

const { closeDb } = await import('../../src/lib/db.js');
const { DEMO_JOB_ID } = await import('../../src/jobs/enqueue.js');
const { closeSharedProducer, sharedProducer } = await import('../../src/jobs/producer.js');
const { createKeys, startApi } = await import('../factories/api.js');
const { createTestDatabase } = await import('../helpers/db.js');
const { flushTestPrefix } = await import('../helpers/redis.js');

let api: Awaited<ReturnType<typeof startApi>>;
let admin: string;

/** Every href and src of a page on its own server, resolved as the browser resolves them. */
function links(html: string, pageUrl: string): string[] {
  const base = /<base href="([^"]+)"/.exec(html)?.[1];
  const from = new URL(base ?? pageUrl, pageUrl);
  return [...html.matchAll(/\s(?:href|src)="([^"#][^"]*)"/g)]
    .map((m) => m[1]!)
    .filter((link) => !link.startsWith('data:') && link !== base)
    .map((link) => new URL(link, from))
    .filter((url) => url.origin === from.origin)
    .map((url) => url.toString());
}

beforeAll(async () => {
  await createTestDatabase();
  admin = (await createKeys()).admin;
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
  await closeSharedProducer();
  await flushTestPrefix();
  await closeDb();
});

describe('under BASE_PATH=/bisma', () => {
  it('serves the explorer whose every asset loads from under /bisma, and GraphQL at /bisma/graphql', async () => {
    const page = `${api.url}/bisma/explorer`;
    const res = await fetch(page);
    expect(res.status).toBe(200);
    const assets = links(await res.text(), page);
    expect(assets.length).toBeGreaterThanOrEqual(5);
    for (const asset of assets) {
      expect(asset.startsWith(`${api.url}/bisma/`)).toBe(true);
      expect([asset, (await fetch(asset)).status]).toEqual([asset, 200]);
    }
    const start = await (await fetch(`${api.url}/bisma/explorer/assets/start.js`)).text();
    expect(start).toContain("createFetcher({ url: 'graphql' })");

    const gql = await fetch(`${api.url}/bisma/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await gql.json()).toMatchObject({ data: { __typename: 'Query' } });
  });

  it('still answers a proxy that strips the prefix', async () => {
    expect((await fetch(`${api.url}/explorer`)).status).toBe(200);
    expect((await fetch(`${api.url}/explorer/assets/graphiql.min.css`)).status).toBe(200);
    expect((await fetch(`${api.url}/bismarck/explorer`)).status).toBe(404);
  });

  it('serves the queue board whose page names /bisma/admin/queues and whose assets and API load from there', async () => {
    const auth = { authorization: `Bearer ${admin}` };
    const page = `${api.url}/bisma/admin/queues`;
    const res = await fetch(page, { headers: auth });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('/bisma/admin/queues');
    const assets = links(html, page);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset.startsWith(`${api.url}/bisma/admin/queues/`)).toBe(true);
      expect([asset, (await fetch(asset, { headers: auth })).status]).toEqual([asset, 200]);
    }
    const queues = await fetch(`${api.url}/bisma/admin/queues/api/queues`, { headers: auth });
    expect(queues.status).toBe(200);
  });
});

describe('warm-up', () => {
  it('marks answers and /readyz while the demo history is queued, and not before or after', async () => {
    const ask = async () => {
      const res = await fetch(`${api.url}/bisma/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      const ready = (await (await fetch(`${api.url}/readyz`)).json()) as { warmingUp: boolean };
      const body = (await res.json()) as { extensions?: { warmingUp?: boolean } };
      return { answer: body.extensions?.warmingUp ?? false, ready: ready.warmingUp };
    };
    // Answers within a second share one look at the queue.
    const settle = () => new Promise((r) => setTimeout(r, 1_100));
    expect(await ask()).toEqual({ answer: false, ready: false });
    const queue = sharedProducer().queue('ingest');
    await queue.add('demo-history', {}, { jobId: DEMO_JOB_ID, delay: 60_000 });
    await settle();
    expect(await ask()).toEqual({ answer: true, ready: true });
    await queue.remove(DEMO_JOB_ID);
    await settle();
    expect(await ask()).toEqual({ answer: false, ready: false });
  });
});
