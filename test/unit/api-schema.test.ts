// The schema as documentation: every type, field, argument and enum value is described, and the
// committed schema.graphql is exactly what the code builds.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  type GraphQLArgument,
  type GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  printSchema,
} from 'graphql';
import { closeDb } from '../../src/lib/db.js';
import { schema } from '../../src/schema/index.js';
import { printPossibleTypes } from '../../src/schema/possible-types.js';

afterAll(closeDb);

function undocumented(): string[] {
  const missing: string[] = [];
  const need = (what: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(what);
  };
  const args = (owner: string, list: readonly GraphQLArgument[]) => {
    for (const arg of list) need(`${owner}(${arg.name}:)`, arg.description);
  };
  for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    need(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        need(`${type.name}.${field.name}`, field.description);
        args(`${type.name}.${field.name}`, field.args);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        need(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) need(`${type.name}.${value.name}`, value.description);
    }
  }
  return missing;
}

describe('the GraphQL schema', () => {
  it('describes every type, field, argument and enum value', () => {
    expect(undocumented()).toEqual([]);
  });

  it('matches the committed schema.graphql (run npm run schema:print after changing the schema)', () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(`${printSchema(schema).trimEnd()}\n`);
  });

  it('matches the published clients/possible-types.json, which lists every member of every interface and union', () => {
    const committed = readFileSync(new URL('../../clients/possible-types.json', import.meta.url), 'utf8');
    expect(committed).toBe(printPossibleTypes(schema));
    const map = JSON.parse(committed) as Record<string, string[]>;
    expect(map.Error).toEqual(['AppError', 'ConflictError', 'NotFoundError', 'ValidationError']);
    expect(map.Node).toContain('KpiSummary');
    expect(map.MutationRecordDealResult).toContain('ValidationError');
  });
});
