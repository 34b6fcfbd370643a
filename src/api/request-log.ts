// Every request runs inside its work context (lib/request-context), so whatever it logs, in any
// layer, carries its request id; and ends with one access log line.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runWithWork } from '../lib/request-context.js';

/** Probes and scrapes come every few seconds: their lines are debug, not info. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

export function registerRequestLog(app: FastifyInstance): void {
  const enter = (request: FastifyRequest, _reply: unknown, done: () => void) =>
    runWithWork({ requestId: request.id }, done);
  app.addHook('onRequest', enter);
  // Again once the body is read: the body stream's callbacks ran outside the request's context.
  app.addHook('preHandler', enter);

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    const quiet = route !== undefined && QUIET_ROUTES.has(route);
    request.log[quiet ? 'debug' : 'info'](
      {
        requestId: request.id,
        method: request.method,
        url: request.url.split('?')[0],
        route,
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
    // Headers (credentials redacted by the logger) only when debugging.
    request.log.debug({ requestId: request.id, headers: request.headers }, 'request headers');
    done();
  });
}
