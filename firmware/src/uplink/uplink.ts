/**
 * The device's MQTT uplink (issue 3): drains the outbox in order over one
 * mqtt.js connection, at most `maxInFlight` QoS 1 publishes awaiting PUBACK,
 * and removes a message from the outbox only on its PUBACK (DESIGN §4:
 * acknowledged means stored). mqtt.js keeps un-acked publishes across a
 * reconnect and re-sends them [MQTT-4.4.0-1]; after a restart the outbox
 * re-sends the identical signed bytes. Reconnects on the capped, jittered
 * schedule of backoff.ts; subscribes to its own config topic on every CONNACK
 * and hands the (retained) payload to `onConfig`.
 *
 * The schedule counts from the CONNACK, not from mqtt.js's 'connect' event:
 * mqtt.js emits 'connect' only once every publish left un-acked by the last
 * session has been re-sent and PUBACKed, one at a time. When the ingest
 * refuses such a publish (it closes the connection when it could not store
 * it: ingest/src/broker/authorize-publish.ts), 'connect' never came, so every
 * refused batch counted as a network failure and the backoff grew as if the
 * network were down (53 s while the ingest's disk was full, issue 18).
 */
import { Socket } from 'node:net';
import { connect, type MqttClient, type Packet } from 'mqtt';
import { isEarshotError, topics, type ClipManifest, type ErrorInfo } from '@earshot/shared';
import type { Outbox, OutboxStats, OutgoingPart, QueuedKind } from '../outbox/index.ts';
import { DEFAULT_BACKOFF, HANDSHAKE_TIMEOUT_MS, ReconnectSchedule, type BackoffOptions, type ConnectionEnd } from './backoff.ts';
import { clientOptions, type ConnectionSettings } from './client-options.ts';

/** Publishes awaiting PUBACK at once: enough to fill a LAN round trip, small against mqtt.js's 65 535 message ids. */
export const DEFAULT_MAX_IN_FLIGHT = 16;

export interface UplinkOptions extends ConnectionSettings {
  readonly outbox: Outbox;
  readonly maxInFlight?: number;
  readonly backoff?: BackoffOptions;
  /** The jitter's random source in [0, 1) (Math.random). */
  readonly random?: () => number;
  /** The retained config payload (raw bytes; the caller validates it). */
  readonly onConfig?: (payload: Buffer) => void;
}

export interface UplinkStatus {
  readonly connected: boolean;
  readonly inFlight: number;
  /** Successful connections since start. */
  readonly connects: number;
  readonly lastError: ErrorInfo | null;
  /** Consecutive attempts that got no CONNACK, and sessions the ingest closed without a PUBACK. */
  readonly reconnect: { readonly failures: number; readonly refusals: number };
  /** For the status heartbeat (StatusBody.outbox) and more. */
  readonly outbox: OutboxStats;
}

export class Uplink {
  private readonly opts: UplinkOptions;
  private readonly backoff: BackoffOptions;
  private readonly maxInFlight: number;
  private readonly configTopic: string;
  private client: MqttClient | null = null;
  private inFlight = 0;
  private readonly schedule: ReconnectSchedule;
  /** The current connection got a CONNACK / a PUBACK. */
  private sessionUp = false;
  private sessionAcked = false;
  private connects = 0;
  private lastError: ErrorInfo | null = null;
  private stopped = false;

  constructor(opts: UplinkOptions) {
    this.opts = opts;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.maxInFlight = opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.configTopic = topics.config(opts.deviceId);
    this.schedule = new ReconnectSchedule(this.backoff, opts.random ?? Math.random);
  }

