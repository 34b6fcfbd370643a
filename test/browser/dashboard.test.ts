// The dashboard in a real browser (Debian's chromium, headless) against the demo data prepared as
// a fresh installation prepares it: demo seed, feed sources, the worker's demo history replayed
// from the feed simulator through the real ingest and recompute. Screenshots go to
// test-artifacts/dashboard/.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { replayDemoHistory } from '../../src/demo/history.js';
import { loadDemoData } from '../../src/demo/seed.js';
import { type RunningFeedSimulator, startFeedSimulator } from '../../src/demo/simulator.js';
import { closeDb } from '../../src/lib/db.js';
import { ensureSources } from '../../src/services/ingest/sources.js';
import { type Api, startApi } from '../factories/api.js';
import { createTestDatabase } from '../helpers/db.js';
import { flushTestPrefix } from '../helpers/redis.js';
import { ensureDashboardBuilt } from './build.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let sim: RunningFeedSimulator;
let api: Api;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** What the page did that a dashboard must not: errors, policy violations, other hosts. */
const problems: string[] = [];
const requestedHosts = new Set<string>();

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: install Chromium (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  ensureDashboardBuilt();
  await mkdir(ARTIFACTS, { recursive: true });
  await createTestDatabase();
  await loadDemoData();
  await ensureSources();
  sim = await startFeedSimulator();
  const history = await replayDemoHistory({ feed: { baseUrl: sim.url, backoffBaseMs: 5, backoffMaxMs: 20 } });
  if (history.outcome !== 'finished') throw new Error(`the demo history did not finish: ${history.outcome}`);
  api = await startApi();

  browser = await chromium.launch({
    executablePath: CHROMIUM,
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
  context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'id-ID' });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => requestedHosts.add(new URL(r.url()).host));
  page.on('requestfailed', (r) => {
    // A newer question aborts the one it replaces (a quick change of year): intended.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED')
      problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  // Page scripts are given as text: this file is type-checked without the DOM library.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) =>
      console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
  });
}, 240_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await api?.close();
  await sim?.close();
  await closeDb();
  await flushTestPrefix();
});

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
const text = async (testId: string) => ((await page.getByTestId(testId).textContent()) ?? '').trim();

/** Waits until the KPI page shows the cards of `year` with their charts drawn. */
async function kpiShown(year: number): Promise<void> {
  await page.locator(`.page[data-year="${year}"][aria-busy="false"]`).waitFor();
  await page.getByTestId('card-realisation-value').waitFor();
  await page.locator('[data-testid="cumulative-chart"] canvas').waitFor();
  await page.locator('[data-testid="channel-chart"] canvas').waitFor();
  await page.locator('[data-testid="ranking-table"] tbody tr').first().waitFor();
}

async function chooseYear(year: number): Promise<void> {
  await page.getByRole('combobox', { name: 'Tahun anggaran' }).selectOption(String(year));
}

