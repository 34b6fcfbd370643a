// API keys: created once (the secret is shown once), stored only as a SHA-256 hash, revocable.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../generated/prisma/client.js';
import { UnauthenticatedError } from '../lib/auth.js';
import { prisma } from '../lib/db.js';
import { NotFoundError, ValidationError } from '../lib/errors.js';

export type { Role };

export interface CreatedApiKey {
  id: number;
  name: string;
  role: Role;
  /** The first characters of the key, stored in clear so operators can tell keys apart. */
  prefix: string;
  /** The secret itself: shown once, never stored. */
  key: string;
}

export interface AuthenticatedKey {
  id: number;
  role: Role;
}

const PREFIX_LENGTH = 12;
// lastUsedAt is a hint for operators; writing it on every request would be a write per read.
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Creates a key; pass `secret` to choose it (e.g. BOOTSTRAP_ADMIN_KEY), else one is generated. */
export async function createApiKey(name: string, role: Role, secret?: string): Promise<CreatedApiKey> {
  if (!name.trim()) throw new ValidationError('name', 'a key needs a name');
  if (secret !== undefined && secret.length < 16) {
    throw new ValidationError('secret', 'an API key must be at least 16 characters');
  }
  const key = secret ?? `bsm_${randomBytes(24).toString('base64url')}`;
  const prefix = key.slice(0, PREFIX_LENGTH);
  const row = await prisma.apiKey.create({
    data: { name: name.trim(), role, prefix, hash: hashApiKey(key) },
  });
  return { id: row.id, name: row.name, role: row.role, prefix, key };
}

/** Revokes a key by id; revoking twice keeps the first revocation time. */
export async function revokeApiKey(id: number): Promise<void> {
  const { count } = await prisma.apiKey.updateMany({
    where: { id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0 && !(await prisma.apiKey.findUnique({ where: { id }, select: { id: true } }))) {
    throw new NotFoundError('ApiKey', id);
  }
}

export async function listApiKeys() {
  return prisma.apiKey.findMany({
    orderBy: { id: 'asc' },
    select: {
      id: true,
      name: true,
      role: true,
      prefix: true,
      createdAt: true,
      revokedAt: true,
      lastUsedAt: true,
    },
  });
}

/** Resolves a presented key to its role; unknown and revoked keys are refused. */
export async function authenticateApiKey(key: string): Promise<AuthenticatedKey> {
  const presented = hashApiKey(key);
  const row = await prisma.apiKey.findUnique({ where: { hash: presented } });
  // The index lookup finds the row; the constant-time compare is what decides.
  if (!row || !timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(presented, 'hex'))) {
    throw new UnauthenticatedError('the API key is not valid');
  }
  if (row.revokedAt) throw new UnauthenticatedError('the API key has been revoked');
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { id: row.id, role: row.role };
}

/** Creates the configured bootstrap admin key unless a key with that secret already exists. */
export async function ensureBootstrapKey(secret: string): Promise<boolean> {
  const existing = await prisma.apiKey.findUnique({
    where: { hash: hashApiKey(secret) },
    select: { id: true },
  });
  if (existing) return false;
  try {
    await createApiKey('bootstrap admin', 'ADMIN', secret);
    return true;
  } catch (err) {
    // Another API process created it at the same moment.
    if ((err as { code?: string }).code === 'P2002') return false;
    throw err;
  }
}
