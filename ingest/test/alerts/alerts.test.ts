import { createHmac } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventBody } from '@earshot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Attachment } from '../../src/cases/attach.ts';
import { type AlertLog, createLiveAlerter } from '../../src/alerts/alerter.ts';
import { type LiveAlert, liveAlertFor } from '../../src/alerts/live-alert.ts';

interface Received {
  readonly at: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s === undefined) return;
  s.closeAllConnections();
  await new Promise<void>((r) => s.close(() => r()));
});

/** A real webhook receiver on 127.0.0.1; `respond` decides each reply. */
async function receiver(respond: (n: number, res: ServerResponse) => void): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  const s = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ at: Date.now(), headers: req.headers, body });
      respond(got.length, res);
    });
  });
  server = s;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`, got };
}

function memoryLog(): AlertLog & { lines: { level: string; msg: string; obj: object }[] } {
  const lines: { level: string; msg: string; obj: object }[] = [];
  return { lines, warn: (obj, msg) => lines.push({ level: 'warn', msg, obj }), error: (obj, msg) => lines.push({ level: 'error', msg, obj }) };
}

const attachedHighRisk: Attachment = { attached: true, caseRef: 'ASB-2026-0001', deploymentId: 3, category: 'high-risk', audioMode: 'on-event' };
const started: EventBody = { kind: 'started', eventId: 'ev-1', ruleId: 'night', ruleType: 'absolute', startedAt: '2026-03-02T23:10:00.000Z', level: 48.2, threshold: 45 };
const alert = liveAlertFor('mon-001', started, attachedHighRisk, Date.parse('2026-03-02T23:10:00.400Z')) as LiveAlert;

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('which events alert', () => {
  it('only starts and incident presses on attached high-risk cases', () => {
    expect(alert).toMatchObject({ caseRef: 'ASB-2026-0001', deviceId: 'mon-001', kind: 'started', eventId: 'ev-1', at: started.kind === 'started' ? started.startedAt : '', level: 48.2 });
    expect(liveAlertFor('mon-001', started, { ...attachedHighRisk, category: 'general' }, 0)).toBeNull();
    expect(liveAlertFor('mon-001', started, { attached: false, reason: 'no-deployment', caseRef: null, caseStatus: null }, 0)).toBeNull();
    const ended: EventBody = { ...started, kind: 'ended', endedAt: started.startedAt, durationSeconds: 1, LAeq: 40, LAFmax: 50, LCminusLA: 3, backgroundLAF90: 30, clipIds: [] };
    expect(liveAlertFor('mon-001', ended, attachedHighRisk, 0)).toBeNull();
    const incident: EventBody = { kind: 'incident', eventId: 'ev-2', at: '2026-03-02T23:11:00.000Z', source: 'button', clipIds: [] };
    expect(liveAlertFor('mon-001', incident, attachedHighRisk, 0)).toMatchObject({ kind: 'incident', at: '2026-03-02T23:11:00.000Z' });
  });
});

describe('live alerter', () => {
  it('posts signed JSON to the webhook well within 2 s, and logs it', async () => {
    const hook = await receiver((_n, res) => res.writeHead(204).end());
    const log = memoryLog();
    const alerter = createLiveAlerter({ webhookUrl: hook.url, secret: 'a-secret-of-16-chars' }, log);
    const t0 = Date.now();
    alerter.notify(alert);
    expect(log.lines).toEqual([expect.objectContaining({ level: 'warn', obj: { alert } })]);
    await until(() => hook.got.length === 1);
    const got = hook.got[0] as Received;
    expect(got.at - t0).toBeLessThan(2_000);
    expect(JSON.parse(got.body)).toEqual(alert);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-earshot-signature']).toBe(`sha256=${createHmac('sha256', 'a-secret-of-16-chars').update(got.body).digest('hex')}`);
    await alerter.drain();
    expect(alerter.stats()).toEqual({ notified: 1, delivered: 1, failed: 0, dropped: 0, pending: 0 });
  });

  it('retries 5xx and 429 and then delivers', async () => {
    const hook = await receiver((n, res) => res.writeHead(n === 1 ? 503 : n === 2 ? 429 : 200).end());
    const alerter = createLiveAlerter({ webhookUrl: hook.url, retryDelayMs: 10 }, memoryLog());
    alerter.notify(alert);
    await alerter.drain();
    expect(hook.got).toHaveLength(3);
    expect(alerter.stats()).toMatchObject({ delivered: 1, failed: 0 });
  });

  it('does not retry a 4xx refusal, and logs the failure', async () => {
    const hook = await receiver((_n, res) => res.writeHead(400).end());
    const log = memoryLog();
    const alerter = createLiveAlerter({ webhookUrl: hook.url, retryDelayMs: 10 }, log);
    alerter.notify(alert);
    await alerter.drain();
    expect(hook.got).toHaveLength(1);
    expect(alerter.stats()).toMatchObject({ delivered: 0, failed: 1 });
    expect(log.lines.at(-1)).toMatchObject({ level: 'error', obj: { attempts: 1, error: 'HTTP 400' } });
  });

  it('never blocks the caller on a webhook that hangs; times out and retries, bounded', async () => {
    const hook = await receiver(() => undefined); // never answers
    const alerter = createLiveAlerter({ webhookUrl: hook.url, timeoutMs: 100, retries: 1, retryDelayMs: 10, maxPending: 2 }, memoryLog());
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) alerter.notify(alert);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(alerter.stats()).toMatchObject({ notified: 5, pending: 2, dropped: 3 });
    await alerter.drain();
    expect(alerter.stats()).toMatchObject({ delivered: 0, failed: 2, pending: 0 });
    expect(hook.got).toHaveLength(4); // two alerts × (first attempt + one retry)
  });

  it('logs only when no webhook is configured, and rejects a bad configuration', () => {
    const log = memoryLog();
    const alerter = createLiveAlerter({}, log);
    alerter.notify(alert);
    expect(log.lines).toHaveLength(1);
    expect(alerter.stats()).toMatchObject({ notified: 1, pending: 0 });
    expect(() => createLiveAlerter({ webhookUrl: 'ftp://x' }, log)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_CONFIG_INVALID' }));
  });
});
