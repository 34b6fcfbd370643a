// The self-hosted explorer: served from the project's own node_modules, it runs in Debian's
// chromium (headless) with every request kept on the API's own origin, runs a query and shows
// the answer, and runs a subscription over graphql-ws.
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium } from 'playwright-core';
import { EXPLORER_CSP } from '../../src/api/explorer.js';
import { closeDb } from '../../src/lib/db.js';
import { recomputeKpis } from '../../src/services/kpi/recompute.js';
import { type Api, startApi } from '../factories/api.js';
import { makeEvent } from '../factories/data.js';
import { createAgency, createRun, upsertItems } from '../factories/kpi-items.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);

let api: Api;
let browser: Browser | undefined;

beforeAll(async () => {
  await createTestDatabase();
  await makeEvent({ title: 'Business Matching Batch Peramban', status: 'PUBLISHED' });
  api = await startApi();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
  await closeDb();
  await flushTestPrefix();
});

describe('the explorer over HTTP', () => {
  it('is served at /explorer and to browsers at /graphql, with a same-origin-only policy', async () => {
    for (const path of ['/explorer', '/graphql']) {
      const res = await fetch(`${api.url}${path}`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
      const html = await res.text();
      expect(html).toContain('"explorer/assets/graphiql.min.js"');
      expect(html).not.toMatch(/https?:\/\//);
    }
  });

  it('serves GraphiQL and React from node_modules, and 404 for anything else', async () => {
    for (const name of [
      'graphiql.min.js',
      'graphiql.min.css',
      'react.production.min.js',
      'react-dom.production.min.js',
      'graphql-ws.min.js',
      'start.js',
    ]) {
      const res = await fetch(`${api.url}/explorer/assets/${name}`);
      expect({ name, status: res.status }).toEqual({ name, status: 200 });
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    expect((await fetch(`${api.url}/explorer/assets/..%2Fpackage.json`)).status).toBe(404);
  });
});

describe('the explorer in a headless browser', () => {
  it('loads with no outside requests, runs a query and shows the result', async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const origins = new Set<string>();
    const pageErrors: string[] = [];
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.protocol.startsWith('http')) origins.add(url.origin);
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));

    await page.goto(`${api.url}/explorer`);
    const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
    await editor.waitFor({ state: 'visible' });
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('{ events(first: 5) { totalCount edges { node { title status } } } }');
    await page.locator('button.graphiql-execute-button').click();
    const result = page.locator('.graphiql-response .CodeMirror');
    await result.getByText('Business Matching Batch Peramban').first().waitFor();
    const text = (await result.textContent()) ?? '';

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('explorer.png', ARTIFACTS).pathname, fullPage: true });

    expect(text).toContain('"totalCount": 1');
    expect(text).toContain('PUBLISHED');
    expect([...origins]).toEqual([api.url]);
    expect(pageErrors).toEqual([]);

    // A subscription runs over graphql-ws on the same origin: each publication shows up.
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('subscription { kpiRefreshed { dataVersion years } }');
    await page.locator('button.graphiql-execute-button').click();
    const agency = await createAgency({ code: 'X1', name: 'Dinas Peramban' });
    let shown = '';
    for (let attempt = 1; attempt <= 10 && !shown.includes('"dataVersion"'); attempt++) {
      // Until the socket has subscribed, a publication may pass unseen: publish again.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const runId = await createRun({
        fiscalYear: 2023,
        asOf: `2023-01-${String(attempt).padStart(2, '0')}`,
      });
      await upsertItems(
        [{ sourceKey: `x${attempt}`, agencyId: agency.id, value: '10.00', itemDate: '2023-01-02' }],
        runId,
      );
      await recomputeKpis({ reason: 'explorer test', runIds: [runId] });
      await new Promise((resolve) => setTimeout(resolve, 500));
      shown = (await result.textContent()) ?? '';
    }
    expect(shown).toContain('"dataVersion"');
    expect(shown).toContain('2023');
    expect(pageErrors).toEqual([]);
  });
});
