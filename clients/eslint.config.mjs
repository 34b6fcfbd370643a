// graphql-eslint over the published schema: Relay's connection, edge, page-info and argument
// conventions, and an id on every object type a client caches (connections, edges, mutation
// payloads and errors excepted). Run: npx eslint -c clients/eslint.config.mjs schema.graphql
import graphqlPlugin from '@graphql-eslint/eslint-plugin';

export default [
  {
    files: ['schema.graphql'],
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: { graphQLConfig: { schema: 'schema.graphql' } },
    },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: {
      '@graphql-eslint/relay-arguments': 'error',
      '@graphql-eslint/relay-connection-types': 'error',
      // Bounded lists (twelve monthly points, a breakdown's rows) stay plain lists: lists that grow
      // are connections (an event's sessionsConnection beside its four days of sessions).
      '@graphql-eslint/relay-edge-types': ['error', { listTypeCanWrapOnlyEdgeType: false }],
      '@graphql-eslint/relay-page-info': 'error',
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          acceptedIdNames: ['id'],
          acceptedIdTypes: ['ID'],
          exceptions: {
            types: ['PageInfo', 'Query', 'Mutation', 'Subscription'],
            suffixes: ['Connection', 'Edge', 'Success', 'Error', 'Payload'],
          },
        },
      ],
    },
  },
];
