/**
 * Real peers for the daemon tests: an aedes broker on 127.0.0.1 that checks
 * the device's credentials, a real mqtt.js subscriber standing in for the
 * ingest that opens and verifies every signed envelope with the device's
 * public key and validates its body with the shared schema, and a temp
 * device folder provisioned as `earshot-device provision` leaves it.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { connect, type MqttClient } from 'mqtt';
import { vi } from 'vitest';
import {
  type ClipManifest, type EventBody, type LevelsBody, type RemoteConfigInput, type SignedKind, type StatusBody,
  bodySchemas, openEnvelope, parseTopic, topics, verifyEnvelope,
} from '@earshot/shared';
import { encodeWav } from '../../src/audio/index.ts';
import type { DeviceConfigInput } from '../../src/daemon/config.ts';
import { generateIdentity } from '../../src/identity/index.ts';
import { RATE, scene } from './signals.ts';

export const DEVICE = 'flat-9-monitor';
export const SECRET = 'device-secret-0123456789';
const INGEST_USER = 'ingest';
const INGEST_PASSWORD = 'ingest-password';

/**
 * aedes on 127.0.0.1: the device may connect only as itself with its secret; the
 * test's ingest with its own. `store`, when given, sees every client publish
 * before the broker acknowledges it, as the real ingest stores before its PUBACK
 * (DESIGN §4): what a device had acknowledged is then surely recorded, even if
 * the broker dies before forwarding it to a subscriber.
 */
export class Broker {
  port = 0;
  store: ((topic: string, payload: Buffer) => void) | null = null;
  private aedes: Aedes | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        const pw = password?.toString();
        const device = client.id === DEVICE && username === DEVICE && pw === SECRET;
        const ingest = username === INGEST_USER && pw === INGEST_PASSWORD;
        done(null, device || ingest);
      },
      authorizePublish: (client, packet, done) => {
        if (client !== null && this.aedes === aedes) this.store?.(packet.topic, Buffer.from(packet.payload));
        done(null);
      },
    });
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      aedes.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.aedes = aedes;
    this.server = server;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** The ingest's retained config for the device (DESIGN §4). */
  publishConfig(payload: string): Promise<void> {
    const aedes = this.aedes!;
    return new Promise((resolve, reject) =>
      aedes.publish({ cmd: 'publish', topic: topics.config(DEVICE), payload: Buffer.from(payload), qos: 1, retain: true, dup: false }, (e) => (e ? reject(e) : resolve())),
    );
  }

  /** Goes down abruptly (sockets destroyed, no DISCONNECT), as a crashed server or a dead link. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const { aedes, server } = this;
    this.aedes = null;
    this.server = null;
    if (aedes !== null) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface Signed {
  seq: number;
  type: SignedKind;
  body: unknown;
  payload: Buffer;
}

/** The test's ingest: subscribes to the device's topics and verifies every signed message. */
export class Ingest {
  /** Every signed message, in arrival order (redeliveries included). */
  readonly signed: Signed[] = [];
  readonly chunks = new Map<string, Buffer>();
  /** Anything that failed to open, verify or validate. */
  readonly bad: string[] = [];
  private client: MqttClient | null = null;

  constructor(private readonly publicKey: KeyObject) {}

