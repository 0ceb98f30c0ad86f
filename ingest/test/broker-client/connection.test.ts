/**
 * The ingest's broker connection and the device accounts against a real
 * mosquitto 2.0 configured by `earshot broker config mosquitto`: a message is
 * PUBACKed only when the ingest says it is stored; one it could not store is
 * not acknowledged and comes again; the account control makes, refuses and
 * disables device accounts with the broker's own answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topics } from '@earshot/shared';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Mosquitto, mosquitto } from '../../../test/support/mosquitto.ts';
import { AccountControl } from '../../src/broker-client/account-control.ts';
import { type Ack, BrokerConnection } from '../../src/broker-client/connection.ts';
import { mosquittoDeviceAccounts } from '../../src/broker-client/device-accounts.ts';
import type { BrokerTarget } from '../../src/broker-client/target.ts';

const quiet = pino({ level: 'silent' });
let dir: string;
let broker: Mosquitto;
let target: BrokerTarget;
let admin: MqttClient;
let control: AccountControl;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-broker-client-'));
  broker = await mosquitto(dir);
  target = { url: broker.url, ...broker.account, clientId: 'earshot-ingest-test', accounts: 'mosquitto-dynamic-security', connections: 1 };
  admin = await mqtt.connectAsync(broker.url, { clientId: 'accounts-test', ...broker.account, protocolVersion: 4, reconnectPeriod: 0 });
  control = new AccountControl(admin);
  await control.subscribe();
}, 30_000);

afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  control?.close();
  await admin?.endAsync(true);
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('device accounts over the dynamic-security control topic', () => {
  it('makes an account once, refuses a second of the same name, and disables it', async () => {
    const accounts = mosquittoDeviceAccounts(control, broker.account.username);
    await accounts.add('acct-1', 'acct-1-secret-of-enough-length');
    const dev = await mqtt.connectAsync(broker.url, { clientId: 'acct-1', username: 'acct-1', password: 'acct-1-secret-of-enough-length', protocolVersion: 4, reconnectPeriod: 0 });
    await expect(accounts.add('acct-1', 'another-secret-of-enough-length')).rejects.toMatchObject({ code: 'EARSHOT_E_BROKER_ACCOUNTS_FAILED', message: expect.stringContaining('Client already exists') });
    await expect(accounts.setEnabled('no-such-device', false)).rejects.toMatchObject({ code: 'EARSHOT_E_BROKER_ACCOUNTS_FAILED', message: expect.stringContaining('Client not found') });
    const closed = new Promise<void>((resolve) => dev.once('close', () => resolve()));
    await accounts.setEnabled('acct-1', false);
    await closed; // the plugin disconnects a disabled client
    await accounts.setEnabled('acct-1', false); // idempotent
    expect(() => accounts.checkId(broker.account.username)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_DEVICE_ID_INVALID' }) as Error);
  });
});

describe('BrokerConnection', () => {
  it('acknowledges only what is stored; what is not comes again', async () => {
    await mosquittoDeviceAccounts(control, broker.account.username).add('pub-1', 'pub-1-secret-of-enough-length');
    const seen: { payload: string; ack: Ack }[] = [];
    const conn = new BrokerConnection({
      target, clientId: target.clientId, logger: quiet, backoff: { initialMs: 20, maxMs: 100 },
      onMessage: (_topic, payload, ack) => seen.push({ payload: payload.toString(), ack }),
    });
    closers.push(() => conn.close());
    await vi.waitFor(() => expect(conn.ready()).toBe(true), { timeout: 10_000 });
    const dev = await mqtt.connectAsync(broker.url, { clientId: 'pub-1', username: 'pub-1', password: 'pub-1-secret-of-enough-length', protocolVersion: 4, reconnectPeriod: 0 });
    closers.push(() => dev.endAsync(true));
    await dev.publishAsync(topics.levels('pub-1'), 'first', { qos: 1 });
    await dev.publishAsync(topics.levels('pub-1'), 'second', { qos: 1 });
    await vi.waitFor(() => expect(seen.map((s) => s.payload)).toEqual(['first']), { timeout: 5_000 });
    // One at a time: nothing more is read until the first is answered.
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toHaveLength(1);
    seen[0]!.ack(false); // not stored: no PUBACK, the connection is dropped, the broker sends it again
    await vi.waitFor(() => expect(seen.map((s) => s.payload)).toEqual(['first', 'first']), { timeout: 5_000 });
    seen[1]!.ack(true);
    await vi.waitFor(() => expect(seen.map((s) => s.payload)).toEqual(['first', 'first', 'second']), { timeout: 5_000 });
    // Answered after its connection has gone: not written on the next one.
    const stale = seen[2]!;
    // The PUBACK of the first is on its way before the cut; give the broker time to take it.
    await new Promise((r) => setTimeout(r, 500));
    conn.client.stream.destroy();
    await vi.waitFor(() => expect(seen).toHaveLength(4), { timeout: 5_000 });
    expect(seen[3]!.payload).toBe('second');
    stale.ack(true);
    // Had the stale answer been written, it would have acknowledged the second under its packet id: it comes again.
    await new Promise((r) => setTimeout(r, 300));
    conn.client.stream.destroy();
    await vi.waitFor(() => expect(seen).toHaveLength(5), { timeout: 5_000 });
    expect(seen[4]!.payload).toBe('second');
    seen[4]!.ack(true);
    // Both are acknowledged now: a new connection of the session brings neither again.
    await new Promise((r) => setTimeout(r, 500));
    conn.client.stream.destroy();
    await vi.waitFor(() => expect(conn.ready()).toBe(true), { timeout: 5_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.map((s) => s.payload)).toEqual(['first', 'first', 'second', 'second', 'second']);
  }, 30_000);
});
