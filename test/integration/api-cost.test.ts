// Cost made visible over real HTTP: every answer's extensions carry the operation's computed cost
// and the caller's remaining budget, and a page size the API clamps is reported as a warning.
import { describe, expect, it } from '@jest/globals';
import { makeEvent, makeExhibitor, register } from '../factories/data.js';
import { apiTestFile } from '../helpers/api-file.js';

const { api, keys } = apiTestFile({
  seed: async () => {
    const event = await makeEvent();
    for (let i = 0; i < 120; i++) {
      const exhibitor = await makeExhibitor();
      if (i < 3) await register(event.id, exhibitor.id);
    }
  },
});

/** events(first) → edges → node → title: 1 + first × (edges 1 + node 1 + title 1). */
const eventsQuery = (first: number) => `{ events(first: ${first}) { edges { node { title } } } }`;

describe('cost in extensions', () => {
  it('reports the computed cost and the limits with every answer', async () => {
    const res = await api.gql(eventsQuery(10));
    expect(res.errors).toBeUndefined();
    expect(res.data.events.edges).toHaveLength(1);
    expect(res.extensions.cost).toEqual({
      requested: 31,
      limit: 20_000,
      depth: 4,
      depthLimit: 12,
      breadth: 4,
      breadthLimit: 300,
    });
  });

  it('charges a connection by the page it asks for, and a plain list by 10 items', async () => {
    expect((await api.gql(eventsQuery(20))).extensions.cost.requested).toBe(61);
    // Without `first` a page is 20 items.
    expect((await api.gql('{ events { edges { node { title } } } }')).extensions.cost.requested).toBe(61);
    const nested = await api.gql('{ events(first: 2) { edges { node { sessions { topic } } } } }');
    // 1 + 2 × (edges 1 + node 1 + sessions (1 + 10 × topic 1)).
    expect(nested.extensions.cost.requested).toBe(1 + 2 * (1 + 1 + 11));
  });

  it('shows the public its per-address budget, decreasing by each operation’s cost', async () => {
    const first = await api.gql(eventsQuery(10));
    const second = await api.gql(eventsQuery(10));
    expect(first.extensions.rateLimit).toMatchObject({
      scope: 'address',
      cost: 31,
      limit: 200_000,
      windowSeconds: 60,
    });
    expect(second.extensions.rateLimit.remaining).toBe(first.extensions.rateLimit.remaining - 31);
    expect(Date.parse(second.extensions.rateLimit.resetAt)).toBeGreaterThan(Date.now() - 1000);
    expect(second.headers.get('x-ratelimit-remaining')).toBe(String(second.extensions.rateLimit.remaining));
    expect(second.headers.get('x-ratelimit-limit')).toBe('200000');
  });

  it('charges a key’s own budget, not the address’s', async () => {
    const before = (await api.gql(eventsQuery(1))).extensions.rateLimit.remaining;
    const keyed = await api.gql(eventsQuery(10), undefined, keys.analyst);
    expect(keyed.extensions.rateLimit).toMatchObject({
      scope: 'key',
      cost: 31,
      limit: 1_000_000,
      remaining: 1_000_000 - 31,
    });
    const after = (await api.gql(eventsQuery(1))).extensions.rateLimit.remaining;
    expect(after).toBe(before - 4);
  });
});

describe('clamping warnings', () => {
  it('clamps a page size over 100 to 100 and says so in extensions.warnings', async () => {
    const res = await api.gql('{ exhibitors(first: 500) { edges { node { name } } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data.exhibitors.edges).toHaveLength(100);
    expect(res.extensions.warnings).toEqual([
      {
        code: 'PAGE_SIZE_CLAMPED',
        message: 'first: 500 was clamped to the maximum page size, 100',
        path: ['exhibitors'],
        requested: 500,
        applied: 100,
      },
    ]);
    // Charged for the page it gets, not the one it asked for.
    expect(res.extensions.cost.requested).toBe(1 + 100 * 3);
  });

  it('names the aliased, nested field whose page was clamped, with the size from a variable', async () => {
    const res = await api.gql(
      `query ($n: Int) { ev: events(first: 1) { edges { node { ...F } } } }
       fragment F on Event { participations { exhibitor { big: deals(first: $n) { totalCount } } } }`,
      { n: 250 },
      keys.analyst,
    );
    expect(res.errors).toBeUndefined();
    expect(res.extensions.warnings).toEqual([
      expect.objectContaining({
        path: ['ev', 'edges', 'node', 'participations', 'exhibitor', 'big'],
        requested: 250,
      }),
    ]);
  });

  it('gives no warnings when nothing is clamped', async () => {
    const res = await api.gql('{ exhibitors(first: 100) { totalCount } }');
    expect(res.extensions.warnings).toBeUndefined();
    expect(res.data.exhibitors.totalCount).toBe(120);
  });
});
