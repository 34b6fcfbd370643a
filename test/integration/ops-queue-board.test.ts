// The queue board (/admin/queues): refused without an admin API key; for admins it lists the
// queues (ingest and KPI among them) with their jobs and the sources' job schedulers, from a
// browser (Basic auth) as well as from a script (bearer).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeSharedProducer, sharedProducer } from '../../src/jobs/producer.js';
import { QUEUES } from '../../src/jobs/queues.js';
import { syncSchedulers } from '../../src/jobs/schedulers.js';
import { closeDb } from '../../src/lib/db.js';
import { ensureSources, listSources } from '../../src/services/ingest/sources.js';
import { type Api, createKeys, type Json, type Keys, startApi } from '../factories/api.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

let api: Api;
let keys: Keys;

const basic = (key: string) => `Basic ${Buffer.from(`admin:${key}`).toString('base64')}`;

async function board(path: string, authorization?: string): Promise<Response> {
  return fetch(`${api.url}/admin/queues${path}`, { headers: authorization ? { authorization } : {} });
}

beforeAll(async () => {
  await createTestDatabase();
  keys = await createKeys();
  await ensureSources();
  await syncSchedulers(sharedProducer(), await listSources());
  await sharedProducer().queue('kpi').add('recompute', { reason: 'board test' }, { jobId: 'board-test-job' });
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
  await closeSharedProducer();
  await flushTestPrefix();
  await closeDb();
});

describe('the queue board refuses anyone but an admin', () => {
  it('asks a caller without credentials to authenticate, with a Basic challenge a browser answers', async () => {
    for (const path of ['', '/api/queues', '/api/job-schedulers']) {
      const res = await board(path);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="Bisma queues"/);
      expect(await res.text()).not.toContain('board-test-job');
    }
  });

  it('forbids an analyst key, as a bearer or as a Basic password', async () => {
    for (const auth of [`Bearer ${keys.analyst}`, basic(keys.analyst)]) {
      const res = await board('/api/queues', auth);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain('board-test-job');
    }
  });

  it('refuses a revoked admin key and an unknown key', async () => {
    for (const auth of [`Bearer ${keys.revoked}`, basic('not-a-real-key-000000000000'), 'Bearer']) {
      expect((await board('/api/queues', auth)).status).toBe(401);
    }
  });

  it('refuses changes from a non-admin (no job is removed or added)', async () => {
    const res = await fetch(`${api.url}/admin/queues/api/queues/kpi/empty`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${keys.analyst}` },
    });
    expect(res.status).toBe(403);
    expect(await sharedProducer().queue('kpi').getJobState('board-test-job')).toBe('waiting');
  });
});

describe('for an admin the queue board', () => {
  it('serves its page to a browser that sends the key as the Basic auth password', async () => {
    const res = await board('', basic(keys.admin));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const page = await res.text();
    expect(page).toContain('<base href="/admin/queues/"');
    // The page's script loads too, with the same credentials (a browser resends them).
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    const asset = await board(`/${script}`, basic(keys.admin));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await board(`/${script}`)).status).toBe(401);
  });

  it('lists every queue, ingest and KPI among them, with their jobs', async () => {
    const res = await board('/api/queues?activeQueue=kpi&status=waiting', `Bearer ${keys.admin}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    const names = body.queues.map((q: Json) => q.name).sort();
    // Every queue the workers know (jobs/queues.ts), the ingest and KPI ones among them.
    expect(names).toEqual(Object.keys(QUEUES).sort());
    expect(names).toEqual(expect.arrayContaining(['ingest', 'kpi']));
    const kpi = body.queues.find((q: Json) => q.name === 'kpi');
    expect(kpi.counts.waiting).toBe(1);
    expect(kpi.jobs.map((j: Json) => j.id)).toEqual(['board-test-job']);
  });

  it("lists every enabled source's job scheduler with its cron pattern", async () => {
    const res = await board('/api/job-schedulers', basic(keys.admin));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    const sources = await listSources({ enabled: true });
    expect(sources.length).toBeGreaterThan(0);
    const shown = body.schedulers
      .map((s: Json) => ({ id: s.id, queue: s.queueName, pattern: s.pattern, tz: s.tz }))
      .sort((a: Json, b: Json) => a.id.localeCompare(b.id));
    const expected = sources
      .map((s) => ({ id: `pull.${s.key}`, queue: 'ingest', pattern: s.cron, tz: s.timezone }))
      .sort((a, b) => a.id.localeCompare(b.id));
    expect(shown).toEqual(expected);
  });
});
