// The per-request GraphQL context: a fresh object per request, holding only request data.
import type { Deadline } from './deadline.js';

export type ViewerRole = 'PUBLIC' | 'ANALYST' | 'ADMIN';

export interface Viewer {
  role: ViewerRole;
  /** The API key's id, when the request carried a valid one. */
  keyId?: number;
}

export interface Context {
  requestId: string;
  viewer: Viewer;
  /** The client's address, for per-address rate limits. */
  address?: string;
  /** The caller's rate-limit budget after this request was charged (absent when limits are off). */
  rateLimit?: RateLimitState;
  /** The execution deadline of a query or mutation, set by its transport when execution starts. */
  deadline?: Deadline;
  /**
   * Set by the transport when the operation's depth, breadth and cost were already checked, before
   * it ran, against limits no looser than the schema's own (api/cost.ts): the complexity plugin then
   * does not measure the same operation again for each request.
   */
  shapeChecked?: boolean;
}

/** A caller's budget, as the API's rate limiter charged it for this request. */
export interface RateLimitState {
  scope: 'key' | 'address';
  cost: number;
  limit: number;
  remaining: number;
  resetAt: string;
  windowSeconds: number;
}

/** The auth scopes a viewer holds: every role is public, admins are analysts too. */
export function viewerScopes(viewer: Viewer): { public: boolean; analyst: boolean; admin: boolean } {
  return {
    public: true,
    analyst: viewer.role === 'ANALYST' || viewer.role === 'ADMIN',
    admin: viewer.role === 'ADMIN',
  };
}
