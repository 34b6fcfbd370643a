// The auth matrix over real HTTP: keys and roles, what the public, analysts and admins may read,
// and every mutation refused without a key and with an analyst key, with nothing written.
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  type GraphQLInputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { prisma } from '../../src/lib/db.js';
import { schema } from '../../src/schema/index.js';
import { createApiKey, ensureBootstrapKey, hashApiKey, revokeApiKey } from '../../src/services/api-keys.js';
import { globalId } from '../factories/api.js';
import {
  databaseFingerprint,
  makeAgency,
  makeDeal,
  makeEvent,
  makeExhibitor,
  register,
} from '../factories/data.js';
import { domainMutationCalls, type MutationCall } from '../factories/mutations.js';
import { openSocket } from '../factories/ws.js';
import { apiTestFile } from '../helpers/api-file.js';
import { freePort, spawnEntry, waitForHttp } from '../helpers/process.js';

const { api, keys } = apiTestFile();

/** A syntactically valid value of any input type, for mutations this file has no fixture for. */
function sampleValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType);
  if (isListType(type)) return [sampleValue(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type))
        .map((f) => [f.name, sampleValue(f.type)]),
    );
  }
  const samples: Record<string, unknown> = {
    String: 'x',
    Int: 1,
    Float: 1,
    Boolean: false,
    ID: globalId('Event', 1),
    Date: '2030-01-01',
    DateTime: '2030-01-01T00:00:00Z',
    Money: '1.00',
  };
  return isScalarType(type) ? (samples[type.name] ?? 'x') : null;
}

function genericCall(name: string): MutationCall {
  const field = schema.getMutationType()!.getFields()[name]!;
  const decl = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const pass = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const variables = Object.fromEntries(field.args.map((a) => [a.name, sampleValue(a.type)]));
  const named = getNamedType(field.type);
  const selection = isScalarType(named) || isEnumType(named) ? '' : '{ __typename }';
  return {
    name,
    query: `mutation${decl ? ` (${decl})` : ''} { ${name}${pass ? `(${pass})` : ''} ${selection} }`,
    variables,
  };
}

/**
 * The only mutations analysts may call: they write an analyst's own artefacts (a saved view, a CSV
 * export of figures they can already read), never domain data. Public callers are refused them
 * like every other mutation (the test above).
 */
const ANALYST_MUTATIONS = ['saveKpiView', 'startKpiExport'];

describe('every mutation', () => {
  let calls: MutationCall[];
  beforeAll(async () => {
    calls = await domainMutationCalls();
    const known = new Set(calls.map((c) => c.name));
    // Mutations of other modules (ingest, KPIs) are walked too, with sample arguments.
    for (const name of Object.keys(schema.getMutationType()!.getFields()).sort()) {
      if (!known.has(name)) calls.push(genericCall(name));
    }
  });

  it('is refused without a key (UNAUTHENTICATED) and writes nothing', async () => {
    const before = await databaseFingerprint();
    for (const c of calls) {
      const res = await api.gql(c.query, c.variables);
      expect({ name: c.name, data: res.data?.[c.name] ?? null }).toEqual({ name: c.name, data: null });
      expect({ name: c.name, code: res.errors?.[0]?.extensions?.code }).toEqual({
        name: c.name,
        code: expect.stringMatching(/^(UNAUTHENTICATED|BAD_USER_INPUT)$/),
      });
    }
    // Every domain mutation is refused by the auth check itself, not by its input.
    const domain = calls.filter((c) => !c.query.includes('{ __typename }'));
    for (const c of domain) {
      const res = await api.gql(c.query, c.variables);
      expect({ name: c.name, code: res.errors?.[0]?.extensions?.code }).toEqual({
        name: c.name,
        code: 'UNAUTHENTICATED',
      });
    }
    expect(await databaseFingerprint()).toEqual(before);
  });

  it("is refused with an analyst key (FORBIDDEN) and writes nothing, but for the analysts' own saved views and exports", async () => {
    const before = await databaseFingerprint();
    const analystOwn = calls.filter((c) => ANALYST_MUTATIONS.includes(c.name)).map((c) => c.name);
    expect(analystOwn.sort()).toEqual([...ANALYST_MUTATIONS].sort());
    for (const c of calls.filter((c) => !ANALYST_MUTATIONS.includes(c.name))) {
      const res = await api.gql(c.query, c.variables, keys.analyst);
      expect({ name: c.name, data: res.data?.[c.name] ?? null }).toEqual({ name: c.name, data: null });
      expect({ name: c.name, code: res.errors?.[0]?.extensions?.code }).toEqual({
        name: c.name,
        code: expect.stringMatching(/^(FORBIDDEN|BAD_USER_INPUT)$/),
      });
    }
    const domain = calls.filter(
      (c) => !c.query.includes('{ __typename }') && !ANALYST_MUTATIONS.includes(c.name),
    );
    for (const c of domain) {
      const res = await api.gql(c.query, c.variables, keys.analyst);
      expect({ name: c.name, code: res.errors?.[0]?.extensions?.code }).toEqual({
        name: c.name,
        code: 'FORBIDDEN',
      });
    }
    expect(await databaseFingerprint()).toEqual(before);
  });

  it('succeeds with an admin key (the same calls, so the refusals above are not input errors)', async () => {
    const domain = calls.filter((c) => !c.query.includes('{ __typename }'));
    expect(domain.length).toBeGreaterThanOrEqual(20);
    for (const c of domain) {
      const res = await api.gql(c.query, c.variables, keys.admin);
      expect({ name: c.name, errors: res.errors, typename: res.data?.[c.name]?.__typename }).toEqual({
        name: c.name,
        errors: undefined,
        typename: expect.stringMatching(/Success$/),
      });
    }
  });
});

