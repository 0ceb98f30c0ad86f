/**
 * Issue 12: a monitor offline for more than an hour during a deployment raises
 * an alert, once per outage, and a "back online" one at its next heartbeat:
 * POSTed to a real webhook receiver (HMAC-signed), on a real data folder with
 * every migration, the time injected. The outage is a row, so a restart of the
 * service does not alert it again; the time the service was down is not counted.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatusBody } from '@earshot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertLog, createLiveAlerter } from '../../src/alerts/alerter.ts';
import type { MonitorAlert } from '../../src/alerts/monitor-outage.ts';
import { outageSteps } from '../../src/alerts/monitor-outage.ts';
import { startOfflineWatch } from '../../src/alerts/offline-watch.ts';
import { endDeployment, openCase, startDeployment } from '../../src/cases/index.ts';
import { type Ingest, openIngest } from '../../src/service/open-ingest.ts';
import { createStatusStore } from '../../src/store/status.ts';

const SECRET = 'a-secret-of-16-chars';
const MIN = 60_000;
const T0 = Date.parse('2026-11-24T20:00:00.000Z');

interface Received { readonly headers: IncomingMessage['headers']; readonly body: string }

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  const s: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); }));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`, got };
}

const quiet: AlertLog & { lines: string[] } = { lines: [], warn(_o, m) { this.lines.push(m); }, error(_o, m) { this.lines.push(`error ${m}`); } };

function heartbeat(): StatusBody {
  return {
    uptimeSeconds: 60, clock: { synced: true, offsetMs: 2, source: 'chrony' }, outbox: { depth: 0, bytes: 0, quotaBytes: 1e9, compactedRecords: 0 },
    disk: null, temperatureC: null, mic: { state: 'ok', silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: 120,
    config: { version: 1, lastReceived: null }, capture: { source: 'alsa', restarts: 0, lastError: null },
  };
}

/** A data folder with case ASB-2026-0001 and monitor mon-001 deployed on it from T0. */
function folder(clock: { now: number }): Ingest {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-offline-'));
  const ingest = openIngest(dir, () => clock.now);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  ingest.registry.add('mon-001', { now: T0 - 86_400_000 });
  openCase(ingest.cases, { ref: 'ASB-2026-0001', category: 'general', officer: 'jsmith', address: '1 Acacia Avenue' });
  startDeployment(ingest.cases, { caseRef: 'ASB-2026-0001', deviceId: 'mon-001', installedAt: new Date(T0).toISOString(), installedBy: 'T. Tech', calibration: { readingDb: 94, fullScaleDb: 120 } });
  return ingest;
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('monitor offline during a deployment', () => {
  it('alerts once per outage after an hour, signed, then "back online"; survives a restart without alerting again', async () => {
    const hook = await receiver();
    const clock = { now: T0 - MIN };
    const ingest = folder(clock);
    const status = createStatusStore(ingest.db);
    let seq = 0;
    const heard = (at: number): void => status.write('mon-001', ++seq, at, at, heartbeat());
    const alerter = createLiveAlerter({ webhookUrl: hook.url, secret: SECRET }, quiet);
    const start = (): ReturnType<typeof startOfflineWatch> => startOfflineWatch({ db: ingest.db, alerter, offlineAfterMs: 60 * MIN, now: () => clock.now, intervalMs: 0 });
    let watch = start();

    // Heard at 20:05; at 21:05 it is exactly an hour: not yet. At 21:06 it is over an hour: one alert.
    heard(T0 + 5 * MIN);
    clock.now = T0 + 65 * MIN;
    expect(watch.check()).toBe(0);
    clock.now = T0 + 66 * MIN;
    expect(watch.check()).toBe(1);
    // Later looks during the same outage raise nothing more.
    clock.now = T0 + 120 * MIN;
    expect(watch.check()).toBe(0);
    await until(() => hook.got.length === 1);
    const offline = JSON.parse(hook.got[0]!.body) as MonitorAlert;
    expect(offline).toEqual({
      type: 'earshot.monitor-alert', v: 1, kind: 'offline', caseRef: 'ASB-2026-0001', category: 'general', deviceId: 'mon-001', deploymentId: 1,
      lastHeardAt: '2026-11-24T20:05:00.000Z', offlineSince: '2026-11-24T20:05:00.000Z', offlineMinutes: 61, at: '2026-11-24T21:06:00.000Z',
    });
    expect(hook.got[0]!.headers['x-earshot-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(hook.got[0]!.body).digest('hex')}`);

    // The service restarts during the outage: the outage is already alerted.
    watch.stop();
    watch = start();
    clock.now = T0 + 200 * MIN;
    expect(watch.check()).toBe(0);

    // A heartbeat at 23:25: back online, once.
    heard(T0 + 205 * MIN);
    clock.now = T0 + 206 * MIN;
    expect(watch.check()).toBe(1);
    expect(watch.check()).toBe(0);
    await until(() => hook.got.length === 2);
    expect(JSON.parse(hook.got[1]!.body)).toMatchObject({ kind: 'online', lastHeardAt: '2026-11-24T23:25:00.000Z', offlineSince: '2026-11-24T20:05:00.000Z', offlineMinutes: 200 });

    // A second outage is a new one: alerted again.
    clock.now = T0 + 266 * MIN;
    expect(watch.check()).toBe(1);
    await until(() => hook.got.length === 3);
    expect(JSON.parse(hook.got[2]!.body)).toMatchObject({ kind: 'offline', lastHeardAt: '2026-11-24T23:25:00.000Z', offlineMinutes: 61 });

    // The deployment ends while offline: the outage closes without an alert, and nothing more is said of the monitor.
    endDeployment(ingest.cases, { deploymentId: 1, removedAt: new Date(T0 + 270 * MIN).toISOString(), removedBy: 'T. Tech' });
    clock.now = T0 + 400 * MIN;
    expect(watch.check()).toBe(0);
    expect(ingest.db.prepare('SELECT closed_by, count(*) AS n FROM monitor_outages GROUP BY closed_by ORDER BY closed_by').all()).toEqual([
      { closed_by: 'back-online', n: 1 }, { closed_by: 'deployment-ended', n: 1 },
    ]);
    await alerter.drain();
    expect(alerter.stats()).toMatchObject({ delivered: 3, failed: 0 });
    expect(quiet.lines.filter((l) => l.startsWith('monitor mon-001 offline'))).toHaveLength(2);
    watch.stop();
    ingest.close();
  });

  it('never heard after its installation counts from the installation; the time the service was down is not counted', () => {
    const base = { deploymentId: 7, caseRef: 'ASB-2026-0001', category: 'high-risk', deviceId: 'mon-007', installedMs: T0 };
    // Never heard: offline since the installation.
    expect(outageSteps([{ ...base, lastHeardMs: null }], new Map(), { nowMs: T0 + 61 * MIN, offlineAfterMs: 60 * MIN, watchStartMs: 0 }))
      .toEqual([{ kind: 'offline', deployment: { ...base, lastHeardMs: null }, offlineSinceMs: T0 }]);
    // Heard before the installation only: still counted from the installation.
    expect(outageSteps([{ ...base, lastHeardMs: T0 - 500 * MIN }], new Map(), { nowMs: T0 + 59 * MIN, offlineAfterMs: 60 * MIN, watchStartMs: 0 })).toEqual([]);
    // The service started 10 minutes ago after a long downtime: not yet an hour of watching.
    expect(outageSteps([{ ...base, lastHeardMs: T0 }], new Map(), { nowMs: T0 + 300 * MIN, offlineAfterMs: 60 * MIN, watchStartMs: T0 + 290 * MIN })).toEqual([]);
    expect(outageSteps([{ ...base, lastHeardMs: T0 }], new Map(), { nowMs: T0 + 351 * MIN, offlineAfterMs: 60 * MIN, watchStartMs: T0 + 290 * MIN })).toHaveLength(1);
    // A deployment that starts in the future is not watched yet.
    expect(outageSteps([{ ...base, installedMs: T0 + 1000 * MIN, lastHeardMs: null }], new Map(), { nowMs: T0 + 200 * MIN, offlineAfterMs: 60 * MIN, watchStartMs: 0 })).toEqual([]);
  });
});
