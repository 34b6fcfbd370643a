// Who is calling: the viewer of a request, from `Authorization: Bearer <api key>`, authenticated
// once per request whoever asks first (the response cache, the rate limiter, Apollo's context).
import type { FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../lib/auth.js';
import type { Viewer } from '../schema/context.js';
import { authenticateApiKey } from '../services/api-keys.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * No header: the public viewer. A header that is malformed, or a key that is unknown or revoked,
 * refuses the whole request (UNAUTHENTICATED) rather than silently downgrading to public.
 */
export async function viewerFromAuthorization(header: string | undefined): Promise<Viewer> {
  if (header === undefined || header.trim() === '') return { role: 'PUBLIC' };
  const match = BEARER.exec(header);
  if (!match) throw new UnauthenticatedError('the Authorization header must be "Bearer <api key>"');
  const key = await authenticateApiKey(match[1]!);
  return { role: key.role, keyId: key.id };
}

const viewers = new WeakMap<FastifyRequest, Promise<Viewer>>();

/**
 * The request's viewer, authenticated once whether the cache, the rate limiter or Apollo's context
 * asks first. Throws as viewerFromAuthorization does.
 */
export function viewerForRequest(request: FastifyRequest): Promise<Viewer> {
  let viewer = viewers.get(request);
  if (!viewer) {
    viewer = viewerFromAuthorization(request.headers.authorization);
    viewers.set(request, viewer);
  }
  return viewer;
}
