/**
 * The spectrogram and the event spectrum in a real browser (issue 16): Debian's
 * chromium driven by playwright-core against the app on 127.0.0.1, a case with
 * 1/3-octave bands stored. At a phone's width (390 px) and a laptop's (1366 px):
 * the spectrogram under the level chart is drawn in colour over the chart's plot
 * area, with its dB(Z) scale; zooming the chart zooms it; the event's spectrum
 * against its background is drawn with a table of values; nothing overflows
 * sideways. EARSHOT_SCREENSHOT_DIR=dir keeps a screenshot of each width.
 */
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { levelBandsMigrations } from '../../src/store/level-bands-migrations.ts';
import { createLevelBandsWriter } from '../../src/store/level-bands.ts';
import { DEVICE, EVENT_AT, type HttpFixture, LEVEL_SECONDS, REF, T0, makeHttpFixture } from '../http/fixture.ts';
import { logIn } from './log-in.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

let f: HttpFixture;
let browser: Browser;
let base: string;

beforeAll(async () => {
  f = await makeHttpFixture();
  migrate(f.db, levelBandsMigrations);
  const w = createLevelBandsWriter(f.db)!;
  f.db.transaction(() => {
    for (let t = T0; t < T0 + LEVEL_SECONDS * 1000; t += 1000) {
      const loud = t >= EVENT_AT && t < EVENT_AT + 120_000;
      // A quiet room (falling with frequency), bass music during the event.
      w.add(DEVICE, t, 1, { f0: '10', dB10: Array.from({ length: 31 }, (_, k) => 380 - k * 8 + ((t / 1000) % 7) * 4 + (loud && k >= 4 && k <= 12 ? 300 : 0)) });
      if ((t - T0) % 10_000 === 9_000) w.end();
    }
    w.end();
  })();
  await f.http.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(f.http.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

type El = { dataset: Record<string, string | undefined>; getContext?(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }; width?: number; height?: number };
type PageDoc = { querySelector(s: string): El | null; documentElement: { scrollWidth: number; clientWidth: number } };
// Serialised into the page: no reference to anything outside the function.
const cellsDrawn = (): boolean => Number((globalThis as unknown as { document: PageDoc }).document.querySelector('#spectrogram')?.dataset['cellsDrawn'] ?? '0') > 0;
const spectrumShown = (): boolean => Number((globalThis as unknown as { document: PageDoc }).document.querySelector('#event-spectrum')?.dataset['bands'] ?? '0') > 0;

describe('spectrogram and event spectrum in chromium', () => {
  for (const width of [390, 1366]) {
    it(`draws both at ${width} px, lined up with the chart and zooming with it`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await logIn(page, base);
      await page.locator('#case-list').getByRole('link', { name: REF }).click();
      await page.waitForSelector('#chart canvas');
      await page.waitForFunction(cellsDrawn);
      expect(await page.locator('#spectrogram .spectro-unit').textContent()).toContain('dB(Z)');
      expect(await page.locator('#spectrogram-note').textContent()).toContain('1/3-octave band');
      const label = await page.locator('#spectrogram canvas.spectro-canvas').getAttribute('aria-label');
      expect(label).toMatch(/10 Hz to 10k Hz/);

      // The plot areas line up: the chart's overlay and the spectrogram's coloured cells start at the same x.
      const over = (await page.locator('#chart .u-over').boundingBox())!;
      const spectro = (await page.locator('#spectrogram canvas.spectro-canvas').boundingBox())!;
      const px = await page.locator('#spectrogram canvas.spectro-canvas').evaluate((c: El, at: { x: number; y: number }) => {
        const ratio = (c.width ?? 1) / (c as unknown as { clientWidth: number }).clientWidth;
        return Array.from(c.getContext!('2d').getImageData(Math.round(at.x * ratio), Math.round(at.y * ratio), 1, 1).data);
      }, { x: over.x - spectro.x + over.width / 2, y: spectro.height - 20 });
      // Not the "no data" grey (228, 231, 235) and not blank: a colour of the scale.
      expect(px[3]).toBe(255);
      expect(px.slice(0, 3)).not.toEqual([228, 231, 235]);
      const edge = await page.locator('#spectrogram canvas.spectro-canvas').evaluate((c: El, x: number) => {
        const ratio = (c.width ?? 1) / (c as unknown as { clientWidth: number }).clientWidth;
        const d = c.getContext!('2d');
        const row = Math.round(((c.height ?? 0) / ratio - 20) * ratio);
        const at = (xx: number) => Array.from(d.getImageData(Math.round(xx * ratio), row, 1, 1).data);
        return { outside: at(x - 3), inside: at(x + 3) };
      }, over.x - spectro.x);
      expect(edge.outside[3]).toBe(0);
      expect(edge.inside[3]).toBe(255);

      // The event's spectrum, with its table of values (one row per band).
      await page.waitForFunction(spectrumShown);
      expect(await page.locator('#spectrum-note').textContent()).toMatch(/Event: 120 s .* Background: 5 min/);
      await page.locator('#event-spectrum summary').click();
      expect(await page.locator('#event-spectrum tbody tr').count()).toBe(31);
      const bass = await page.locator('#event-spectrum tbody tr').nth(8).locator('td').allTextContents();
      expect(bass[0]).toBe('63');
      expect(Number(bass[3])).toBeGreaterThan(25);

      // Nothing wider than the screen.
      const overflow = await page.evaluate(() => (globalThis as unknown as { document: PageDoc }).document.documentElement.scrollWidth - (globalThis as unknown as { document: PageDoc }).document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      const dir = process.env.EARSHOT_SCREENSHOT_DIR;
      if (dir !== undefined) {
        await page.locator('section[aria-labelledby="levels-title"]').screenshot({ path: join(dir, `levels-${width}.png`) });
        await page.locator('#event-spectrum').screenshot({ path: join(dir, `event-spectrum-${width}.png`) });
      }

      // Zoom the chart onto the event: the spectrogram follows at the finer step.
      const before = await page.locator('#spectrogram-note').textContent();
      await page.locator('#chart').scrollIntoViewIfNeeded();
      const o = (await page.locator('#chart .u-over').boundingBox())!;
      await page.mouse.move(o.x + o.width * (2 / 7 - 0.02), o.y + o.height / 2);
      await page.mouse.down();
      await page.mouse.move(o.x + o.width * (2 / 7 + 0.03), o.y + o.height / 2, { steps: 5 });
      await page.mouse.up();
      await expect.poll(() => page.locator('#spectrogram-note').textContent()).not.toBe(before);
      await page.waitForFunction(cellsDrawn);
      expect(pageErrors).toEqual([]);
      await context.close();
    }, 60_000);
  }
});