describe('the dashboard in chromium', () => {
  it('shows the 2023 card as reported: Rp13,1 triliun realised of Rp15,8 triliun, 82,9 %', async () => {
    await page.goto(`${api.url}/`);
    await page.getByRole('combobox', { name: 'Tahun anggaran' }).waitFor();
    await chooseYear(2023);
    await kpiShown(2023);
    expect(await text('card-realisation-value')).toBe('Rp13,1 triliun');
    expect(await text('card-commitment-value')).toBe('Rp15,8 triliun');
    expect(await text('card-attainment-value')).toBe('82,9 %');
    expect(await page.getByTestId('card-realisation').textContent()).toContain('Data per 5 November 2023');
    expect(await text('card-pdn-value')).toMatch(/^\d{1,3},\d %$/);
    expect(await page.getByTestId('card-pdn').textContent()).toContain('Target 95 %');
    expect(await page.getByTestId('card-umk').textContent()).toContain('Target 40 %');
    expect(await text('projection')).toMatch(/^Proyeksi akhir tahun: Rp[\d,]+ triliun/);
    expect(new URL(page.url()).searchParams.get('year')).toBe('2023');
    await shot('kpi-2023');
  });

  it('changes the year to 2022 and shows its figures: Rp20,454 triliun of Rp11,334 triliun, 180,5 %', async () => {
    await chooseYear(2022);
    await kpiShown(2022);
    expect(await text('card-realisation-value')).toBe('Rp20,454 triliun');
    expect(await text('card-commitment-value')).toBe('Rp11,334 triliun');
    expect(await text('card-attainment-value')).toBe('180,5 %');
    await shot('kpi-2022');
  });

  it('sorts the agency ranking from the keyboard, announcing the order to assistive technology', async () => {
    await chooseYear(2023);
    await kpiShown(2023);
    const header = page.locator('[data-testid="ranking-table"] thead th').filter({ hasText: 'Capaian' });
    const firstRank = () =>
      page.locator('[data-testid="ranking-table"] tbody tr').first().locator('td').first();
    await header.getByRole('button').focus();
    await page.keyboard.press('Enter');
    await expect(header.getAttribute('aria-sort')).resolves.toBe('descending');
    await page.locator('[data-testid="ranking-table"][aria-busy="false"]').waitFor();
    expect(await firstRank().textContent()).toBe('1');
    // The heading's aria-sort flips at once; the rows follow when the API has answered the new
    // order (waiting for aria-busy alone raced the request's start and read the old rows).
    const ascendingAnswered = page.waitForResponse(
      (r) => r.url().includes('/graphql') && /"ASC"|order: ASC/.test(r.request().postData() ?? ''),
    );
    await page.keyboard.press('Space');
    await expect(header.getAttribute('aria-sort')).resolves.toBe('ascending');
    await ascendingAnswered;
    await page.locator('[data-testid="ranking-table"][aria-busy="false"]').waitFor();
    const ascending = await page
      .locator('[data-testid="ranking-table"] tbody tr td:nth-child(5)')
      .allTextContents();
    const values = ascending
      .filter((v) => v !== '—')
      .map((v) => Number(v.replace(' %', '').replace(',', '.')));
    expect(values.length).toBeGreaterThan(1);
    expect(values).toEqual([...values].sort((a, b) => a - b));
  });

  it('filters by agency: the cards then cover that agency alone', async () => {
    const province = await text('card-realisation-value');
    await page
      .getByRole('combobox', { name: 'Perangkat daerah' })
      .selectOption({ label: 'Dinas Pendidikan' });
    await page.waitForURL(/agency=/);
    await page.locator('.page[aria-busy="false"]').waitFor();
    await expect(page.getByTestId('card-realisation-value').textContent()).resolves.not.toBe(province);
    expect(await text('card-realisation-value')).toMatch(/^Rp[\d,]+ (triliun|miliar)$/);
    await page.getByRole('combobox', { name: 'Perangkat daerah' }).selectOption('');
    await page.locator('.page[aria-busy="false"]').waitFor();
  });

  it('switches to English: labels, number format and the page language', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await kpiShown(2023);
    await page.getByText('IDR 13.1 trillion').first().waitFor();
    expect(await text('card-realisation-value')).toBe('IDR 13.1 trillion');
    expect(await text('card-attainment-value')).toBe('82.9%');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getByTestId('card-realisation').textContent()).toContain('Data as of 5 November 2023');
    await shot('kpi-2023-en');
    await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
    await page.getByText('Rp13,1 triliun').first().waitFor();
  });

  it('shows the Business Matching batches of 2023 on a timeline, with exhibitors and deals per batch', async () => {
    await page.getByRole('link', { name: 'Business Matching' }).click();
    await page.getByTestId('batch-table').waitFor();
    await page.locator('[data-testid="exhibitors-chart"] canvas').waitFor();
    expect(await page.locator('[data-testid="timeline"] .timeline-batch').count()).toBe(9);
    const rows = page.locator('[data-testid="batch-table"] tbody tr');
    expect(await rows.count()).toBe(9);
    const third = await rows.nth(2).textContent();
    expect(third).toContain('8–11 Mei 2023');
    expect(third).toContain('Balai Kota');
    const ninth = (await rows.nth(8).locator('td').allTextContents()).map((s) => s.trim());
    expect(ninth[0]).toBe('6–9 Nov 2023');
    expect(ninth[3]).toBe('18');
    expect(await page.getByTestId('card-events').textContent()).toContain('9');
    expect(await page.getByTestId('card-exhibitors').textContent()).toContain('200');
    await shot('business-matching-2023');
  });

  it('is usable from the keyboard: a skip link first, then the page links, language and filters', async () => {
    await page.goto(`${api.url}/?year=2023&lang=id`);
    await kpiShown(2023);
    const focused = () =>
      page.evaluate<string>('document.activeElement.id || document.activeElement.textContent');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Langsung ke isi');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Belanja PDN');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('English');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('year-select');
    // A closed select changes with the arrow keys: the next (older) year.
    await page.keyboard.press('ArrowDown');
    await kpiShown(2022);
    expect(await text('card-attainment-value')).toBe('180,5 %');
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    try {
      const p = await phone.newPage();
      await p.goto(`${api.url}/?year=2023&lang=id`);
      await p.locator('[data-testid="cumulative-chart"] canvas').waitFor();
      await p.screenshot({ path: path.join(ARTIFACTS, 'kpi-2023-phone.png'), fullPage: true });
      const wide = await p.evaluate<string[]>(`[...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > 391 && !e.closest('.table-scroll'))
        .map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`);
      expect(wide).toEqual([]);
      expect(await p.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

      // The Business Matching timeline: no month name or batch numeral overlaps another.
      await p.goto(`${api.url}/?year=2023&lang=id#business-matching`);
      await p.locator('[data-testid="timeline"] .timeline-label').first().waitFor();
      await p.screenshot({ path: path.join(ARTIFACTS, 'business-matching-2023-phone.png'), fullPage: true });
      const overlapping = await p.evaluate<string[]>(`(() => {
        const boxes = [...document.querySelectorAll('.timeline-label, .timeline-months li')].map((e) => {
          const range = document.createRange();
          range.selectNodeContents(e);
          return { text: e.textContent, r: range.getBoundingClientRect() };
        }).filter((b) => b.r.width > 0);
        const hits = [];
        boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
          if (a.r.left < b.r.right && b.r.left < a.r.right && a.r.top < b.r.bottom && b.r.top < a.r.bottom)
            hits.push(a.text + ' / ' + b.text);
        }));
        return hits;
      })()`);
      expect(overlapping).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  it('passes an automated accessibility audit (labels, contrast, structure) on both pages', async () => {
    // The audit script is injected inline, which the dashboard's content policy rightly refuses:
    // it runs in a context of its own that bypasses the policy.
    const audit = await browser.newContext({ viewport: { width: 1366, height: 900 }, bypassCSP: true });
    try {
      const p = await audit.newPage();
      for (const target of [
        `${api.url}/?year=2023&lang=id`,
        `${api.url}/?year=2023&lang=en#business-matching`,
      ]) {
        await p.goto(target);
        await p.locator('.page[aria-busy="false"]').waitFor();
        await p.locator('.chart canvas').first().waitFor();
        await p.addScriptTag({ path: AXE });
        const violations = await p.evaluate<string[]>(`
          axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] } }).then((r) =>
            r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`);
        expect({ target, violations }).toEqual({ target, violations: [] });
      }
    } finally {
      await audit.close();
    }
  });

  it('talked only to its own server, with no errors and no content-policy violations', () => {
    expect([...requestedHosts]).toEqual([new URL(api.url).host]);
    expect(problems).toEqual([]);
  });
});
