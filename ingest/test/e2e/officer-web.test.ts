/**
 * The officer web view end to end in a real browser (issue 5): Debian's chromium
 * driven by playwright-core against the app listening on 127.0.0.1. Log in, open
 * a case, see the event on the chart, play a clip, export a bundle and download
 * it. No skipping: without /usr/bin/chromium this test fails.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFixture, REF, makeHttpFixture } from '../http/fixture.ts';
import { logIn } from './log-in.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** The parts of HTMLAudioElement used here (the test is type-checked without the DOM library). */
interface AudioLike { muted: boolean; play(): Promise<void> }

let f: HttpFixture;
let browser: Browser;
let base: string;

beforeAll(async () => {
  f = await makeHttpFixture();
  await f.http.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(f.http.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

// Predicates as functions, not strings: the page's Content-Security-Policy forbids eval, which string predicates need.
type PageDoc = { querySelector(s: string): { dataset: Record<string, string | undefined>; readyState?: number; currentTime?: number } | null };
const eventsDrawn = (): boolean => Number((globalThis as unknown as { document: PageDoc }).document.querySelector('#chart')?.dataset['eventsDrawn'] ?? '0') >= 1;
const audioPlaying = (): boolean => {
  const a = (globalThis as unknown as { document: PageDoc }).document.querySelector('#events audio');
  return a !== null && (a.readyState ?? 0) >= 2 && (a.currentTime ?? 0) > 0;
};

describe('officer web view in chromium', () => {
  it('logs in, opens a case, sees the event, plays a clip, exports and downloads a bundle', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await logIn(page, base);

    await page.locator('#case-list').getByRole('link', { name: REF }).click();
    await page.waitForSelector('#chart canvas');
    // The chart's draw hook counts the events it marked inside the plotted period.
    await page.waitForFunction(eventsDrawn);
    expect(await page.locator('#chart').getAttribute('data-diary-drawn')).toBe('1');
    await expect.poll(() => page.locator('#events tbody tr').count()).toBe(1);
    // Zoom: drag across the event (23:00 in a 21:00–04:00 view); the chart refetches at a finer step.
    expect(await page.locator('#chart-note').textContent()).toContain('Each point covers 30 s');
    await page.locator('#chart').scrollIntoViewIfNeeded();
    const over = (await page.locator('#chart .u-over').boundingBox())!;
    const at = (fraction: number) => over.x + over.width * fraction;
    await page.mouse.move(at(2 / 7 - 0.01), over.y + over.height / 2);
    await page.mouse.down();
    await page.mouse.move(at(2 / 7 + 0.02), over.y + over.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => page.locator('#chart-note').textContent()).toContain('Each point covers 1 s');
    await page.waitForFunction(eventsDrawn);
    if (process.env.EARSHOT_SCREENSHOT !== undefined) await page.screenshot({ path: process.env.EARSHOT_SCREENSHOT, fullPage: true });

    const audio = page.locator('#events audio');
    await audio.evaluate((a: AudioLike) => { a.muted = true; return a.play(); });
    // HTMLMediaElement: readyState 2 = HAVE_CURRENT_DATA; currentTime advancing means it plays.
    await page.waitForFunction(audioPlaying);

    await page.getByLabel('Exhibit initials').fill('JQ');
    await page.getByRole('button', { name: 'Export court bundle' }).click();
    const link = page.getByRole('link', { name: 'Download court bundle (ZIP)' });
    await link.waitFor();
    expect(await page.locator('#export-progress').evaluate((p: { value: number }) => p.value)).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(`${REF}_bundle.zip`);
    const saved = await download.path();
    expect(readFileSync(saved, 'utf8')).toMatch(new RegExp(`^PK fake bundle ${REF} \\S+ \\S+ JQ$`));

    expect(pageErrors).toEqual([]);
    const actions = f.db.prepare<[], { action: string }>('SELECT action FROM access_log ORDER BY id').all().map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['case', 'timeline', 'clip', 'export', 'download']));
    await context.close();
  }, 90_000);
});
