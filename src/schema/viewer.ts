// Who is asking: `viewer` (the caller's role and key) and `rateLimit` (the caller's budget after
// this request, like GitHub's), so a dashboard can show them without reading HTTP headers.
import { prisma } from '../lib/db.js';
import { builder } from './builder.js';
import { encodeId } from './common.js';
import type { Context, RateLimitState, ViewerRole } from './context.js';

const Role = builder.enumType('ViewerRole', {
  description: 'What a caller may do.',
  values: {
    PUBLIC: { description: 'No API key: published data only.' },
    ANALYST: { description: 'An analyst key: also drafts, deals, ingest history and exports.' },
    ADMIN: { description: 'An admin key: everything, mutations included.' },
  },
});

const ViewerRef = builder.objectRef<Context['viewer']>('Viewer').implement({
  description: 'The caller of this request.',
  fields: (t) => ({
    id: t.id({
      description: 'Stable per API key (all public callers share one).',
      resolve: (v) => encodeId('Viewer', v.keyId ?? 'public'),
    }),
    role: t.field({ type: Role, description: 'The caller’s role.', resolve: (v) => v.role as ViewerRole }),
    keyName: t.string({
      nullable: true,
      description: 'The name the API key was created with; null for the public.',
      resolve: async (v) =>
        v.keyId === undefined
          ? null
          : ((await prisma.apiKey.findUnique({ where: { id: v.keyId }, select: { name: true } }))?.name ??
            null),
    }),
  }),
});

const RateLimit = builder.objectRef<RateLimitState>('RateLimit').implement({
  description:
    'The caller’s rate-limit budget after this request (the same figures as the x-ratelimit-* headers).',
  fields: (t) => ({
    id: t.id({
      description: 'The budget’s id: its scope and window.',
      resolve: (r) => encodeId('RateLimit', `${r.scope}:${r.resetAt}`),
    }),
    scope: t.string({
      description: '`key` (an API key’s own budget) or `address` (the public, per client address).',
      resolve: (r) => r.scope,
    }),
    cost: t.exposeInt('cost', { description: 'What this request was charged.' }),
    limit: t.exposeInt('limit', { description: 'The budget per window.' }),
    remaining: t.exposeInt('remaining', { description: 'What is left of the budget in this window.' }),
    resetAt: t.field({
      type: 'DateTime',
      description: 'When the window ends and the budget is whole again.',
      resolve: (r) => r.resetAt,
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    description: 'Who is asking: the role and API key of this request. Readable by everyone.',
    resolve: (_root, _args, ctx) => ctx.viewer,
  }),
);

builder.queryField('rateLimit', (t) =>
  t.field({
    type: RateLimit,
    nullable: true,
    description:
      'The caller’s budget after this request was charged; null when rate limits are off (or over a websocket). Readable by everyone.',
    resolve: (_root, _args, ctx) => ctx.rateLimit ?? null,
  }),
);
