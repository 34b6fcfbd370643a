// Apollo Client 4 against a running Bisma, set up as docs/clients.md says (possibleTypes from
// clients/possible-types.json, relayStylePagination, keyFields by global id): pages, a mutation
// that updates the cache, the fields of an error union, and any warning Apollo prints.
// Run by test/integration/clients.test.ts: node --import tsx test/clients/apollo-pass.ts <url> <admin key>
import { readFileSync } from 'node:fs';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';

const [url, adminKey] = process.argv.slice(2) as [string, string];
const warnings: string[] = [];
for (const level of ['warn', 'error'] as const) {
  console[level] = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
}

const possibleTypes = JSON.parse(
  readFileSync(new URL('../../clients/possible-types.json', import.meta.url), 'utf8'),
) as Record<string, string[]>;

const client = new ApolloClient({
  link: new HttpLink({
    uri: `${url}/graphql`,
    headers: { authorization: `Bearer ${adminKey}` },
  }),
  cache: new InMemoryCache({
    possibleTypes,
    typePolicies: {
      Query: {
        fields: {
          exhibitors: relayStylePagination(['filter', 'orderBy']),
          events: relayStylePagination(['filter', 'orderBy']),
        },
      },
    },
  }),
});

const EXHIBITORS = gql`
  query Exhibitors($first: Int!, $after: String) {
    exhibitors(first: $first, after: $after) {
      totalCount
      edges { cursor node { id name } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const SUMMARY = gql`
  query Summary($year: Int!) { kpiSummary(year: $year) { id year realisation provenance { dataVersion } } }
`;
const UPDATE = gql`
  mutation Update($id: ID!, $input: UpdateExhibitorInput!) {
    updateExhibitor(id: $id, input: $input) {
      __typename
      ... on MutationUpdateExhibitorSuccess { data { id name } }
      ... on Error { code message field }
      ... on ValidationError { problems { field message } }
    }
  }
`;

type Page = {
  exhibitors: { edges: { node: { id: string; name: string } }[]; pageInfo: { endCursor: string } };
};

const first = await client.query<Page>({ query: EXHIBITORS, variables: { first: 2 } });
// The next page from the network (the cache already holds a field under the same key args).
const more = await client.query<Page>({
  query: EXHIBITORS,
  variables: { first: 2, after: first.data!.exhibitors.pageInfo.endCursor },
  fetchPolicy: 'network-only',
});
// relayStylePagination merges the pages under one cache field.
const merged = client.readQuery<Page>({ query: EXHIBITORS, variables: { first: 2 } });
const firstId = first.data!.exhibitors.edges[0]!.node.id;

const renamed = await client.mutate<{ updateExhibitor: { __typename: string; data?: { name: string } } }>({
  mutation: UPDATE,
  variables: { id: firstId, input: { name: 'CV Dari Apollo' } },
});
// The mutation's answer carries the exhibitor's id, so the cached page shows the new name.
const afterMutation = client.readQuery<Page>({ query: EXHIBITORS, variables: { first: 2 } });

const refused = await client.mutate({
  mutation: UPDATE,
  variables: { id: 'not-an-id', input: { name: '' } },
});

await client.query({ query: SUMMARY, variables: { year: 2023 } });
await client.query({ query: SUMMARY, variables: { year: 2023 }, fetchPolicy: 'network-only' });

process.stdout.write(
  `${JSON.stringify({
    pages: [first.data, more.data].map((d) => d!.exhibitors.edges.map((e) => e.node.id)),
    merged: merged?.exhibitors.edges.map((e) => e.node.id),
    renamed: renamed.data,
    cachedName: afterMutation?.exhibitors.edges.find((e) => e.node.id === firstId)?.node.name,
    refused: refused.data,
    warnings,
  })}\n`,
);
