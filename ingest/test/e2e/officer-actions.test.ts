/**
 * The officer's whole job in the browser (issue 12), end to end in Debian's
 * chromium (playwright-core) against the real HTTP app on a real SQLite data
 * folder, at 390×844 (a phone) and 1366×900: the caseload dashboard (mine and
 * a supervisor's), open a case with the officer picked from accounts,
 * re-categorise, reassign, the contact log and its clocks, the action plan,
 * start/end a deployment with position fields, the diary (add, correct,
 * import CSV), monitor health, close/reopen, and administration (users and
 * monitors with provisioning details and QR code). Every page is checked with
 * axe-core (WCAG 2.2 AA, zero violations) and for sideways scrolling, and
 * screenshotted to /tmp/officer-*.png. Every change must be an evidence leaf.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Locator, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleGroup } from '../../src/bundle/schedule-groups.ts';
import { WEB_ROOT } from '../../src/http/index.ts';
import { createEvidenceRows } from '../../src/store/evidence-rows.ts';
import { createStatusStore } from '../../src/store/status.ts';
import { DEVICE, EVENT_AT, type HttpFixture, NOW, PASSWORD, REF, SPARE_DEVICE, T0, makeHttpFixture } from '../http/fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const SIZES = [{ name: 'phone', width: 390, height: 844 }, { name: 'desktop', width: 1366, height: 900 }] as const;

let browser: Browser;
let webRoot: string;

beforeAll(async () => {
  // The web view as served, plus axe-core beside it, so the page's CSP (script-src 'self') admits it unchanged.
  webRoot = mkdtempSync(join(tmpdir(), 'earshot-web-'));
  cpSync(WEB_ROOT, webRoot, { recursive: true });
  cpSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), join(webRoot, 'axe.min.js'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(webRoot, { recursive: true, force: true });
});

interface AxeViolation { id: string; impact: string | null; nodes: { target: string[] }[] }
type G = { axe?: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> }; document: { documentElement: { scrollWidth: number } }; innerWidth: number };

async function audit(page: Page, name: string, size: string): Promise<void> {
  await page.screenshot({ path: `/tmp/officer-${name}-${size}.png`, fullPage: true });
  const wide = await page.evaluate(() => {
    const g = globalThis as unknown as G;
    return { scroll: g.document.documentElement.scrollWidth, inner: g.innerWidth };
  });
  expect(wide.scroll, `${name} at ${size} scrolls sideways`).toBeLessThanOrEqual(wide.inner);
  if (await page.evaluate(() => (globalThis as unknown as G).axe === undefined)) await page.addScriptTag({ url: '/axe.min.js' });
  const violations = await page.evaluate(async () => {
    const r = await (globalThis as unknown as G).axe!.run((globalThis as unknown as G).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact ?? '?'}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations, `axe on ${name} at ${size}`).toEqual([]);
}

async function login(page: Page, base: string, username: string): Promise<void> {
  await page.goto(`${base}/`);
  await expect.poll(() => page.getByRole('button', { name: 'Log out' }).isVisible()).toBe(false);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

async function logout(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
}

/** Opens a collapsed form (a <details>) by its summary, by keyboard-reachable click. */
async function openDetails(page: Page, id: string): Promise<void> {
  await page.locator(`#${id}`).waitFor({ state: 'attached' });
  const d = page.locator(`details:has(#${id})`);
  if ((await d.count()) > 0 && (await d.getAttribute('open')) === null) await d.locator('summary').first().click();
}

const caseLeaves = (f: HttpFixture, action: string) => f.leaves().filter((l) => l.kind === 'case' && l.data['action'] === action);

