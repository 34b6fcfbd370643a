// The API serves the built dashboard at `/`: the page revalidated, hashed assets cached for good,
// pre-compressed encodings, a strict content policy, nothing from other hosts, and the API's own
// routes untouched.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Fastify from 'fastify';
import { DASHBOARD_CSP, DASHBOARD_DIST, dashboardPlugin } from '../../src/api/dashboard.js';
import { EXPLORER_CSP } from '../../src/api/explorer.js';
import { closeDb } from '../../src/lib/db.js';
import { ensureDashboardBuilt } from '../browser/build.js';
import { type Api, startApi } from '../factories/api.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

let api: Api;
let assets: string[];

beforeAll(async () => {
  ensureDashboardBuilt();
  await createTestDatabase();
  api = await startApi();
  assets = (await readdir(path.join(DASHBOARD_DIST, 'assets'))).filter((f) => /\.(js|css)$/.test(f));
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

const get = (p: string, headers: Record<string, string> = {}) =>
  fetch(`${api.url}${p}`, { headers: { 'accept-encoding': 'identity', ...headers } });

describe('the dashboard at /', () => {
  it('serves the page with the dashboard content policy, revalidated on every load', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    expect(html).toContain('<div id="app">');
    // Every script and stylesheet is one of the built, hashed assets, loaded relative to the page.
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(2);
    for (const ref of refs) expect(ref).toMatch(/^\.\/(assets\/[\w.-]+|favicon\.svg)$/);
  });

  it('serves hashed assets cached for a year, in brotli or gzip when the browser accepts them', async () => {
    const js = assets.find((f) => f.endsWith('.js'))!;
    const plain = await get(`/assets/${js}`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/javascript/);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-encoding')).toBeNull();
    const body = await plain.text();

    const br = await get(`/assets/${js}`, { 'accept-encoding': 'br, gzip' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(await br.text()).toBe(body);

    const gz = await get(`/assets/${js}`, { 'accept-encoding': 'gzip, br;q=0' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(await gz.text()).toBe(body);
  });

  it('answers a revalidation of an unchanged file with 304 and a HEAD without a body', async () => {
    const first = await get('/');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    const again = await get('/', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    const head = await fetch(`${api.url}/index.html`, {
      method: 'HEAD',
      headers: { 'accept-encoding': 'identity' },
    });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(await first.text()));
    expect(await head.text()).toBe('');
  });

  it('loads nothing from another host: no CDN, no web fonts, no remote URLs in the bundle', async () => {
    for (const file of ['index.html', ...assets.map((a) => `assets/${a}`)]) {
      const text = await readFile(path.join(DASHBOARD_DIST, file), 'utf8');
      // XML namespace names are identifiers, never fetched.
      const urls = [...text.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'`)]*/gi)]
        .map((m) => m[0])
        .filter((u) => !/^(?:https?:)?\/\/www\.w3\.org\//.test(u));
      expect({ file, urls }).toEqual({ file, urls: [] });
    }
  });

  it('answers 404 for files that are not in the build and leaves the API routes alone', async () => {
    expect((await get('/assets/missing-0123456789.js')).status).toBe(404);
    expect((await get('/.env')).status).toBe(404);
    const health = await get('/healthz');
    expect(await health.json()).toEqual({ status: 'ok' });
    const explorer = await get('/explorer');
    expect(explorer.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    const gql = await api.gql('query { serverInfo { version } }');
    expect(gql.errors).toBeUndefined();
  });
});

describe('a server without a built dashboard', () => {
  it('explains at / how to build it instead of failing to start', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'bisma-no-dashboard-'));
    const app = Fastify();
    try {
      await app.register(dashboardPlugin, { root: empty });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run web:build');
      expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    } finally {
      await app.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
