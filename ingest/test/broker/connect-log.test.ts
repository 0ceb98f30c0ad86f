/**
 * Issue 19 readmission: a fleet reconnecting at once after a restart must not
 * cost a log line per device — the first CONNECTED_LINES_PER_SECOND admitted
 * in a second are logged each, the others counted in one line a second later.
 * The real registry and its keyed-hash check; the clock is injected.
 */
import type { Client } from 'aedes';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONNECTED_LINES_PER_SECOND, createAuthenticate } from '../../src/broker/authenticate.ts';
import { addDevice, type Fixture, makeFixture, type TestDevice } from '../pipeline/support/ingest-fixture.ts';

let f: Fixture | null = null;
afterEach(() => {
  f?.close();
  f = null;
});

describe('CONNECT log under a reconnecting fleet', () => {
  it('logs the first devices of a second one by one and counts the rest in one line', async () => {
    f = makeFixture();
    const fx = f;
    const devices: TestDevice[] = Array.from({ length: CONNECTED_LINES_PER_SECOND + 7 }, (_, i) => addDevice(fx, `dev-${i}`));
    const lines: { msg: string; clientId?: string; devices?: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const t = Date.parse('2026-12-01T23:00:00.250Z');
    const authenticate = createAuthenticate(f.registry, logger, undefined, () => t);
    const admitted = await Promise.all(devices.map((d) => new Promise<boolean | null>((resolve) => {
      authenticate({ id: d.id } as Client, d.id, Buffer.from(d.secret), (_err, ok) => resolve(ok));
    })));
    expect(admitted.every((ok) => ok === true)).toBe(true);
    expect(lines.filter((l) => l.msg === 'device connected')).toHaveLength(CONNECTED_LINES_PER_SECOND);
    expect(lines.filter((l) => l.msg === 'devices connected')).toHaveLength(0);
    await vi.waitFor(() => expect(lines.filter((l) => l.msg === 'devices connected')).toHaveLength(1), { timeout: 3_000, interval: 50 });
    expect(lines.find((l) => l.msg === 'devices connected')!.devices).toBe(7);
  });
});
