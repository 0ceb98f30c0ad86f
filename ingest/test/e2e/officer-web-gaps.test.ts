/**
 * The officer's chart shows the monitor's own "no data" records (issue 10): a
 * signed gap record attached to the case is drawn as a shaded band and said in
 * words under the chart. Debian's chromium driven by playwright-core against
 * the app on 127.0.0.1; without /usr/bin/chromium this test fails.
 */
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvidenceRows } from '../../src/store/evidence-rows.ts';
import { DEVICE, type HttpFixture, REF, T0, makeHttpFixture } from '../http/fixture.ts';
import { logIn } from './log-in.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const MIN = 60_000;

let f: HttpFixture;
let browser: Browser;
let base: string;

beforeAll(async () => {
  f = await makeHttpFixture();
  // 23:30–23:45 UK time (GMT in November): the monitor's storage was full.
  const from = T0 + 90 * MIN;
  const rows = createEvidenceRows(f.db);
  rows.insertEvent(
    { device: DEVICE, seq: 500, deviceTime: from, receivedAt: from + 20 * MIN, clock: { synced: true, offsetMs: 4, flag: null }, envelope: Buffer.from('{}'), signature: Buffer.alloc(64) },
    { kind: 'gap', eventId: 'gap-1', what: 'levels', from: new Date(from).toISOString(), to: new Date(from + 15 * MIN).toISOString(), reason: 'storage-full', clipIds: [] },
  );
  rows.setAttachment('events', DEVICE, 500, REF, null);
  await f.http.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(f.http.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

describe('officer chart in chromium', () => {
  it('shades the monitor\'s gap record as "no data" and says so under the chart', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await logIn(page, base);
    await page.locator('#case-list').getByRole('link', { name: REF }).click();
    await page.waitForSelector('#chart canvas');
    await expect.poll(() => page.locator('#chart').getAttribute('data-gaps-drawn')).toBe('1');
    expect(await page.locator('#chart-note').textContent()).toContain(`No data: monitor storage full 23:30–23:45 (${DEVICE}).`);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
