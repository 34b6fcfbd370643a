// The GraphQL explorer: GraphiQL served from the project's own node_modules (React 18 and
// GraphiQL UMD builds), so it works on networks without internet access. A strict
// Content-Security-Policy keeps the page from loading anything from elsewhere.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import type { Context } from '../schema/context.js';

export const EXPLORER_PATH = '/explorer';
const ASSETS = `${EXPLORER_PATH}/assets`;
// Relative, so the page loads behind a proxy under a path: /explorer and /graphql (its other
// address) sit at the same depth, so the same relative links work from both.
const RELATIVE_ASSETS = ASSETS.slice(1);

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

const FILES: Record<string, { file: () => string; type: string }> = {
  'react.production.min.js': {
    file: () => path.join(packageDir('react'), 'umd/react.production.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'react-dom.production.min.js': {
    file: () => path.join(packageDir('react-dom'), 'umd/react-dom.production.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'graphiql.min.js': {
    file: () => path.join(packageDir('graphiql'), 'graphiql.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  // graphql-ws's own browser build: the explorer runs subscriptions over it (see START_SCRIPT).
  'graphql-ws.min.js': {
    file: () => path.join(packageDir('graphql-ws'), 'umd/graphql-ws.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'graphiql.min.css': {
    file: () => path.join(packageDir('graphiql'), 'graphiql.min.css'),
    type: 'text/css; charset=utf-8',
  },
};

// Starts the explorer with a query that works for any role, so a first click shows data.
// Queries and mutations go over HTTP; subscriptions over graphql-ws on the same origin, one
// connection per Authorization header typed in the Headers pane (sent as connectionParams).
const START_SCRIPT = `(function () {
  var http = GraphiQL.createFetcher({ url: 'graphql' });
  // Relative to the page, so the explorer works behind a proxy under a path (BASE_PATH).
  var wsUrl = new URL('graphql', location.href).href.replace(/^http/, 'ws');
  var sockets = {};
  function socketFor(authorization) {
    var key = authorization || '';
    if (!sockets[key]) {
      sockets[key] = graphqlWs.createClient({
        url: wsUrl,
        lazy: true,
        connectionParams: authorization ? { authorization: authorization } : {},
      });
    }
    return sockets[key];
  }
  // Read from the text sent, not GraphiQL's parsed document: that one can lag behind an edit.
  function isSubscription(params) {
    var text = String(params.query || '').replace(/#[^\\n\\r]*/g, '');
    if (params.operationName) {
      return new RegExp('\\\\bsubscription\\\\s+' + params.operationName + '\\\\b').test(text);
    }
    return /^\\s*subscription\\b/.test(text);
  }
  var fetcher = function (params, opts) {
    if (!isSubscription(params)) return http(params, opts);
    var headers = (opts && opts.headers) || {};
    var client = socketFor(headers.Authorization || headers.authorization);
    return {
      subscribe: function (sink) {
        var observer = typeof sink === 'function' ? { next: sink } : sink;
        var dispose = client.subscribe(params, {
          next: function (v) { observer.next && observer.next(v); },
          error: function (e) { observer.error && observer.error(e instanceof Error ? e : new Error(String(e && e.reason || e))); },
          complete: function () { observer.complete && observer.complete(); },
        });
        return { unsubscribe: dispose };
      },
    };
  };
  var defaultQuery = [
    '# Bisma GraphQL explorer. Add an admin or analyst key in Headers:',
    '#   {"Authorization": "Bearer <api key>"}',
    '{',
    '  events(first: 5) {',
    '    totalCount',
    '    edges { node { id batchNumber title startDate endDate venue status } }',
    '  }',
    '}',
    '',
  ].join('\\n');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery }));
})();
`;

export const EXPLORER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bisma GraphQL explorer</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${RELATIVE_ASSETS}/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading the explorer…</div>
<script src="${RELATIVE_ASSETS}/react.production.min.js"></script>
<script src="${RELATIVE_ASSETS}/react-dom.production.min.js"></script>
<script src="${RELATIVE_ASSETS}/graphiql.min.js"></script>
<script src="${RELATIVE_ASSETS}/graphql-ws.min.js"></script>
<script src="${RELATIVE_ASSETS}/start.js"></script>
</body>
</html>
`;

export const EXPLORER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
].join('; ');

/** Serves the explorer at /explorer and its assets; GET /graphql from a browser shows it too. */
export async function registerExplorer(app: FastifyInstance): Promise<void> {
  const assets = new Map<string, { body: Buffer | string; type: string }>();
  for (const [name, { file, type }] of Object.entries(FILES)) {
    assets.set(name, { body: await readFile(file()), type });
  }
  assets.set('start.js', { body: START_SCRIPT, type: 'text/javascript; charset=utf-8' });

  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) {
      reply.header('content-security-policy', EXPLORER_CSP);
    }
    done(null, payload);
  });
  app.get(EXPLORER_PATH, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(EXPLORER_HTML),
  );
  app.get<{ Params: { name: string } }>(`${ASSETS}/:name`, async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) return reply.code(404).send({ error: 'not found' });
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });
}

/** Apollo's landing page (GET /graphql with Accept: text/html) is the self-hosted explorer. */
export function explorerLandingPage(): ApolloServerPlugin<Context> {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: EXPLORER_HTML };
        },
      };
    },
  };
}
