// The GraphQL-over-HTTP audits (test/helpers/http-audit.ts) with the response cache on: the same
// results as with it off, since a cache hit runs the request checks Apollo would.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Api } from '../factories/api.js';

// The cache is off by default under NODE_ENV=test; turned on before anything reads the configuration.
process.env.RESPONSE_CACHE = 'true';
const { closeDb } = await import('../../src/lib/db.js');
const { CACHE_HEADER } = await import('../../src/api/response-cache.js');
const { startApi } = await import('../factories/api.js');
const { createTestDatabase } = await import('../helpers/db.js');
const { describeHttpAudits } = await import('../helpers/http-audit.js');
const { flushTestPrefix } = await import('../helpers/redis.js');

let api: Api;

beforeAll(async () => {
  await createTestDatabase();
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

it('has the audits’ query in the cache, so they meet cache hits', async () => {
  const ask = () =>
    fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
  await ask();
  expect((await ask()).headers.get(CACHE_HEADER)).toBe('HIT');
});

describeHttpAudits('GraphQL over HTTP audits with the response cache on', () => `${api.url}/graphql`);
