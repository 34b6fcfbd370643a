// The GraphQL-over-HTTP audits (test/helpers/http-audit.ts) against the running API, response
// cache off (the default under test).
import { afterAll, beforeAll } from '@jest/globals';
import { closeDb } from '../../src/lib/db.js';
import { type Api, startApi } from '../factories/api.js';
import { createTestDatabase } from '../helpers/db.js';
import { describeHttpAudits } from '../helpers/http-audit.js';
import { flushTestPrefix } from '../helpers/redis.js';

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

describeHttpAudits('GraphQL over HTTP audits (graphql-http)', () => `${api.url}/graphql`);
