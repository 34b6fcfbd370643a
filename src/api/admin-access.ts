// Admin-only HTTP pages outside GraphQL (the queue board, /metrics): the admin API key as a bearer
// (scripts, Prometheus) or as the password of HTTP Basic auth (a browser asks for it by itself).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.js';
import { authenticateApiKey } from '../services/api-keys.js';

export type Access = 'admin' | 'forbidden' | 'unauthenticated';

/** The API key a header presents: `Bearer <key>`, or `Basic` with the key as password. */
export function presentedKey(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1]!;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon >= 0 ? decoded.slice(colon + 1) : '';
  return password || null;
}

export async function adminAccess(header: string | undefined): Promise<Access> {
  const key = presentedKey(header);
  if (!key) return 'unauthenticated';
  try {
    const found = await authenticateApiKey(key);
    return found.role === 'ADMIN' ? 'admin' : 'forbidden';
  } catch (err) {
    if (err instanceof AppError && err.code === 'UNAUTHENTICATED') return 'unauthenticated';
    throw err;
  }
}

/** Answers 401 (with a Basic challenge, so a browser prompts) or 403 unless the caller is an admin. */
export async function refuseUnlessAdmin(
  request: FastifyRequest,
  reply: FastifyReply,
  realm: string,
): Promise<boolean> {
  const access = await adminAccess(request.headers.authorization);
  if (access === 'admin') return false;
  if (access === 'unauthenticated') {
    await reply
      .code(401)
      .header('www-authenticate', `Basic realm="${realm}", charset="UTF-8"`)
      .send({ error: 'an admin API key is required (as a bearer token, or as the Basic auth password)' });
  } else {
    await reply.code(403).send({ error: 'this page is for admin API keys only' });
  }
  return true;
}
