/**
 * The resident's diary on a phone, end to end (issue 13): Debian's chromium at
 * 390×844 (a small phone) driven by playwright-core against the app listening on
 * 127.0.0.1, on a real data folder. Open via the link, write an entry with and
 * without a recording (chromium's fake microphone), offline then online, Welsh,
 * a half-written entry kept, a revoked link, a flood from one address; each
 * entry on the officer's timeline API and in an exported bundle that
 * `earshot verify` accepts; axe-core finds nothing; the real CLI's `deploy link`
 * and `deploy sheet`. Screenshots go to /tmp/resident-*.png.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBundleExporter } from '../../src/export/index.ts';
import { REF, type ResidentFixture, makeResidentFixture } from '../resident/fixture.ts';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run',
  // A synthetic microphone (a beep) and no permission prompt, for MediaRecorder.
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
];
const PHONE = { width: 390, height: 844 };
const EARSHOT = fileURLToPath(new URL('../../bin/earshot.js', import.meta.url));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let f: ResidentFixture;
let browser: Browser;
let base: string;
let token: string;
let officer: string;

beforeAll(async () => {
  f = await makeResidentFixture();
  await f.http.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(f.http.app.server.address() as AddressInfo).port}`;
  token = f.issue().token;
  officer = await f.login();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await f?.close();
});

async function phone(options: { bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'Europe/London', isMobile: true, hasTouch: true, ...options });
  await context.grantPermissions(['microphone'], { origin: base });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

/** axe-core's violations on the page (WCAG 2.x A and AA and best practice), as "id: target" lines. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  type AxeResult = { violations: { id: string; nodes: { target: string[] }[] }[] };
  const r = await page.evaluate(() => (globalThis as unknown as { axe: { run(): Promise<AxeResult> } }).axe.run());
  return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

interface TimelineDiary { id: number; heard: string | null }
async function officerTimeline(): Promise<TimelineDiary[]> {
  const from = new Date(f.now() - 2 * 86_400_000).toISOString();
  const to = new Date(f.now() + 86_400_000).toISOString();
  const r = await fetch(`${base}/api/cases/${REF}/timeline?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${officer}` } });
  expect(r.status).toBe(200);
  return ((await r.json()) as { diary: TimelineDiary[] }).diary;
}

interface Row { id: number; source: string; written_ms: number | null; received_ms: number; recording_type: string | null; recording_file: string | null; content: string }
const residentRows = (): Row[] => f.ingest.db.prepare<[], Row>("SELECT * FROM diary_entries WHERE source = 'resident' ORDER BY id").all();
const statusText = (page: Page) => page.locator('#status').textContent();

describe('the resident’s diary on a phone', () => {
  it('opens via the link, sends an entry, which is on the officer’s timeline within seconds', async () => {
    const { context, page, errors } = await phone();
    await page.goto(`${base}/r/#${token}`);
    await expect.poll(() => page.getByRole('heading', { name: 'New entry' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Started').inputValue()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
    await page.screenshot({ path: '/tmp/resident-form.png', fullPage: true });
    await page.getByLabel('What can you hear?').fill('Loud music with heavy bass through the bedroom wall');
    await page.getByLabel('How is it affecting you?').fill('I could not get to sleep');
    const sentAt = Date.now();
    await page.getByRole('button', { name: 'Send entry' }).click();
    await expect.poll(() => statusText(page)).toBe('Sent. Your officer can see it now.');
    await expect.poll(async () => (await officerTimeline()).map((d) => d.heard)).toContain('Loud music with heavy bass through the bedroom wall');
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    expect(await page.locator('#entries li').first().textContent()).toContain('Loud music with heavy bass');
    expect(await page.getByLabel('What can you hear?').inputValue()).toBe('');
    await page.screenshot({ path: '/tmp/resident-sent.png', fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    expect(f.accessLog.list({ caseRef: REF }).map((a) => a.action)).toContain('resident-entry');
    await context.close();
  }, 60_000);

  it('sends an entry with a short phone recording, labelled not calibrated', async () => {
    const { context, page, errors } = await phone();
    await page.goto(`${base}/r/#${token}`);
    await page.getByLabel('What can you hear?').fill('Shouting and doors slamming');
    expect(await page.locator('.recording').textContent()).toContain('Not calibrated, supporting only');
    await page.getByRole('button', { name: 'Start recording' }).click();
    await expect.poll(() => page.locator('#rec-timer').textContent()).toMatch(/seconds left/);
    await page.waitForTimeout(2_500);
    await page.getByRole('button', { name: 'Stop recording' }).click();
    await expect.poll(() => page.locator('#rec-ready').isVisible()).toBe(true);
    expect(await page.locator('#rec-ready-text').textContent()).toMatch(/Recording ready: \d+ seconds\. Not calibrated, supporting only\./);
    await page.screenshot({ path: '/tmp/resident-recording.png', fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Send entry' }).click();
    await expect.poll(() => statusText(page)).toBe('Sent. Your officer can see it now.');
    const row = residentRows().at(-1)!;
    expect(row.recording_type).toBe('audio/webm');
    expect(readFileSync(join(f.ingest.dir.clips, row.recording_file!)).subarray(0, 4)).toEqual(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
    expect(await page.locator('#entries li').first().textContent()).toContain('With a phone recording (not calibrated, supporting only).');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('keeps an entry written offline and sends it when back online, with both times, flagged', async () => {
    const { context, page, errors } = await phone();
    await page.goto(`${base}/r/#${token}`);
    await page.getByRole('heading', { name: 'New entry' }).waitFor();
    await context.setOffline(true);
    await page.getByLabel('What can you hear?').fill('Bass again, written with no signal');
    await page.getByRole('button', { name: 'Send entry' }).click();
    await expect.poll(() => statusText(page)).toContain('You are offline');
    expect(await page.locator('#entries li').first().textContent()).toContain('Saved on this phone, waiting to send');
    await page.screenshot({ path: '/tmp/resident-offline.png', fullPage: true });
    const before = residentRows().length;
    // The phone comes back into signal a quarter of an hour later.
    f.offsetMs = 15 * 60_000;
    await context.setOffline(false);
    await expect.poll(() => statusText(page), { timeout: 10_000 }).toMatch(/^(Sent\. Your officer can see it now\.|The entries saved on this phone have now been sent\.)$/);
    expect(residentRows()).toHaveLength(before + 1);
    const row = residentRows().at(-1)!;
    expect(row.received_ms - row.written_ms!).toBeGreaterThan(10 * 60_000);
    const leaf = JSON.parse(Buffer.from(f.ingest.db.prepare<[number], { leaf: Buffer }>('SELECT leaf FROM evidence_leaves WHERE leaf_index = (SELECT leaf_index FROM diary_entries WHERE id = ?)').get(row.id)!.leaf).toString('utf8')) as { data: Record<string, unknown> };
    expect(leaf.data).toMatchObject({ source: 'resident', delayed: true, writtenAt: new Date(row.written_ms!).toISOString(), receivedAt: new Date(row.received_ms).toISOString() });
    await expect.poll(() => page.locator('#entries li').first().textContent()).toContain('Sent later than it was written.');
    f.offsetMs = 0;
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('switches to Welsh, keeps the choice, and keeps a half-written entry across a reload', async () => {
    const { context, page, errors } = await phone();
    await page.goto(`${base}/r/#${token}`);
    await page.getByRole('button', { name: 'Cymraeg: newid i’r Gymraeg' }).click();
    expect(await page.locator('html').getAttribute('lang')).toBe('cy');
    expect(await page.locator('h1').textContent()).toBe('Dyddiadur sŵn');
    // Dates in Welsh too, whatever the phone's date library knows.
    expect(await page.locator('#next-contact').textContent()).toMatch(/^Bydd eich swyddog tai yn cysylltu â chi nesaf erbyn Dydd (Sul|Llun|Mawrth|Mercher|Iau|Gwener|Sadwrn) \d{1,2} (Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr)\.$/);
    await page.getByLabel('Beth allwch chi ei glywed?').fill('Cerddoriaeth uchel drwy’r wal');
    await page.reload();
    await expect.poll(() => page.getByLabel('Beth allwch chi ei glywed?').inputValue()).toBe('Cerddoriaeth uchel drwy’r wal');
    expect(await statusText(page)).toBe('Mae eich cofnod heb ei orffen wedi’i gadw ar y ffôn hwn nes i chi ei anfon.');
    expect(await page.locator('.recording .badge').textContent()).toBe('Heb ei galibradu, ategol yn unig');
    await page.screenshot({ path: '/tmp/resident-welsh.png', fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'English: switch to English' }).click();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('a revoked link gets a clear page', async () => {
    const old = token;
    token = f.issue().token;
    const { context, page, errors } = await phone();
    await page.goto(`${base}/r/#${old}`);
    await expect.poll(() => page.getByRole('heading', { name: 'This link no longer works' }).isVisible()).toBe(true);
    expect(await page.locator('#gone-why').textContent()).toContain('has given you a new link instead of this one');
    expect(await page.locator('#entry').isVisible()).toBe(false);
    await page.screenshot({ path: '/tmp/resident-revoked.png', fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    expect(f.accessLog.list({ caseRef: REF }).map((a) => a.action)).toContain('resident-link-revoked');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('the entries are in an exported bundle that `earshot verify` accepts, the recording an exhibit of its own', async () => {
    const exportBundle = createBundleExporter(f.ingest, { outDir: join(f.dir, 'out') });
    const { file } = await exportBundle(REF, { from: new Date(f.now() - 2 * 86_400_000).toISOString(), to: new Date(f.now() + 3_600_000).toISOString(), initials: 'JS' });
    const verify = await run(process.execPath, [EARSHOT, 'verify', file], { encoding: 'utf8' });
    expect(verify.stdout).toMatch(/\S/);
    const list = await run('unzip', ['-Z1', file], { encoding: 'utf8' });
    expect(list.stdout.split('\n')).toContain('exhibits/JS-1.webm');
    await run('unzip', ['-o', '-q', file, 'bundle.pdf', 'data/diary.csv', '-d', join(f.dir, 'unzipped')]);
    const text = (await run('pdftotext', ['-layout', join(f.dir, 'unzipped', 'bundle.pdf'), '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout;
    copyFileSync(join(f.dir, 'unzipped', 'bundle.pdf'), '/tmp/resident-bundle.pdf');
    expect(text).toContain('Resident, at the time');
    expect(text).toContain('Phone recordings sent by the resident (not calibrated, supporting only)');
    expect(text).toMatch(/received\s+more\s+than\s+10\s+minutes\s+after\s+it\s+was\s+written/);
    expect(text).toMatch(/I\s+produce\s+exhibit\s+JS\/1,\s+a\s+recording\s+the\s+resident\s+made\s+on\s+their\s+own\s+phone/);
    expect(text).toMatch(/Phone\s+recording\s+made\s+by\s+the\s+resident\s+and\s+sent\s+with\s+their\s+diary\s+entry/);
    expect(readFileSync(join(f.dir, 'unzipped', 'data', 'diary.csv'), 'utf8')).toContain('Shouting and doors slamming');
  }, 120_000);

  it('`earshot deploy link` and `deploy sheet` through the real CLI: the URL opens the diary; the sheet carries it', async () => {
    const dataDir = f.ingest.dir.root;
    const link = await run(process.execPath, [EARSHOT, 'deploy', 'link', '--deployment', String(f.deploymentId), '--data-dir', dataDir, '--base-url', base], { encoding: 'utf8' });
    const lines = link.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${base.replace(/[.]/g, '\\.')}/r/#[A-Za-z0-9_-]{43}$`));
    const { context, page } = await phone();
    await page.goto(lines[0]!);
    await expect.poll(() => page.getByRole('heading', { name: 'New entry' }).isVisible()).toBe(true);
    await context.close();

    const out = join(f.dir, 'sheet.pdf');
    const sheet = await run(process.execPath, [EARSHOT, 'deploy', 'sheet', '--deployment', String(f.deploymentId), '--data-dir', dataDir, '--base-url', base, '--out', out, '--contact', 'Jo Smith, Housing team, 029 2000 0000'], { encoding: 'utf8' });
    expect(sheet.stdout).toContain('the previous link no longer works');
    const text = (await run('pdftotext', [out, '-'], { encoding: 'utf8' })).stdout;
    const url = /http:\/\/127\.0\.0\.1:\d+\/r\/#[A-Za-z0-9_-]{43}/.exec(text)?.[0];
    expect(url).toBeDefined();
    expect(url).not.toBe(lines[0]);
    expect(text).toContain('Jo Smith, Housing team, 029 2000 0000');
    expect((await run('pdfinfo', [out], { encoding: 'utf8' })).stdout).toMatch(/Pages:\s+1\n/);
    token = url!.split('#')[1]!;
    const bad = await run(process.execPath, [EARSHOT, 'deploy', 'link', '--deployment', '999', '--data-dir', dataDir], { encoding: 'utf8' }).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('EARSHOT_E_DEPLOYMENT_NOT_FOUND') });
  }, 120_000);

  it('a flood from one address gets 429 with a sentence; the page says to wait', async () => {
    let limited: Response | null = null;
    for (let i = 0; i < 100 && limited === null; i++) {
      const r = await fetch(`${base}/r/api/diary`, { headers: { authorization: `Bearer ${token}` } });
      if (r.status === 429) limited = r;
      else await r.arrayBuffer();
    }
    expect(limited).not.toBeNull();
    const body = (await limited!.json()) as { code: string; message: string };
    expect(body.code).toBe('EARSHOT_E_RESIDENT_RATE_LIMITED');
    expect(body.message).toMatch(/^too many requests, wait a little and try again: more than \d+ requests from this address in \d+ s$/);
    const { context, page } = await phone();
    await page.goto(`${base}/r/#${token}`);
    await expect.poll(() => statusText(page)).toContain('Too many attempts from this phone or network in a short time.');
    await page.screenshot({ path: '/tmp/resident-flood.png', fullPage: true });
    expect(await page.locator('#entries').textContent()).not.toContain('You have not sent any entries yet.');
    await context.close();
  }, 60_000);
});
