/**
 * Issue 19 readmission: after a service restart every monitor reconnects at
 * once. Each simulated device connects from its own address (load.ts
 * deviceAddress), retries every second when refused or timed out, as mqtt.js
 * does with reconnectPeriod, and counts as admitted once its CONNACK and the
 * SUBACK of its config and receipt topics are in. The figure is the time until all are.
 */
import type { MqttClient } from 'mqtt';
import type { SimDevice } from './fleet.ts';
import { deviceClient, monitorTopics } from './load.ts';

export interface Readmission {
  n: number;
  admitted: number;
  /** Seconds from the first CONNECT sent to the last device admitted (or to the deadline). */
  seconds: number;
  /** CONNECT attempts, the first ones included. */
  attempts: number;
  /** When half were in. */
  halfSeconds: number;
}

/** The monitor retries a refused or timed-out CONNECT; 1 s, and 30 s for a CONNACK (firmware's MQTT connect timeout). */
const RETRY_MS = 1_000;
const CONNACK_TIMEOUT_MS = 30_000;

export async function readmit(devices: readonly SimDevice[], n: number, port: number, secret: string, deadlineMs = 120_000): Promise<Readmission> {
  const clients: MqttClient[] = [];
  let admitted = 0;
  let attempts = 0;
  let halfAt = Number.NaN;
  const t0 = performance.now();
  let lastAt = t0;
  await new Promise<void>((resolve) => {
    const deadline = setTimeout(resolve, deadlineMs);
    for (let i = 0; i < n; i++) {
      const d = devices[i]!;
      const c = deviceClient(d, i, port, secret, { reconnectPeriod: RETRY_MS, connectTimeout: CONNACK_TIMEOUT_MS });
      attempts++;
      c.on('reconnect', () => attempts++);
      c.on('error', () => undefined);
      let done = false;
      c.once('connect', () => {
        c.subscribe(monitorTopics(d.id), { qos: 1 }, (err) => {
          if (err !== null && err !== undefined) return;
          if (done) return;
          done = true;
          admitted++;
          lastAt = performance.now();
          if (admitted === Math.ceil(n / 2)) halfAt = lastAt;
          if (admitted === n) {
            clearTimeout(deadline);
            resolve();
          }
        });
      });
      clients.push(c);
    }
  });
  const seconds = ((admitted === n ? lastAt : performance.now()) - t0) / 1000;
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  return { n, admitted, seconds, attempts, halfSeconds: (halfAt - t0) / 1000 };
}
