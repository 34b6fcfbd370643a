// graphql-eslint over the committed schema.graphql with the published clients/eslint.config.mjs:
// Relay's connection, edge, page-info and argument rules report nothing, and strict-id-in-types
// reports only the value types still listed below (a ratchet: a new type without an id fails, and
// a listed type that gains one must leave the list).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from '@jest/globals';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Value objects embedded in a parent's answer, not yet given ids of their own. */
const VALUE_TYPES_WITHOUT_ID = [
  'IngestRunAttempt',
  'IngestRunProgressEvent',
  'IngestSuspectRow',
  'IngestSuspectRows',
  'KpiAgencyCompleteness',
  'KpiBreakdown',
  'KpiBreakdownRow',
  'KpiCompleteness',
  'KpiCoverage',
  'KpiDelta',
  'KpiDriftReason',
  'KpiDriftRules',
  'KpiMonthCompleteness',
  'KpiProjection',
  'KpiProvenance',
  'KpiRecomputeResult',
  'KpiRefreshedEvent',
  'KpiRevisionDiff',
  'KpiSnapshot',
  'KpiSuspects',
  'KpiTable',
  'KpiTableRow',
  'KpiTargetPhases',
  'KpiText',
  'KpiTouchedBucket',
  'KpiTouchedBucketPage',
  'KpiUnknowns',
  'KpiYearOverYear',
  'ProgrammeBatch',
  'ProgrammeConversion',
  'ProgrammeConversionText',
  'ProgrammeKpis',
  'ServerInfo',
];

it('reports no Relay rule breach on schema.graphql, and ids missing only on the listed value types', async () => {
  const { stdout } = await promisify(execFile)(
    path.join(ROOT, 'node_modules/.bin/eslint'),
    ['-c', 'clients/eslint.config.mjs', 'schema.graphql', '-f', 'json'],
    { cwd: ROOT, timeout: 120_000 },
  ).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
  const [file] = JSON.parse(stdout) as { messages: { ruleId: string; message: string }[] }[];
  const relay = file!.messages.filter((m) => m.ruleId !== '@graphql-eslint/strict-id-in-types');
  expect(relay).toEqual([]);
  const withoutId = file!.messages.map((m) => /type "(\w+)"/.exec(m.message)?.[1]).sort();
  expect(withoutId).toEqual(VALUE_TYPES_WITHOUT_ID);
});