describe.each(SIZES)('officer actions in chromium at $width×$height', (size) => {
  let f: HttpFixture;
  let base: string;

  beforeAll(async () => {
    f = await makeHttpFixture(undefined, { webRoot });
    // A heartbeat from the deployed monitor a minute ago: online, microphone working, clock synced.
    createStatusStore(f.db).write(DEVICE, 1, NOW - 60_000, NOW - 60_000, {
      uptimeSeconds: 3600, clock: { synced: true, offsetMs: 4, source: 'chrony' }, outbox: { depth: 3, bytes: 4096, quotaBytes: 1e9, compactedRecords: 0 },
      disk: { freeBytes: 12e9, totalBytes: 32e9 }, temperatureC: 41, mic: { state: 'ok', silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: 120,
      config: { version: 2, lastReceived: { version: 2, accepted: true } }, capture: { source: 'alsa', restarts: 0, lastError: null }, firmwareVersion: '0.1.0',
    });
    // Beside the fixture's loud event (23:00 UK time, with its clip): a bass event that evening (21:30, daytime) and an incident press after midnight.
    const rows = createEvidenceRows(f.db);
    const meta = (seq: number, at: number) => ({ device: DEVICE, seq, deviceTime: at, receivedAt: at + 500, clock: { synced: true, offsetMs: 3, flag: null }, envelope: Buffer.from(`{"seq":${seq}}`), signature: Buffer.alloc(64) });
    const bassAt = T0 - 30 * 60_000;
    const bass = { eventId: `${DEVICE}-${bassAt}-bass`, ruleId: 'bass', ruleType: 'low-frequency', startedAt: new Date(bassAt).toISOString() } as const;
    rows.insertEvent(meta(200, bassAt), { kind: 'started', ...bass, level: 18, threshold: 15 });
    rows.insertEvent(meta(201, bassAt + 60_000), { kind: 'ended', ...bass, endedAt: new Date(bassAt + 60_000).toISOString(), durationSeconds: 60, LAeq: 44, LAFmax: 50, LCminusLA: 18, backgroundLAF90: 30, threshold: 15, clipIds: [] });
    rows.insertEvent(meta(202, EVENT_AT + 3_600_000), { kind: 'incident', eventId: `${DEVICE}-${EVENT_AT + 3_600_000}-incident`, at: new Date(EVENT_AT + 3_600_000).toISOString(), source: 'button', clipIds: [] });
    for (const seq of [200, 201, 202]) rows.setAttachment('events', DEVICE, seq, REF, null);
    await f.http.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(f.http.app.server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => { await f?.close(); });

  it('dashboard, open a case, contacts, re-categorise, plan, deployments, diary, status, reassign', async () => {
    const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, locale: 'en-GB', timezoneId: 'Europe/London', acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The one refused request is the bad CSV below (400, shown to the officer as a sentence).
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('status of 400')) errors.push(m.text()); });
    await page.goto(`${base}/`);
    await audit(page, 'login', size.name);
    await login(page, base, 'jsmith');

    // Dashboard: my cases only, with the response target pending and the monitor online.
    const list = page.locator('#case-list');
    await list.getByRole('link', { name: REF }).waitFor();
    expect(await list.getByRole('link').count()).toBe(1);
    expect(await list.textContent()).toContain('Not yet');
    expect(await page.locator('#dash-monitors').textContent()).toContain('online');
    await audit(page, 'dashboard', size.name);

    // Open a case, the officer picked from the accounts.
    await page.getByRole('link', { name: 'Open a case' }).first().click();
    await page.getByLabel('Category').selectOption('high-risk');
    await page.getByRole('button', { name: 'Open case' }).click();
    await expect.poll(() => page.locator('.field-error:visible').first().textContent()).toBe('Please enter the address.');
    await audit(page, 'open-case', size.name);
    await page.getByLabel('Address').fill('Flat 3, 5 Elm Road');
    expect(await page.getByLabel('Assigned officer').locator('option').allTextContents()).toEqual(['Jo Smith (officer)', 'Bo Jones (officer)', 'Sam Upton (supervisor)']);
    await page.getByLabel('Complainant’s name').fill('C. Neighbour');
    await page.getByLabel('Complainant’s phone or email').fill('c@example.org');
    await page.getByRole('button', { name: 'Open case' }).click();
    await page.getByRole('heading', { name: 'Case ASB-2026-0003' }).waitFor();
    expect(caseLeaves(f, 'opened').at(-1)?.data['officer']).toBe('jsmith');
    await page.getByRole('button', { name: 'Show the complainant’s details' }).click();
    await expect.poll(() => page.locator('#complainant').textContent()).toContain('C. Neighbour');

    // The seeded case: contact log, first contact stops the response clock, next due in a week.
    await page.goto(`${base}/#/case/${REF}`);
    await page.getByRole('heading', { name: `Case ${REF}` }).waitFor();
    await page.waitForSelector('#chart canvas');
    expect(await page.locator('#response-target').textContent()).toContain('not yet met');
    await page.locator('#contact-form').getByLabel('How').selectOption('phone');
    await page.locator('#contact-form').getByLabel('Summary').fill('Called the complainant: music most nights after 23:00.');
    await page.getByRole('button', { name: 'Record contact' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('Contact recorded');
    expect(await page.locator('#response-target').textContent()).toContain('met');
    const due = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(NOW + 7 * 86_400_000));
    expect(await page.locator('#next-contact').textContent()).toBe(due);
    expect(await page.locator('#contacts').textContent()).toContain('Phone call');
    expect(caseLeaves(f, 'contacted')).toHaveLength(1);
    await audit(page, 'case', size.name);

    // Re-categorise with a reason.
    await openDetails(page, 'category-form');
    await page.locator('#category-form').getByLabel('Reason').fill('Threats made to the complainant');
    await page.getByRole('button', { name: 'Re-categorise' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('now high-risk');
    expect(caseLeaves(f, 'categorised').at(-1)?.data['reason']).toBe('Threats made to the complainant');

    // Action plan note.
    await openDetails(page, 'plan-form');
    await page.locator('#plan-form').getByLabel('What was agreed or what happens next').fill('Warning letter to the neighbour this week');
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => page.locator('#plan').textContent()).toContain('Warning letter');
    expect(caseLeaves(f, 'plan-note')).toHaveLength(1);

    // End the running deployment; start one on the spare monitor with its position.
    await page.getByRole('button', { name: `End deployment of ${DEVICE}` }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('has ended');
    await openDetails(page, 'deploy-form');
    const dep = page.locator('#deploy-form');
    await dep.getByLabel('Monitor').selectOption(SPARE_DEVICE);
    await dep.getByLabel('Room').fill('Bedroom');
    await dep.getByLabel('Height above the floor (m)').fill('1.2');
    await dep.getByLabel('Distance from the party wall (m)').fill('1.5');
    await dep.getByLabel('Windows').selectOption('closed');
    await page.getByRole('button', { name: 'Start deployment' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain(`Deployment of ${SPARE_DEVICE} started`);
    expect(await page.locator('#deployments').textContent()).toContain('Bedroom, 1.2 m high, 1.5 m from the party wall, windows closed');
    const installed = f.leaves().filter((l) => l.kind === 'deployment' && l.data['action'] === 'installed').at(-1);
    expect(installed?.data['equipment']).toEqual({ room: 'Bedroom', heightM: 1.2, partyWallM: 1.5, windows: 'closed' });
    await audit(page, 'deployments', size.name);

    // Diary: add, correct (the old stays, marked corrected), import a CSV.
    await openDetails(page, 'diary-form');
    const df = page.locator('#diary-form');
    await df.getByLabel('Started (your local time)').fill('2026-11-24T23:30');
    await df.getByLabel('What was heard').fill('Bass through the ceiling');
    await page.getByRole('button', { name: 'Add entry' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('Diary entry added');
    const added = page.locator('#diary li', { hasText: 'Bass through the ceiling' });
    expect(await added.textContent()).toContain('Recorded by Jo Smith');
    const id = (await added.getAttribute('id'))!.replace('diary-', '');
    await openDetails(page, `correct-${id}`);
    const cf = page.locator(`#correct-${id}`);
    await cf.getByLabel('What was heard').fill('Bass and shouting through the ceiling');
    await cf.getByLabel('Reason for the correction').fill('Complainant added the shouting by phone');
    await page.getByRole('button', { name: 'Save correction' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('Correction saved');
    expect(await page.locator(`#diary-${id}`).textContent()).toContain('Corrected by Jo Smith');
    expect(await page.locator(`#diary-${id} .corrected`).count()).toBe(1);
    const correction = f.leaves().filter((l) => l.kind === 'correction').at(-1);
    expect(correction?.data['reason']).toBe('Complainant added the shouting by phone');
    await openDetails(page, 'diary-import');
    const bad = 'started_at,heard\nnot a time,Drums\n';
    await page.locator('#diary-import').getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: 'Import' }).click();
    const alert = page.locator('#diary-import [role=alert]');
    await expect.poll(() => alert.textContent()).toContain('The file was not imported');
    expect(await alert.textContent()).toContain('Line 2');
    expect(await alert.textContent()).toContain('Code EARSHOT_E_DIARY_CSV_INVALID');
    await page.locator('#diary-import').getByLabel('CSV file').setInputFiles({ name: 'd.csv', mimeType: 'text/csv', buffer: Buffer.from('started_at,heard\n2026-11-23 23:10,Drums until 1am\n') });
    await page.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('1 entry imported');
    await audit(page, 'diary', size.name);

    // Close (after ending the deployment, an hour later) and reopen, each with a reason.
    f.clock = NOW + 3_600_000;
    await page.getByRole('button', { name: `End deployment of ${SPARE_DEVICE}` }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('has ended');
    await openDetails(page, 'status-form');
    await page.locator('#status-form').getByLabel('Status').selectOption('closed');
    await page.locator('#status-form').getByLabel('Reason').fill('Closing letter sent: noise stopped');
    await page.getByRole('button', { name: 'Change status' }).click();
    await expect.poll(() => page.locator('#case-status').textContent()).toBe('closed');
    await openDetails(page, 'status-form');
    await page.locator('#status-form').getByLabel('Reason').fill('Noise has started again');
    await page.getByRole('button', { name: 'Change status' }).click();
    await expect.poll(() => page.locator('#case-status').textContent()).toBe('open');
    expect(caseLeaves(f, 'closed')).toHaveLength(1);
    expect(caseLeaves(f, 'reopened')).toHaveLength(1);

    // Reassign to a colleague: the case leaves my caseload.
    await openDetails(page, 'reassign-form');
    await page.locator('#reassign-form').getByLabel('New officer').selectOption('bjones');
    await page.locator('#reassign-form').getByLabel('Reason').fill('Handover while on leave');
    await page.getByRole('button', { name: 'Reassign' }).click();
    await page.getByRole('heading', { name: 'My caseload' }).waitFor();
    await expect.poll(() => page.locator('#case-list').getByRole('link', { name: REF }).count()).toBe(0);
    expect(caseLeaves(f, 'reassigned').at(-1)?.data).toMatchObject({ from: 'jsmith', to: 'bjones' });

    // Monitors page.
    await page.getByRole('link', { name: 'Monitors' }).click();
    await page.getByRole('heading', { name: 'Monitors' }).waitFor();
    const mon = await page.locator('#monitors').textContent();
    expect(mon).toContain('working');
    expect(mon).toContain('12 GB free of 32 GB');
    expect(mon).toContain('version 2 accepted');
    expect(await page.locator('#monitors tr', { hasText: DEVICE }).textContent()).toContain('0.1.0');
    await page.screenshot({ path: `/tmp/officer2-monitors-${size.name}.png`, fullPage: true });
    await audit(page, 'monitors', size.name);
    await logout(page);

    // A supervisor's dashboard: everyone's cases, targets this month and overdue contacts by officer.
    await login(page, base, 'sup');
    await page.getByRole('heading', { name: 'Everyone’s caseload' }).waitFor();
    const team = await page.locator('#team').textContent();
    expect(team).toContain('Bo Jones');
    expect(await page.locator('#case-list').getByRole('link').count()).toBe(3);
    await audit(page, 'supervisor', size.name);
    await logout(page);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('administration: accounts and monitors with provisioning details and a QR code', async () => {
    const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, locale: 'en-GB', timezoneId: 'Europe/London', acceptDownloads: true });
    const page = await context.newPage();
    await login(page, base, 'admin');
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await openDetails(page, 'add-user');
    const u = page.locator('#add-user');
    await u.getByLabel('Username').fill('kpatel');
    await u.getByLabel('Full name').fill('Kay Patel');
    await u.getByLabel('Exhibit initials').fill('kp');
    await u.getByLabel('First password').fill('short');
    await page.getByRole('button', { name: 'Add account' }).click();
    await expect.poll(() => u.locator('.field-error:visible').allTextContents()).toEqual(['Exhibit initials are 2 to 4 capital letters, for example JS.', 'First password needs at least 12 characters.']);
    await u.getByLabel('Exhibit initials').fill('KP');
    await u.getByLabel('First password').fill('a long enough password');
    await page.getByRole('button', { name: 'Add account' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('Account kpatel added');
    await page.getByRole('button', { name: 'Disable bjones' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('Bo Jones is now disabled');
    expect((await f.users.accounts()).find((a) => a.username === 'bjones')?.enabled).toBe(false);
    await openDetails(page, 'reset-password');
    await page.locator('#reset-password').getByLabel('Account').selectOption('kpatel');
    await page.locator('#reset-password').getByLabel('New password').fill('another long password');
    await page.getByRole('button', { name: 'Reset password' }).click();
    await expect.poll(() => page.locator('#reset-password .ok').textContent()).toContain('has been reset');

    await page.locator('#add-device').getByLabel('Monitor id').fill('Bad Id');
    await page.getByRole('button', { name: 'Add monitor' }).click();
    await expect.poll(() => page.locator('#add-device .field-error:visible').textContent()).toContain('lower-case letters, digits and dashes');
    await page.locator('#add-device').getByLabel('Monitor id').fill('flat-12-monitor');
    await page.getByRole('button', { name: 'Add monitor' }).click();
    const qr = page.locator('#device-qr');
    await qr.waitFor();
    expect(await qr.evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBeGreaterThan(0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download flat-12-monitor.details' }).click()]);
    const details = JSON.parse(readFileSync(await download.path(), 'utf8')) as { deviceId: string; secret: string; server: string };
    expect(details.deviceId).toBe('flat-12-monitor');
    expect(details.secret.length).toBeGreaterThanOrEqual(16);
    // The secret shown once, with a note to copy it now; the list above has the new monitor at once.
    expect(await page.locator('#device-secret').inputValue()).toBe(details.secret);
    expect(await page.locator('#copy-now').textContent()).toContain('The secret is shown only this once');
    await expect.poll(() => page.locator('#devices').textContent()).toContain('flat-12-monitor');
    await page.locator('#provisioned-card').screenshot({ path: `/tmp/officer2-provisioned-${size.name}.png` });
    await page.screenshot({ path: `/tmp/officer2-admin-${size.name}.png`, fullPage: true });
    await audit(page, 'admin', size.name);
    await page.getByRole('button', { name: 'Disable mon-002' }).click();
    await expect.poll(() => page.locator('#flash').textContent()).toContain('mon-002 is now disabled');
    expect(f.registry.get('mon-002')?.enabled).toBe(false);
    await context.close();
  }, 120_000);

  it('by keyboard alone: log in, open a case from the dashboard, events by night filtered by rule, play a clip, record a contact', async () => {
    const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, locale: 'en-GB', timezoneId: 'Europe/London' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    type Doc = { document: { activeElement: unknown } };
    /** Presses Tab until `target` has the focus (its focus ring showing), as a keyboard user moves through the page. */
    async function tabTo(target: Locator, what: string): Promise<void> {
      for (let i = 0; i < 400; i++) {
        if (await target.evaluate((e: unknown) => e === (globalThis as unknown as Doc).document.activeElement)) {
          expect(await target.evaluate((e: { matches(s: string): boolean }) => e.matches(':focus-visible')), `${what} shows its focus`).toBe(true);
          return;
        }
        await page.keyboard.press('Tab');
      }
      throw new Error(`${what} is not reached with Tab`);
    }

    await page.goto(`${base}/`);
    await tabTo(page.getByLabel('Username'), 'the username field');
    await page.keyboard.type('sup');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Everyone’s caseload' }).waitFor();
    await tabTo(page.locator('#case-list').getByRole('link', { name: REF }), 'the case link');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Case ${REF}` }).waitFor();

    // Events grouped by night (23:00–07:00 UK time) and by day, in time order, each night's heading saying so.
    const headings = page.locator('#events .night-group h3');
    await expect.poll(() => headings.allTextContents()).toEqual(['Tue 24 Nov 2026, daytime (07:00–23:00) · 1 item', 'Night of Tue 24 Nov 2026 (23:00–07:00) · 2 items']);
    expect(await page.locator('#events .night-group').nth(1).textContent()).toContain('Incident button');
    // The difference threshold as a difference.
    expect(await page.locator('#events .night-group').first().textContent()).toContain('LCeq − LAeq ≥ 15.0 dB (bass)');
    expect(await page.locator('#rule-filter-count').textContent()).toBe('Showing 3 of 3: 1 night, 1 day.');
    await audit(page, 'case-events', size.name);
    await page.locator('#events').screenshot({ path: `/tmp/officer2-events-${size.name}.png` });

    // The filter, by keyboard: the loud rule only.
    await tabTo(page.locator('#rule-filter'), 'the rule filter');
    expect(await page.locator('#rule-filter option').allTextContents()).toEqual(['All events and incident marks (3)', 'Rule bass (1)', 'Rule loud (1)', 'Incident button (1)']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('#rule-filter').inputValue()).toBe('loud');
    await expect.poll(() => headings.allTextContents()).toEqual(['Night of Tue 24 Nov 2026 (23:00–07:00) · 1 item']);
    expect(await page.locator('#rule-filter-count').textContent()).toBe('Showing 1 of 3: 1 night, 0 days.');
    await page.locator('#events').screenshot({ path: `/tmp/officer2-events-filtered-${size.name}.png` });

    // Play the clip: Tab to its player, Space.
    const audio = page.locator('#events audio');
    await tabTo(audio, 'the clip player');
    await page.keyboard.press('Space');
    await expect.poll(() => audio.evaluate((a: { paused: boolean; currentTime: number }) => !a.paused || a.currentTime > 0), { timeout: 10_000 }).toBe(true);
    await audio.evaluate((a: { pause(): void }) => a.pause());

    // Record a contact: the method by typing its first letter, the summary, then Space on the button.
    const form = page.locator('#contact-form');
    await tabTo(form.getByLabel('How'), 'the contact method');
    await page.keyboard.type('L');
    expect(await form.getByLabel('How').inputValue()).toBe('letter');
    await tabTo(form.getByLabel('Summary'), 'the contact summary');
    await page.keyboard.type('Wrote to confirm the monitor stays another week.');
    await tabTo(page.getByRole('button', { name: 'Record contact' }), 'the Record contact button');
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('#flash').textContent()).toContain('Contact recorded');
    expect(await page.locator('#contacts').textContent()).toContain('Wrote to confirm the monitor stays another week.');
    expect(caseLeaves(f, 'contacted').at(-1)?.data).toMatchObject({ method: 'letter', by: 'sup' });

    // The page's night grouping is the court bundle's, across both clock changes.
    const instants = ['2026-03-28T22:59:59Z', '2026-03-28T23:00:00Z', '2026-03-29T05:59:59Z', '2026-03-29T06:00:00Z', '2026-10-24T21:59:59Z', '2026-10-24T22:00:00Z',
      '2026-10-25T06:59:59Z', '2026-10-25T07:00:00Z', '2026-12-31T23:30:00Z', '2027-01-01T06:59:00Z'];
    // As page source (a string), so the test runner leaves its import() alone.
    const inPage = await page.evaluate(`import('/nights.js').then((m) => ${JSON.stringify(instants)}.map((t) => m.nightGroup(t)))`);
    expect(inPage).toEqual(instants.map((t) => scheduleGroup(Date.parse(t))));
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