describe('API keys', () => {
  it('stores only the SHA-256 hash of a key, never the key', async () => {
    const created = await createApiKey('hash check', 'ANALYST');
    const row = await prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.hash).toBe(hashApiKey(created.key));
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(created.key.startsWith(row.prefix)).toBe(true);
  });

  it('refuses a revoked key with HTTP 401 and code UNAUTHENTICATED', async () => {
    const res = await api.gql('{ serverInfo { version } }', {}, keys.revoked);
    expect(res.status).toBe(401);
    expect(res.data ?? null).toBeNull();
    expect(res.errors).toEqual([
      expect.objectContaining({
        message: 'the API key has been revoked',
        extensions: { code: 'UNAUTHENTICATED' },
      }),
    ]);
  });

  it('refuses an unknown key and a malformed Authorization header with UNAUTHENTICATED', async () => {
    const unknown = await api.gql('{ serverInfo { version } }', {}, 'bsm_not-a-real-key-at-all');
    expect(unknown.status).toBe(401);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${keys.admin}` },
      body: JSON.stringify({ query: '{ serverInfo { version } }' }),
    });
    expect(res.status).toBe(401);
    expect(
      ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
    ).toBe('UNAUTHENTICATED');
  });

  it('records when a key was last used', async () => {
    const created = await createApiKey('usage', 'ANALYST');
    await api.gql('{ serverInfo { version } }', {}, created.key);
    const row = await prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.lastUsedAt).not.toBeNull();
  });

  it('creates the bootstrap admin key once, and it works as an admin key', async () => {
    const secret = 'bootstrap-secret-0123456789';
    expect(await ensureBootstrapKey(secret)).toBe(true);
    expect(await ensureBootstrapKey(secret)).toBe(false);
    expect(await prisma.apiKey.count({ where: { hash: hashApiKey(secret) } })).toBe(1);
    const res = await api.gql(
      'mutation ($input: CreateExhibitorInput!) { createExhibitor(input: $input) { __typename } }',
      { input: { name: 'PT Bootstrap', scale: 'LARGE', sector: 'Konstruksi' } },
      secret,
    );
    expect(res.data).toEqual({ createExhibitor: { __typename: 'MutationCreateExhibitorSuccess' } });
  });
});

describe('the API process', () => {
  it('creates the BOOTSTRAP_ADMIN_KEY at start, and the key writes as an admin', async () => {
    const secret = 'process-bootstrap-key-0123456789';
    const port = await freePort();
    const proc = spawnEntry('src/api/main.ts', {
      PORT: String(port),
      HOST: '127.0.0.1',
      BOOTSTRAP_ADMIN_KEY: secret,
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`);
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({
          query: 'mutation ($input: CreateExhibitorInput!) { createExhibitor(input: $input) { __typename } }',
          variables: { input: { name: 'PT Proses', scale: 'MEDIUM', sector: 'Percetakan' } },
        }),
      });
      expect(await res.json()).toMatchObject({
        data: { createExhibitor: { __typename: 'MutationCreateExhibitorSuccess' } },
      });
      const row = await prisma.apiKey.findUniqueOrThrow({ where: { hash: hashApiKey(secret) } });
      expect(row.role).toBe('ADMIN');
    } finally {
      proc.child.kill('SIGTERM');
    }
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  });
});

