/**
 * `earshot broker config mosquitto` (DESIGN §8) against a real mosquitto 2.0
 * (Debian's, with its dynamic-security plugin): the ingest account consumes
 * through the shared subscription and adds a device account over the plugin's
 * control topic; the device then has the embedded broker's rights — publish
 * only under its own topics, read only its own config and receipt.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topics } from '@earshot/shared';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDeviceCommand, disableDeviceCommand, DYNSEC_CONTROL, SHARED_FILTER } from '../../src/broker-config/mosquitto.ts';

const EARSHOT = join(dirname(fileURLToPath(import.meta.url)), '../../bin/earshot.js');
const ID = 'flat-3-monitor';
const SECRET = 'a-device-secret-of-enough-length';
let dir: string;
let port: number;
let broker: ChildProcess;
let account: { url: string; username: string; password: string };
const clients: MqttClient[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function connect(username: string, password: string, clientId = username): Promise<MqttClient> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, username, password, protocolVersion: 4, clean: false, reconnectPeriod: 0, connectTimeout: 5_000 });
  clients.push(c);
  return c;
}

async function refused(username: string, password: string, clientId = username): Promise<boolean> {
  try {
    await connect(username, password, clientId);
    return false;
  } catch {
    return true;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-mosquitto-'));
  port = await freePort();
  const out = execFileSync(process.execPath, [EARSHOT, 'broker', 'config', 'mosquitto', '--port', String(port), '--host', '127.0.0.1', '--out', join(dir, 'broker')], { encoding: 'utf8' });
  expect(out).toContain('mosquitto.conf');
  account = JSON.parse(readFileSync(join(dir, 'broker', 'ingest-account.json'), 'utf8')) as typeof account;
  broker = spawn('/usr/sbin/mosquitto', ['-c', join(dir, 'broker', 'mosquitto.conf')], { stdio: 'ignore' });
  await vi.waitFor(async () => {
    await (await connect(account.username, account.password, 'earshot-ingest-probe')).endAsync();
  }, { timeout: 15_000, interval: 100 });
}, 30_000);

afterAll(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
  if (broker?.exitCode === null) {
    const gone = new Promise((r) => broker.once('exit', r));
    broker.kill('SIGTERM');
    await gone;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Sends one dynamic-security command as the ingest and waits for its answer. */
async function control(ingest: MqttClient, command: unknown): Promise<{ command: string; error?: string }[]> {
  const answer = new Promise<{ command: string; error?: string }[]>((resolve) => {
    const on = (topic: string, payload: Buffer): void => {
      if (topic !== `${DYNSEC_CONTROL}/response`) return;
      ingest.off('message', on);
      resolve((JSON.parse(payload.toString()) as { responses: { command: string; error?: string }[] }).responses);
    };
    ingest.on('message', on);
  });
  await ingest.publishAsync(DYNSEC_CONTROL, JSON.stringify(command), { qos: 1 });
  return answer;
}

describe('earshot broker config mosquitto', () => {
  it('gives the ingest and a device account the embedded broker’s rights', async () => {
    expect(await refused(ID, SECRET)).toBe(true); // no such account yet
    const ingest = await connect(account.username, account.password, 'earshot-ingest-1');
    expect((await ingest.subscribeAsync(`${DYNSEC_CONTROL}/response`, { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    expect((await ingest.subscribeAsync(SHARED_FILTER, { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    expect(await control(ingest, createDeviceCommand(ID, SECRET))).toEqual([{ command: 'createRole' }, { command: 'createClient' }]);
    expect(await control(ingest, createDeviceCommand('flat-4-monitor', `${SECRET}-4`))).toEqual([{ command: 'createRole' }, { command: 'createClient' }]);

    expect(await refused(ID, 'a-wrong-secret-of-enough-length')).toBe(true);
    expect(await refused(ID, SECRET, 'another-client-id')).toBe(true); // clientId = device id (DESIGN §4)
    const dev = await connect(ID, SECRET);
    expect((await dev.subscribeAsync([topics.config(ID), topics.receipt(ID)], { qos: 1 })).map((g) => g.qos)).toEqual([1, 1]);
    const denied = await dev.subscribeAsync([topics.receipt('flat-4-monitor'), topics.config('flat-4-monitor'), 'earshot/#'], { qos: 1 })
      .then(() => null, (e: { packet: { granted: number[] } }) => e.packet.granted);
    expect(denied).toEqual([128, 128, 128]); // SUBACK failure [MQTT-3.9.3-2]

    const seen: string[] = [];
    ingest.on('message', (topic) => seen.push(topic));
    // Refused publishes are dropped by the broker (MQTT 3.1.1 has no refusal); the allowed one after them proves they were not delivered.
    await dev.publishAsync(topics.levels('flat-4-monitor'), 'not mine', { qos: 1 });
    await dev.publishAsync(topics.receipt(ID), 'a receipt of my own making', { qos: 1 });
    await dev.publishAsync(topics.config(ID), '{}', { qos: 1 });
    await dev.publishAsync(topics.levels(ID), 'mine', { qos: 1 });
    await dev.publishAsync(topics.clipChunk(ID, 'clip-1', 0), 'chunk', { qos: 1 });
    await vi.waitFor(() => expect(seen).toContain(topics.clipChunk(ID, 'clip-1', 0)), { timeout: 5_000 });
    expect(seen.filter((t) => t.startsWith('earshot/'))).toEqual([topics.levels(ID), topics.clipChunk(ID, 'clip-1', 0)]);

    // The ingest publishes the device's retained receipt; the device reads it.
    const got = new Promise<string>((resolve) => dev.on('message', (topic, p) => topic === topics.receipt(ID) && resolve(p.toString())));
    await ingest.publishAsync(topics.receipt(ID), 'receipt bytes', { qos: 1, retain: true });
    expect(await got).toBe('receipt bytes');

    // Disabled over the control topic: the next connection is refused.
    expect(await control(ingest, disableDeviceCommand(ID))).toEqual([{ command: 'disableClient' }]);
    await dev.endAsync(true);
    expect(await refused(ID, SECRET)).toBe(true);
  });

  it('refuses to overwrite a configuration that holds device accounts', () => {
    let code = 0;
    try {
      execFileSync(process.execPath, [EARSHOT, 'broker', 'config', 'mosquitto', '--port', String(port), '--out', join(dir, 'broker')], { stdio: 'pipe' });
    } catch (e) {
      code = (e as { status: number }).status;
    }
    expect(code).toBe(2);
  });
});
