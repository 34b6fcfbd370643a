// Builds the Pothos schema builder: plugins, scalars and root types. Defines no domain types.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { DateResolver, DateTimeResolver } from 'graphql-scalars';
import type PrismaTypes from '../generated/pothos-types.js';
import { getDatamodel } from '../generated/pothos-types.js';
import { prisma } from '../lib/db.js';
import type { Context } from './context.js';
import { MoneyScalar } from './scalars.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Scalars: {
    Date: { Input: Date; Output: Date | string };
    DateTime: { Input: Date; Output: Date | string };
    Money: { Input: string; Output: string | { toFixed(dp: number): string } };
  };
}>({
  defaultFieldNullability: false,
  plugins: [PrismaPlugin, RelayPlugin],
  prisma: {
    client: prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
  },
});

builder.addScalarType('Date', DateResolver, {
  description: 'A calendar date, YYYY-MM-DD. Programme dates are Asia/Jakarta calendar dates.',
});
builder.addScalarType('DateTime', DateTimeResolver, {
  description: 'An instant in time, ISO 8601 with offset (UTC on output).',
});
builder.addScalarType('Money', MoneyScalar, {});

builder.queryType({ description: 'Reads: events, exhibitors, KPIs and ingest history.' });
