// urql against a running Bisma: its default (queries as GET without a preflight header) is refused
// by the server's CSRF check; the settings docs/clients.md gives (POST, or GET with the
// apollo-require-preflight header) are answered. Run by test/integration/clients.test.ts:
//   node --import tsx test/clients/urql-pass.ts <url>
import { Client, cacheExchange, fetchExchange, gql } from '@urql/core';

const url = `${process.argv[2]}/graphql`;
const QUERY = gql`
  query UrqlEvents { events(first: 2) { totalCount edges { node { id title } } } }
`;

async function run(client: Client) {
  const result = await client.query(QUERY, {}).toPromise();
  return { data: result.data ?? null, error: result.error?.message ?? null };
}

const exchanges = [cacheExchange, fetchExchange];
process.stdout.write(
  `${JSON.stringify({
    byDefault: await run(new Client({ url, exchanges })),
    post: await run(new Client({ url, exchanges, preferGetMethod: false })),
    getWithPreflight: await run(
      new Client({ url, exchanges, fetchOptions: { headers: { 'apollo-require-preflight': 'true' } } }),
    ),
  })}\n`,
);
