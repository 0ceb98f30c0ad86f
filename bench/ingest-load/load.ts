/**
 * The load generator: one mqtt.js client per simulated device, as devices
 * connect (DESIGN §4: MQTT 3.1.1, clientId = username = device id, clean
 * session false, subscribed to their config and receipt topics, as the monitor
 * is: firmware/src/uplink/uplink.ts), and one measured window in
 * which each publishes its pre-signed messages at QoS 1 on schedule. Latency is
 * publish → PUBACK, which the ingest sends once the message is stored.
 */
import { connect as tcpConnect } from 'node:net';
import { topics } from '@earshot/shared';
import { MqttClient } from 'mqtt';
import type { Planned, SimDevice } from './fleet.ts';

/**
 * Device i's own source address on loopback (all of 127.0.0.0/8 is the host, RFC 1122 §3.2.1.3):
 * real monitors are in different homes, so the broker's per-address budgets (connection-gate.ts)
 * see one device per address, and no one address runs out of ephemeral ports.
 */
export function deviceAddress(i: number): string {
  return `127.${10 + Math.floor(i / 62_500)}.${1 + (Math.floor(i / 250) % 250)}.${1 + (i % 250)}`;
}

export interface DeviceClientOptions {
  reconnectPeriod?: number;
  connectTimeout?: number;
}

/** An mqtt.js client for device i (DESIGN §4: clientId = username = device id, clean session false), from its own address. */
export function deviceClient(d: SimDevice, i: number, port: number, secret: string, o: DeviceClientOptions = {}): MqttClient {
  return new MqttClient(() => tcpConnect({ host: '127.0.0.1', port, localAddress: deviceAddress(i) }), {
    clientId: d.id, username: d.id, password: secret, protocolVersion: 4, clean: false, keepalive: 60,
    reconnectPeriod: o.reconnectPeriod ?? 0, connectTimeout: o.connectTimeout ?? 120_000,
  });
}

/** What a monitor subscribes to at each CONNACK (firmware/src/uplink/uplink.ts): its config and its stored receipts. */
export const monitorTopics = (id: string): string[] => [topics.config(id), topics.receipt(id)];

/** Resolves at the client's first CONNACK; rejects at its first error when it does not reconnect. */
export function connected(c: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', (e) => {
      if (c.options.reconnectPeriod === 0) reject(e);
    });
  });
}

/** CONNECTs awaiting their CONNACK at once. */
const CONNECT_CONCURRENCY = 64;
/** How long a window may take to drain its last PUBACKs before what is missing counts as lost. */
const DRAIN_MS = 30_000;

export interface Fleet {
  readonly clients: MqttClient[];
  /** Connections that closed after connecting (each is a failure of the step). */
  readonly dropped: { n: number };
  end(): Promise<void>;
}

export function emptyFleet(): Fleet {
  const clients: MqttClient[] = [];
  return {
    clients,
    dropped: { n: 0 },
    async end() {
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
    },
  };
}

/** Connects devices [fleet.clients.length, n) with CONNECT_CONCURRENCY at a time. */
export async function connectUpTo(fleet: Fleet, devices: readonly SimDevice[], n: number, port: number, secret: string): Promise<void> {
  let next = fleet.clients.length;
  const slots: MqttClient[] = fleet.clients;
  const one = async (i: number): Promise<void> => {
    const d = devices[i]!;
    const c = deviceClient(d, i, port, secret);
    await connected(c);
    c.on('close', () => fleet.dropped.n++);
    await c.subscribeAsync(monitorTopics(d.id), { qos: 1 });
    slots[i] = c;
  };
  const workers = Array.from({ length: CONNECT_CONCURRENCY }, async () => {
    while (next < n) await one(next++);
  });
  await Promise.all(workers);
}

export interface WindowResult {
  sent: number;
  acked: number;
  /** Stored by the end of the window (the server keeping up), and once the PUBACKs drained. */
  storedByEnd: number;
  stored: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Worst lateness of the generator's own schedule (its event loop falling behind). */
  lateMs: number;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

/**
 * Publishes the plan on schedule over `windowMs`; `storedCount` reads how many
 * messages the server has stored so far (from its database, or the anchor's subscriber).
 */
export async function runWindow(fleet: Fleet, plan: readonly Planned[], windowMs: number, storedCount: () => number): Promise<WindowResult> {
  const latencies = new Float64Array(plan.length);
  const before = storedCount();
  let acked = 0;
  let errors = 0;
  let next = 0;
  let lateMs = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now() - t0;
      while (next < plan.length && plan[next]!.at <= now) {
        const p = plan[next++]!;
        lateMs = Math.max(lateMs, now - p.at);
        const sentAt = performance.now();
        fleet.clients[p.device]!.publish(p.topic, p.payload, { qos: 1 }, (err) => {
          if (err) errors++;
          else latencies[acked++] = performance.now() - sentAt;
        });
      }
      if (next < plan.length) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await new Promise((r) => setTimeout(r, Math.max(0, windowMs - (performance.now() - t0))));
  const storedByEnd = storedCount() - before;
  const drainUntil = performance.now() + DRAIN_MS;
  while (acked + errors < plan.length && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
  const got = latencies.subarray(0, acked).sort();
  return {
    sent: plan.length, acked, storedByEnd, stored: storedCount() - before,
    p50Ms: percentile(got, 0.5), p99Ms: percentile(got, 0.99), maxMs: percentile(got, 1), lateMs,
  };
}