  /** Connects (and keeps reconnecting until stop()). */
  start(): void {
    if (this.client !== null) return;
    this.stopped = false;
    const client = connect(this.opts.url, clientOptions(this.opts, this.backoff.initialMs));
    this.client = client;
    // The first CONNECT went out inside connect() above; each reconnect's goes out with 'packetsend'.
    this.watchHandshake(client);
    client.on('packetsend', (packet: Packet) => {
      if (packet.cmd === 'connect') this.watchHandshake(client);
    });
    client.on('packetreceive', (packet: Packet) => {
      if (packet.cmd === 'connack' && packet.returnCode === 0) {
        this.sessionUp = true;
        this.sessionAcked = false;
        this.schedule.connected();
      } else if (packet.cmd === 'puback') {
        this.sessionAcked = true;
        this.schedule.acknowledged();
      }
    });
    // mqtt.js arms its reconnect timer from options.reconnectPeriod in its own 'close' listener: set the delay before it runs.
    client.prependListener('close', () => {
      const end: ConnectionEnd = !this.sessionUp ? 'failed' : !this.sessionAcked && this.inFlight > 0 ? 'refused' : 'dropped';
      if (end === 'refused') this.lastError = { code: 'EARSHOT_E_UPLINK_REFUSED', detail: `the ingest closed the connection without acknowledging ${this.inFlight} publish(es): not stored there; sent again after reconnecting` };
      this.sessionUp = false;
      client.options.reconnectPeriod = this.schedule.next(end);
    });
    client.on('connect', () => {
      this.connects++;
      this.lastError = null;
      client.subscribe(this.configTopic, { qos: 1 }, (err) => {
        if (err) this.lastError = { code: 'EARSHOT_E_UPLINK_REFUSED', detail: `subscribe ${this.configTopic}: ${err.message}` };
      });
      this.pump();
    });
    client.on('message', (topic, payload) => {
      if (topic === this.configTopic && this.opts.onConfig !== undefined) this.opts.onConfig(payload);
    });
    client.on('error', (err) => {
      const refused = 'code' in err && typeof err.code === 'number';
      this.lastError = { code: refused ? 'EARSHOT_E_UPLINK_REFUSED' : 'EARSHOT_E_UPLINK_OFFLINE', detail: err.message };
    });
  }

  /** Journals a message (durably, see Outbox.enqueue) and publishes it as soon as the window allows. */
  enqueue(kind: QueuedKind, body: unknown): number {
    const id = this.opts.outbox.enqueue(kind, body);
    this.pump();
    return id;
  }

  /** Journals a clip (see Outbox.enqueueClip) and starts sending it as soon as the window allows. */
  async enqueueClip(path: string, manifest: ClipManifest): Promise<number> {
    const id = await this.opts.outbox.enqueueClip(path, manifest);
    this.pump();
    return id;
  }

  /** For messages enqueued on the outbox directly: publishes what the window allows. */
  kick(): void {
    this.pump();
  }

  status(): UplinkStatus {
    return {
      connected: this.client?.connected ?? false,
      inFlight: this.inFlight,
      connects: this.connects,
      lastError: this.lastError,
      reconnect: this.schedule.state(),
      outbox: this.opts.outbox.stats(),
    };
  }

  /** Disconnects; un-acked publishes stay in the outbox for next time. */
  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = null;
    if (client !== null) await client.endAsync(true);
    this.inFlight = 0;
    this.opts.outbox.releaseAll();
  }

  /**
   * Gives up a TCP handshake that takes longer than HANDSHAKE_TIMEOUT_MS (a
   * black-holed path), so the next attempt comes on the schedule rather than after
   * mqtt.js's connectTimeout (30 s, which then covers the wait for the CONNACK).
   */
  private watchHandshake(client: MqttClient): void {
    const stream = client.stream;
    if (!(stream instanceof Socket) || !stream.connecting) return;
    const timer = setTimeout(() => {
      this.lastError = { code: 'EARSHOT_E_UPLINK_OFFLINE', detail: `no answer from ${this.opts.url} within ${HANDSHAKE_TIMEOUT_MS} ms` };
      stream.destroy();
    }, HANDSHAKE_TIMEOUT_MS);
    const clear = (): void => clearTimeout(timer);
    stream.once('connect', clear);
    stream.once('close', clear);
  }

  private pump(): void {
    const client = this.client;
    if (client === null || !client.connected || this.stopped) return;
    // Refill only once half the window is free: each take signs (and fsyncs) what it returns as one batch.
    if (this.inFlight > this.maxInFlight / 2) return;
    const room = this.maxInFlight - this.inFlight;
    let parts: OutgoingPart[];
    try {
      parts = this.opts.outbox.take(room);
    } catch (e) {
      this.fail(e);
      return;
    }
    for (const part of parts) this.publish(client, part);
  }

  /** A journal error (disk I/O) must not escape into mqtt.js's callbacks: it is reported in status. */
  private fail(e: unknown): void {
    this.lastError = isEarshotError(e) ? { code: e.code, detail: e.detail } : { code: 'EARSHOT_E_INTERNAL', detail: (e as Error).message };
  }

  private publish(client: MqttClient, part: OutgoingPart): void {
    this.inFlight++;
    client.publish(part.topic, part.payload, { qos: 1 }, (err) => {
      if (this.client !== client) return; // stopped: releaseAll already put it back
      this.inFlight--;
      if (err) {
        this.opts.outbox.release(part);
        this.lastError = { code: 'EARSHOT_E_UPLINK_OFFLINE', detail: `publish ${part.topic}: ${err.message}` };
      } else {
        try {
          this.opts.outbox.ack(part);
        } catch (e) {
          this.fail(e);
        }
      }
      this.pump();
    });
  }
}