  async connect(url: string): Promise<void> {
    const client = connect(url, { protocolVersion: 4, clientId: `ingest-${process.pid}`, username: INGEST_USER, password: INGEST_PASSWORD, clean: true, reconnectPeriod: 0 });
    this.client = client;
    client.on('message', (topic, payload) => this.receive(topic, payload));
    client.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(topics.allOf(DEVICE), { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client?.endAsync(true);
    this.client = null;
  }

  /** One message as the broker delivered (or stored) it. */
  receive(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    if (t === null || t.kind === 'config') return;
    if (t.kind === 'clip-chunk') {
      this.chunks.set(`${t.clipId}/${t.chunk}`, Buffer.from(payload));
      return;
    }
    const opened = openEnvelope(payload);
    if (!opened.ok) return void this.bad.push(`${topic}: ${opened.error.detail}`);
    if (!verifyEnvelope(opened.envelopeBytes, opened.signature, this.publicKey)) return void this.bad.push(`${topic}: signature does not verify`);
    const env = opened.envelope;
    if (env.device !== DEVICE || env.type !== t.kind) return void this.bad.push(`${topic}: envelope says ${env.device}/${env.type}`);
    const body = bodySchemas[env.type].safeParse(env.body);
    if (!body.success) return void this.bad.push(`${topic}: body invalid: ${body.error.message}`);
    this.signed.push({ seq: env.seq, type: env.type, body: body.data, payload: Buffer.from(payload) });
  }

  /** Once per seq (the ingest's dedupe, DESIGN §4); a redelivery must be byte-identical. */
  unique(): Signed[] {
    const bySeq = new Map<number, Signed>();
    for (const s of this.signed) {
      const seen = bySeq.get(s.seq);
      if (seen !== undefined && !seen.payload.equals(s.payload)) this.bad.push(`seq ${s.seq} delivered with different bytes`);
      if (seen === undefined) bySeq.set(s.seq, s);
    }
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  levels(): LevelsBody[] {
    return this.unique().filter((s) => s.type === 'levels').map((s) => s.body as LevelsBody);
  }

  events(): EventBody[] {
    return this.unique().filter((s) => s.type === 'event').map((s) => s.body as EventBody);
  }

  statuses(): StatusBody[] {
    return this.unique().filter((s) => s.type === 'status').map((s) => s.body as StatusBody);
  }

  manifests(): ClipManifest[] {
    return this.unique().filter((s) => s.type === 'clip').map((s) => s.body as ClipManifest);
  }
}

export interface DeviceFolder {
  dir: string;
  configFile: string;
  publicKey: KeyObject;
  publicKeyPem: string;
  cleanup(): void;
}

/** A provisioned device folder: key pair in state/keys, a WAV, and the device config. */
export function deviceFolder(url: string, wav: Float64Array, remote: RemoteConfigInput, capture: Partial<{ loop: boolean; pace: 'fast' | 'realtime' }> = {}): DeviceFolder {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-daemon-'));
  const id = generateIdentity(join(dir, 'state', 'keys'));
  writeFileSync(join(dir, 'capture.wav'), encodeWav(wav, { encoding: 'int', bitsPerSample: 16, sampleRate: RATE }));
  const config: DeviceConfigInput = {
    deviceId: DEVICE,
    secret: SECRET,
    server: { url },
    stateDir: 'state',
    capture: { type: 'wav', files: ['capture.wav'], loop: capture.loop ?? false, pace: capture.pace ?? 'fast' },
    io: { type: 'none' },
    remote,
  };
  const configFile = join(dir, 'earshot-device.json');
  writeFileSync(configFile, JSON.stringify(config, null, 1));
  return { dir, configFile, publicKey: id.publicKey, publicKeyPem: id.publicKeyPem, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls until `cond` holds; fails naming `what` after `timeout` ms. */
/** 3 s: the 40 dB floor with a 95 dB slam 1 s in; looped, a slam every 3 s. */
export const SLAM_LOOP = scene([{ seconds: 1 }, { seconds: 0.2, db: 95 }, { seconds: 1.8 }]);

export type Cleanups = (() => Promise<void> | void)[];

/** A running broker and a device folder for it, both undone by `cleanups`. */
export async function brokerAndDevice(cleanups: Cleanups, remote: RemoteConfigInput, capture: Partial<{ loop: boolean; pace: 'fast' | 'realtime' }> = {}): Promise<{ broker: Broker; dev: DeviceFolder }> {
  const broker = new Broker();
  await broker.start();
  cleanups.push(() => broker.stop());
  const dev = deviceFolder(broker.url, SLAM_LOOP, remote, capture);
  cleanups.push(dev.cleanup);
  return { broker, dev };
}

export const waitFor = (what: string, cond: () => boolean, timeout = 15_000): Promise<void> =>
  vi.waitFor(() => {
    if (!cond()) throw new Error(`still waiting for ${what}`);
  }, { timeout, interval: 20 });
