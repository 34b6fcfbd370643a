// Serves the reference dashboard (web/, built into web/dist by `npm run web:build`) at `/`: hashed
// assets cached for a year, the page itself revalidated on every load, the pre-compressed brotli
// or gzip file sent when the browser accepts it. The dashboard reads only the public /graphql.
//
// A route per built file, found at start, rather than @fastify/static: that plugin (v10) requires
// content-disposition 3, an ES module that Jest's module runtime cannot require before Node 24.9,
// and every test that builds the server loads this file. The build is a handful of files.
import { createReadStream, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const DASHBOARD_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Stricter than the explorer's: the dashboard needs no inline styles, scripts or workers. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface DashboardOptions {
  /** The built dashboard (default web/dist). */
  root?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names every asset `name-<hash>.ext` under assets/: such a file never changes. */
const HASHED = /^assets\/[^/]+-[\w-]{8,}\.\w+$/;

const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

interface Variant {
  file: string;
  size: number;
  etag: string;
}

interface Asset {
  type: string;
  cacheControl: string;
  identity: Variant;
  encoded: Partial<Record<(typeof ENCODINGS)[number]['name'], Variant>>;
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bisma dashboard not built</title></head>
<body><h1>The dashboard is not built</h1>
<p>Run <code>npm run web:build</code> (or <code>npm start</code>, which builds it) and restart the API.
The GraphQL API is at <a href="graphql">graphql</a>.</p></body></html>
`;

async function variant(file: string): Promise<Variant | null> {
  try {
    const s = await stat(file);
    return { file, size: s.size, etag: `"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"` };
  } catch {
    return null;
  }
}

/** Every servable file of the build by its path relative to the root, with its encodings. */
async function scan(root: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  const names = (await readdir(root, { recursive: true })).map((n) => n.split(path.sep).join('/'));
  for (const name of names.sort()) {
    const type = TYPES[path.extname(name)];
    if (!type || name.split('/').some((part) => part.startsWith('.'))) continue;
    const identity = await variant(path.join(root, name));
    if (!identity) continue;
    const encoded: Asset['encoded'] = {};
    for (const e of ENCODINGS) {
      const v = await variant(path.join(root, name + e.suffix));
      if (v) encoded[e.name] = v;
    }
    assets.set(name, {
      type,
      cacheControl: HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache',
      identity,
      encoded,
    });
  }
  return assets;
}

/** The encodings the request accepts (q > 0), from Accept-Encoding. */
function accepted(header: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (token && !(q && Number(q.slice(2)) === 0)) out.add(token);
  }
  return out;
}

function send(asset: Asset, request: FastifyRequest, reply: FastifyReply) {
  const accepts = accepted(request.headers['accept-encoding']);
  const chosen = ENCODINGS.find((e) => asset.encoded[e.name] && (accepts.has(e.name) || accepts.has('*')));
  const v = chosen ? asset.encoded[chosen.name]! : asset.identity;
  reply.header('content-type', asset.type).header('cache-control', asset.cacheControl).header('etag', v.etag);
  if (Object.keys(asset.encoded).length > 0) reply.header('vary', 'accept-encoding');
  if (chosen) reply.header('content-encoding', chosen.name);
  if (request.headers['if-none-match'] === v.etag) return reply.code(304).send();
  reply.header('content-length', v.size);
  return reply.send(createReadStream(v.file));
}

export async function dashboardPlugin(app: FastifyInstance, options: DashboardOptions = {}): Promise<void> {
  const root = options.root ?? DASHBOARD_DIST;
  // The explorer's hook sets its own policy on every HTML answer; this one runs after it (a
  // child context's hooks follow its parent's) and puts the dashboard's in its place.
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) {
      reply.header('content-security-policy', DASHBOARD_CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
    }
    return payload;
  });

  if (!existsSync(path.join(root, 'index.html'))) {
    app.log.warn({ root }, 'dashboard not built: `/` explains how to build it');
    app.get('/', async (_request, reply) => reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT));
    return;
  }

  // One route per built file, so nothing else under `/` is shadowed and unknown paths are 404s.
  for (const [name, asset] of await scan(root)) {
    const handler = (request: FastifyRequest, reply: FastifyReply) => send(asset, request, reply);
    app.get(`/${name}`, handler);
    if (name === 'index.html') app.get('/', handler);
  }
}
