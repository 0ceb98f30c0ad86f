/**
 * The officer's pages lay out at a phone's width (390 px) and a laptop's
 * (1366 px) without breaking: the page never scrolls sideways, and no table
 * heading or cell splits a word over two lines ("Stat|us", "Microphon|e") —
 * a table too wide for its column scrolls inside its own box instead. Also
 * the monitor-health wording a monitor without chrony or timedatectl gets,
 * and the heartbeat sent before its first measured second. Debian's chromium
 * driven by playwright-core against the app on 127.0.0.1; without
 * /usr/bin/chromium this test fails.
 */
import type { AddressInfo } from 'node:net';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatusStore } from '../../src/store/status.ts';
import { DEVICE, type HttpFixture, NOW, REF, makeHttpFixture } from '../http/fixture.ts';
import { logIn } from './log-in.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const SIZES = [{ name: 'phone', width: 390, height: 844 }, { name: 'laptop', width: 1366, height: 768 }] as const;

let f: HttpFixture;
let browser: Browser;
let base: string;

beforeAll(async () => {
  f = await makeHttpFixture();
  // The demo's heartbeat: sent as the monitor started (nothing measured yet), from a machine with neither chrony nor timedatectl.
  createStatusStore(f.db).write(DEVICE, 1, NOW - 30_000, NOW - 30_000, {
    uptimeSeconds: 0, clock: { synced: null, offsetMs: null, source: 'unknown' }, outbox: { depth: 1, bytes: 716_000, quotaBytes: 1e9, compactedRecords: 0 },
    disk: { freeBytes: 85e9, totalBytes: 271e9 }, temperatureC: null, mic: { state: 'unknown', silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: 120,
    config: { version: 2, lastReceived: { version: 2, accepted: true } }, capture: { source: 'wav:/srv/earshot/.demo/soundscape.wav', restarts: 0, lastError: null }, firmwareVersion: '0.1.0',
  });
  await f.http.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(f.http.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

interface Layout { pageScroll: { scroll: number; inner: number }; splitWords: string[]; overflowingCells: string[]; cellsSeen: number }
/** The few DOM types the page-side check uses (the test project has no DOM lib). */
interface Box { width: number; top: number }
interface Cell { tagName: string; textContent: string | null; scrollWidth: number; clientWidth: number; getBoundingClientRect(): Box; closest(selector: string): Cell | null }
interface TextNode { textContent: string | null }
interface Doc {
  querySelectorAll(selector: string): Iterable<Cell>;
  createTreeWalker(root: Cell, whatToShow: number): { nextNode(): TextNode | null };
  createRange(): { setStart(n: TextNode, offset: number): void; setEnd(n: TextNode, offset: number): void; getClientRects(): Iterable<Box> };
  documentElement: { scrollWidth: number };
}

/**
 * Every visible th and td: no word (a run between spaces and hyphens, where a line may break) whose
 * letters lie on two lines, and no content wider than its cell; the page no wider than the window.
 */
function measure(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const g = globalThis as unknown as { document: Doc; innerWidth: number };
    const d = g.document;
    const SHOW_TEXT = 4; // NodeFilter.SHOW_TEXT
    const splitWords: string[] = [];
    const overflowingCells: string[] = [];
    let cellsSeen = 0;
    for (const cell of d.querySelectorAll('th, td')) {
      const box = cell.getBoundingClientRect();
      // A stacked table's thead is clipped to 1 px (still read by screen readers): not laid out for the eye.
      const thead = cell.closest('thead');
      if (box.width === 0 || (thead !== null && thead.getBoundingClientRect().width <= 1)) continue;
      cellsSeen++;
      if (cell.scrollWidth > cell.clientWidth + 1) overflowingCells.push(`${cell.tagName} "${cell.textContent}" ${cell.scrollWidth} > ${cell.clientWidth}`);
      const walker = d.createTreeWalker(cell, SHOW_TEXT);
      for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        for (const m of text.matchAll(/[^\s\-–]{2,}/g)) {
          const r = d.createRange();
          r.setStart(n, m.index ?? 0);
          r.setEnd(n, (m.index ?? 0) + m[0].length);
          const lines = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
          if (lines.size > 1) splitWords.push(`${cell.tagName} "${m[0]}" over ${lines.size} lines`);
        }
      }
    }
    return { pageScroll: { scroll: d.documentElement.scrollWidth, inner: g.innerWidth }, splitWords, overflowingCells, cellsSeen };
  });
}

async function login(page: Page, username: string): Promise<void> {
  await logIn(page, base, username);
}

async function expectLaidOut(page: Page, what: string): Promise<void> {
  const l = await measure(page);
  expect(l.cellsSeen, `${what}: table cells on the page`).toBeGreaterThan(0);
  expect(l.pageScroll.scroll, `${what} scrolls sideways`).toBeLessThanOrEqual(l.pageScroll.inner);
  expect(l.splitWords, `${what}: words split over lines`).toEqual([]);
  expect(l.overflowingCells, `${what}: cells overflowing`).toEqual([]);
}

describe.each(SIZES)('officer pages at $width px in chromium', (size) => {
  it('caseload, monitors, case page and administration: no sideways page scroll, no word split in a table', async () => {
    const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, locale: 'en-GB', timezoneId: 'Europe/London' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // A supervisor's caseload has the most columns: the team's targets, and cases with their officer.
    await login(page, 'sup');
    await page.locator('#case-list').waitFor();
    await page.locator('#team').waitFor();
    await expectLaidOut(page, `caseload at ${size.name}`);

    await page.getByRole('link', { name: 'Monitors' }).click();
    await page.locator('#monitors').waitFor();
    await expectLaidOut(page, `monitors at ${size.name}`);
    const row = page.locator('#monitors tbody tr', { hasText: DEVICE });
    // Nothing measured before this heartbeat, and a clock the monitor had nothing to check with: said so, not "no signal" / "unknown".
    expect(await row.textContent()).toContain('not measured yet');
    expect(await row.textContent()).toContain('not checked');
    expect(await row.textContent()).not.toContain('no signal');

    await page.goto(`${base}/#/case/${encodeURIComponent(REF)}`);
    await page.locator('#deployments').waitFor();
    await page.locator('#case-monitors').waitFor();
    await expectLaidOut(page, `case page at ${size.name}`);

    await page.getByRole('button', { name: 'Log out' }).click();
    await login(page, 'admin');
    await page.goto(`${base}/#/admin`);
    await page.locator('#users').waitFor();
    await page.locator('#devices').waitFor();
    await expectLaidOut(page, `administration at ${size.name}`);

    expect(pageErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
