// Who is calling: the viewer of a request, from `Authorization: Bearer <api key>`.
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
