// The clients frontend developers pick, each against a real running server, set up exactly as
// docs/clients.md says: GraphQL Code Generator with the shipped config (its output typechecks),
// Apollo Client 4 (pages, a mutation updating the cache, error-union fields, no warning), urql with
// the CSRF-safe settings (and its default refused), and relay-compiler over a fragment set with a
// refetchable KPI fragment whose refetch query the server then answers.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildClientSchema, getIntrospectionQuery, printSchema } from 'graphql';
import { closeDb } from '../../src/lib/db.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { type Api, createKeys, type Keys, startApi } from '../factories/api.js';
import { makeEvent, makeExhibitor } from '../factories/data.js';
import { createAgency, createRun, upsertItems } from '../factories/kpi-items.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', `clients-${process.env.REDIS_PREFIX}`);
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

let api: Api;
let keys: Keys;

beforeAll(async () => {
  await createTestDatabase();
  api = await startApi({ limits: { rateLimit: { addressRequests: 0, publicPoints: 0, keyPoints: 0 } } });
  keys = await createKeys();
  for (let i = 0; i < 5; i++) await makeExhibitor();
  for (let i = 0; i < 3; i++) await makeEvent();
  const agency = await createAgency({ code: 'C1', name: 'Dinas Klien' });
  const runId = await createRun({ fiscalYear: 2023, asOf: '2023-06-30' });
  await upsertItems(
    [{ sourceKey: 'c1', agencyId: agency.id, value: '100.00', pdnValue: '80.00', itemDate: '2023-02-01' }],
    runId,
  );
  await recomputeKpis({ reason: 'ingest', runIds: [runId] });
  await mkdir(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await api?.close();
  await closeDb();
  await flushTestPrefix();
  await rm(ARTIFACTS, { recursive: true, force: true });
});

/** Runs a client script with tsx and parses the one JSON line it prints. */
async function clientScript(script: string, ...args: string[]) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    timeout: 120_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe('GraphQL Code Generator with clients/codegen.ts', () => {
  it('generates from the live server with scalars as strings, and the generated types typecheck a client', async () => {
    const dir = path.join(ARTIFACTS, 'codegen');
    await mkdir(dir, { recursive: true });
    await run(bin('graphql-codegen'), ['--config', path.join(ROOT, 'clients/codegen.ts')], {
      cwd: ROOT,
      timeout: 180_000,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        BISMA_SCHEMA: `${api.url}/graphql`,
        BISMA_DOCUMENTS: path.join(ROOT, 'test/clients/operations.graphql'),
        BISMA_CODEGEN_OUT: `${dir}/gql/`,
      },
    });
    const types = await readFile(path.join(dir, 'gql/graphql.ts'), 'utf8');
    expect(types).toMatch(/realisation: string/);
    expect(types).not.toMatch(/realisation: (any|unknown)/);
    await cp(path.join(ROOT, 'test/clients/typed-usage.ts.txt'), path.join(dir, 'typed-usage.ts'));
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          skipLibCheck: true,
          types: [],
        },
        files: ['typed-usage.ts'],
      }),
    );
    const typecheck = await run(bin('tsc'), ['-p', path.join(dir, 'tsconfig.json')], { cwd: ROOT }).then(
      () => 'ok',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    expect(typecheck).toBe('ok');
  });
});

describe('Apollo Client 4 set up as docs/clients.md says', () => {
  it('pages with relayStylePagination, updates the cache from a mutation, keeps error-union fields, warns nothing', async () => {
    const out = await clientScript('test/clients/apollo-pass.ts', api.url, keys.admin);
    // The second page's answer, read through relayStylePagination, is both pages merged in order.
    const [page1, merged] = out.pages as string[][];
    expect(page1).toHaveLength(2);
    expect(merged).toHaveLength(4);
    expect(new Set(merged).size).toBe(4);
    expect(merged!.slice(0, 2)).toEqual(page1);
    expect(out.merged).toEqual(merged);
    expect(out.renamed.updateExhibitor).toEqual({
      __typename: 'MutationUpdateExhibitorSuccess',
      data: { __typename: 'Exhibitor', id: page1![0], name: 'CV Dari Apollo' },
    });
    expect(out.cachedName).toBe('CV Dari Apollo');
    expect(out.refused.updateExhibitor).toMatchObject({
      __typename: 'ValidationError',
      code: 'BAD_USER_INPUT',
      field: 'id',
      message: expect.any(String),
      // The bad id and the bad input field, in one answer.
      problems: [
        { __typename: 'FieldError', field: 'id', message: expect.any(String) },
        { __typename: 'FieldError', field: 'input.name', message: expect.any(String) },
      ],
    });
    expect(out.warnings).toEqual([]);
  });
});

describe('urql', () => {
  it('is refused with its default GET and answered with the documented POST or preflight-header setting', async () => {
    const out = await clientScript('test/clients/urql-pass.ts', api.url);
    expect(out.byDefault.data).toBeNull();
    expect(out.byDefault.error).toMatch(/Cross-Site Request Forgery|preflight/i);
    expect(out.post.error).toBeNull();
    expect(out.post.data.events.totalCount).toBe(3);
    expect(out.getWithPreflight).toEqual(out.post);
  });
});

describe('relay-compiler', () => {
  it('compiles a refetchable KPI fragment and a connection against the live schema, and the server answers the refetch query', async () => {
    const dir = path.join(ARTIFACTS, 'relay');
    await mkdir(path.join(dir, 'src/__generated__'), { recursive: true });
    const introspection = await api.gql(getIntrospectionQuery());
    await writeFile(path.join(dir, 'schema.graphql'), printSchema(buildClientSchema(introspection.data)));
    await cp(path.join(ROOT, 'test/clients/relay/KpiCard.ts'), path.join(dir, 'src/KpiCard.ts'));
    await writeFile(
      path.join(dir, 'relay.config.json'),
      JSON.stringify({
        src: './src',
        schema: './schema.graphql',
        language: 'typescript',
        artifactDirectory: './src/__generated__',
        customScalarTypes: { Money: 'string', Date: 'string', DateTime: 'string' },
      }),
    );
    await run(bin('relay-compiler'), [], { cwd: dir, timeout: 120_000 });
    const artifact = path.join(dir, 'src/__generated__/KpiCardRefetchQuery.graphql.ts');
    expect(existsSync(artifact)).toBe(true);
    const fragmentTypes = await readFile(
      path.join(dir, 'src/__generated__/KpiCard_summary.graphql.ts'),
      'utf8',
    );
    expect(fragmentTypes).toMatch(/readonly realisation: string;/);

    const text = JSON.parse(
      /"text": ("(?:[^"\\]|\\.)*")/.exec(await readFile(artifact, 'utf8'))![1]!,
    ) as string;
    const summary = (await api.gql('{ kpiSummary(year: 2023) { id realisation } }')).data.kpiSummary;
    const refetched = await api.gql(text, { id: summary.id, locale: 'EN' });
    expect(refetched.errors).toBeUndefined();
    expect(refetched.data.node).toMatchObject({
      __typename: 'KpiSummary',
      id: summary.id,
      realisation: summary.realisation,
      formatted: { realisation: expect.stringMatching(/^IDR/) },
    });
  });
});