describe('reads by role', () => {
  const EVENTS = '{ events(first: 100) { totalCount edges { node { id status } } } }';

  it('shows the public only published and finished events; analysts also see drafts and cancelled ones', async () => {
    const draft = await makeEvent({ status: 'DRAFT' });
    const cancelled = await makeEvent({ status: 'CANCELLED' });
    const pub = await api.gql(EVENTS);
    const statuses = new Set(pub.data.events.edges.map((e: { node: { status: string } }) => e.node.status));
    expect([...statuses].every((s) => s === 'PUBLISHED' || s === 'DONE')).toBe(true);
    const analyst = await api.gql(EVENTS, {}, keys.analyst);
    const ids = analyst.data.events.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids).toEqual(
      expect.arrayContaining([globalId('Event', draft.id), globalId('Event', cancelled.id)]),
    );
    expect(analyst.data.events.totalCount).toBe(
      pub.data.events.totalCount +
        (await prisma.event.count({
          where: { status: { in: ['DRAFT', 'CANCELLED'] } },
        })),
    );
  });

  it('answers node(id:) of a draft event or its session with null for the public, and with the object for an analyst', async () => {
    const draft = await makeEvent({ status: 'DRAFT', title: 'Rahasia' });
    const query = 'query ($id: ID!) { node(id: $id) { id ... on Event { title } } }';
    const id = globalId('Event', draft.id);
    expect((await api.gql(query, { id })).data).toEqual({ node: null });
    expect((await api.gql(query, { id }, keys.analyst)).data).toEqual({ node: { id, title: 'Rahasia' } });
    const session = await prisma.session.create({
      data: {
        eventId: draft.id,
        kind: 'OPENING',
        topic: 'Pembukaan',
        startsAt: new Date('2030-05-06T02:00:00Z'),
        endsAt: new Date('2030-05-06T03:00:00Z'),
      },
    });
    const sessionId = globalId('Session', session.id);
    expect((await api.gql('query ($id: ID!) { node(id: $id) { id } }', { id: sessionId })).data).toEqual({
      node: null,
    });
    expect(
      (await api.gql('query ($id: ID!) { node(id: $id) { id } }', { id: sessionId }, keys.analyst)).data,
    ).toEqual({
      node: { id: sessionId },
    });
  });

  it('keeps deals and tax numbers to analysts', async () => {
    const exhibitor = await makeExhibitor({ npwp: '012345678901234' });
    const deals = await api.gql('{ deals { totalCount } }');
    expect(deals.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const query = 'query ($id: ID!) { node(id: $id) { ... on Exhibitor { name npwp } } }';
    const id = globalId('Exhibitor', exhibitor.id);
    const pub = await api.gql(query, { id });
    expect(pub.errors?.[0]).toMatchObject({
      path: ['node', 'npwp'],
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const analyst = await api.gql(query, { id }, keys.analyst);
    expect(analyst.data).toEqual({ node: { name: exhibitor.name, npwp: '012345678901234' } });
  });

  it('answers node(id:) of a deal to the public exactly as a missing deal: null, no error', async () => {
    const event = await makeEvent();
    const exhibitor = await makeExhibitor();
    await register(event.id, exhibitor.id);
    const deal = await makeDeal({
      eventId: event.id,
      agencyId: (await makeAgency()).id,
      exhibitorId: exhibitor.id,
    });
    const query = 'query ($id: ID!) { node(id: $id) { ... on Deal { value } } }';
    const id = globalId('Deal', deal.id);
    const pub = await api.gql(query, { id });
    expect(pub.data).toEqual({ node: null });
    expect(pub.errors).toBeUndefined();
    expect(await api.gql(query, { id: globalId('Deal', deal.id + 1000) })).toMatchObject({
      data: { node: null },
    });
    expect((await api.gql(query, { id }, keys.analyst)).data).toEqual({ node: { value: '1000000.00' } });
  });

  it('lets the public read exhibitors and agencies without a key', async () => {
    await makeExhibitor();
    const res = await api.gql('{ exhibitors(first: 1) { totalCount } agencies(first: 1) { totalCount } }');
    expect(res.errors).toBeUndefined();
    expect(res.data.exhibitors.totalCount).toBeGreaterThan(0);
  });
});

describe('query limits', () => {
  it('refuses a query deeper than the limit with QUERY_TOO_COMPLEX before running it', async () => {
    const deep = `{ events { edges { node { participations { exhibitor { participations { event {
      participations { exhibitor { participations { event { participations { exhibitor { name } } } } } } } } } } } } } }`;
    const res = await api.gql(deep);
    expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.data?.events ?? null).toBeNull();
  });

  it('reports a GraphQL syntax error as it is, with its code', async () => {
    const res = await api.gql('{ events { ');
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('API keys over graphql-ws', () => {
  it('refuses a socket presenting a revoked key, an unknown key or a malformed credential (4403), never serving it as public', async () => {
    const presented: Array<[Record<string, unknown>, Record<string, string>]> = [
      [{ authorization: `Bearer ${keys.revoked}` }, {}],
      [{ Authorization: 'Bearer bsm_not-a-real-key-at-all' }, {}],
      [{ authorization: `Basic ${keys.admin}` }, {}],
      [{ authorization: 12345 }, {}],
      [{}, { authorization: `Bearer ${keys.revoked}` }],
    ];
    for (const [params, headers] of presented) {
      const socket = openSocket(api, params, headers);
      try {
        const res = await socket.run('{ __typename }');
        expect(res.data).toBeUndefined();
        expect(res.closed).toBe(4403);
      } finally {
        await socket.close();
      }
    }
  });

  it('refuses the next operation on a socket whose key was revoked after it connected', async () => {
    const created = await createApiKey('revoked while connected', 'ADMIN');
    const socket = openSocket(api, { authorization: `Bearer ${created.key}` });
    try {
      expect((await socket.run('{ serverInfo { version } }')).data.serverInfo.version).toBeTruthy();
      await revokeApiKey(created.id);
      const after = await socket.run('{ serverInfo { version } }');
      expect(after.data).toBeUndefined();
      expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await socket.close();
    }
  });

  /** Runs each call over one socket opened with `params`: each is refused with `code`, nothing written. */
  async function refusedOverSocket(
    calls: Awaited<ReturnType<typeof domainMutationCalls>>,
    params: Record<string, string> | undefined,
    code: string,
  ): Promise<void> {
    const before = await databaseFingerprint();
    const socket = openSocket(api, params);
    try {
      for (const c of calls) {
        const res = await socket.run(c.query, c.variables);
        expect({ name: c.name, data: res.data?.[c.name] ?? null }).toEqual({ name: c.name, data: null });
        expect({ name: c.name, code: res.errors?.[0]?.extensions?.code }).toEqual({ name: c.name, code });
      }
    } finally {
      await socket.close();
    }
    expect(await databaseFingerprint()).toEqual(before);
  }

  it('refuses every domain mutation over a socket without a key (UNAUTHENTICATED), writing nothing', async () => {
    await refusedOverSocket(await domainMutationCalls(), undefined, 'UNAUTHENTICATED');
  });

  it('refuses every domain mutation over a socket with an analyst key (FORBIDDEN), writing nothing, as over HTTP', async () => {
    const calls = (await domainMutationCalls()).filter((c) => !ANALYST_MUTATIONS.includes(c.name));
    await refusedOverSocket(calls, { authorization: `Bearer ${keys.analyst}` }, 'FORBIDDEN');
  });

  it('answers node(id:) { __typename } of a deal, an ingest run and a feed source to the public as a missing row, over HTTP and a socket', async () => {
    const event = await makeEvent();
    const exhibitor = await makeExhibitor();
    const deal = await makeDeal({
      eventId: event.id,
      agencyId: (await makeAgency()).id,
      exhibitorId: exhibitor.id,
    });
    const source = await prisma.feedSource.create({
      data: { key: 'auth-ws', dataset: 'rup/paket-penyedia-terumumkan', klpdCode: 'D1', fiscalYear: 2023 },
    });
    const run = await prisma.ingestRun.create({
      data: { dataset: 'tender/x', trigger: 'MANUAL', status: 'FAILED' },
    });
    const ids = [
      globalId('Deal', deal.id),
      globalId('IngestRun', run.id),
      globalId('FeedSource', source.id),
      globalId('Deal', 1_999_999_999),
    ];
    const socket = openSocket(api);
    try {
      for (const id of ids) {
        const query = `{ node(id: "${id}") { __typename } }`;
        for (const [via, res] of [
          ['http', await api.gql(query)],
          ['ws', await socket.run(query)],
        ] as const) {
          expect({ via, id, data: res.data, errors: res.errors }).toEqual({
            via,
            id,
            data: { node: null },
            errors: undefined,
          });
        }
      }
      const analyst = openSocket(api, { authorization: `Bearer ${keys.analyst}` });
      try {
        expect((await analyst.run(`{ node(id: "${ids[0]}") { __typename } }`)).data).toEqual({
          node: { __typename: 'Deal' },
        });
      } finally {
        await analyst.close();
      }
    } finally {
      await socket.close();
    }
  });
});
