// GraphQL Code Generator config for a Bisma client (https://the-guild.dev/graphql/codegen).
// Copy it next to your code, or run it from here with the environment variables below:
//   BISMA_SCHEMA     the endpoint (e.g. https://bisma.example/graphql) or schema.graphql (default)
//   BISMA_DOCUMENTS  your operations (default src/**/*.graphql)
//   BISMA_CODEGEN_OUT where the typed documents go (default src/gql/)
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Bisma's own scalars are JSON strings: Money an exact decimal ("13100000000000.00", never a
 * float), Date a calendar date (YYYY-MM-DD), DateTime an RFC 3339 instant. Without this map
 * codegen types them `unknown`; strictScalars makes a new scalar fail the build instead.
 */
export const scalars = {
  Money: { input: 'string', output: 'string' },
  Date: { input: 'string', output: 'string' },
  DateTime: { input: 'string', output: 'string' },
} as const;

const config: CodegenConfig = {
  schema: process.env.BISMA_SCHEMA ?? 'schema.graphql',
  documents: process.env.BISMA_DOCUMENTS ?? 'src/**/*.graphql',
  ignoreNoDocuments: false,
  generates: {
    [process.env.BISMA_CODEGEN_OUT ?? 'src/gql/']: {
      preset: 'client',
      config: { scalars, strictScalars: true, enumsAsTypes: true, useTypeImports: true },
    },
  },
};

export default config;
