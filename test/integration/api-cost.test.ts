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

  it('shows the public its per-address budget in headers only, decreasing by each operation’s cost', async () => {
    const first = await api.gql(eventsQuery(10));
    const second = await api.gql(eventsQuery(10));
    const remaining = (res: typeof first) => Number(res.headers.get('x-ratelimit-remaining'));
    expect(first.headers.get('x-ratelimit-limit')).toBe('200000');
    expect(remaining(second)).toBe(remaining(first) - 31);
    expect(Number(second.headers.get('x-ratelimit-reset')) * 1000).toBeGreaterThan(Date.now() - 1000);
    // The body is the same for every public caller: no budget in it.
    expect(Object.keys(second.extensions)).toEqual(['cost']);
  });

  it('charges a key’s own budget, not the address’s', async () => {
    const remaining = (res: { headers: Headers }) => Number(res.headers.get('x-ratelimit-remaining'));
    const before = remaining(await api.gql(eventsQuery(1)));
    const keyed = await api.gql(eventsQuery(10), undefined, keys.analyst);
    expect(keyed.headers.get('x-ratelimit-limit')).toBe('1000000');
    expect(remaining(keyed)).toBe(1_000_000 - 31);
    expect(keyed.extensions.rateLimit).toBeUndefined();
    const after = remaining(await api.gql(eventsQuery(1)));
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
