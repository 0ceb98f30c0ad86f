/**
 * The device's MQTT uplink (issue 3): drains the outbox in order over one
 * mqtt.js connection, at most `maxInFlight` QoS 1 publishes awaiting PUBACK.
 * With the server's public key (`receipts`), a PUBACK only marks a message
 * delivered: it leaves the outbox when a valid stored receipt covers its seq
 * (DESIGN §4 "Stored receipts", receipt-check.ts), and what stays unreceipted is
 * sent again after a reconnect (once the retained receipt had its chance) or
 * RECEIPT_TIMEOUT_MS after its PUBACK. Without the key, a message leaves on its
 * PUBACK (the embedded broker acknowledges only after the commit). mqtt.js keeps un-acked publishes across a
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
import type { KeyObject } from 'node:crypto';
import { Socket } from 'node:net';
import { connect, type MqttClient, type Packet } from 'mqtt';
import { isEarshotError, topics, type ClipManifest, type ErrorInfo } from '@earshot/shared';
import type { Outbox, OutboxStats, OutgoingPart, QueuedKind } from '../outbox/index.ts';
import { DEFAULT_BACKOFF, HANDSHAKE_TIMEOUT_MS, ReconnectSchedule, type BackoffOptions, type ConnectionEnd } from './backoff.ts';
import { clientOptions, type ConnectionSettings } from './client-options.ts';
import { ReceiptCheck, type ReceiptCounts } from './receipt-check.ts';

/** Publishes awaiting PUBACK at once: enough to fill a LAN round trip, small against mqtt.js's 65 535 message ids. */
export const DEFAULT_MAX_IN_FLIGHT = 16;
/**
 * Stored receipts (DESIGN §4): what stays unreceipted this long after its PUBACK
 * is sent again. The ingest receipts right after its commit (well under a
 * second: the embedded topology's p99 publish→stored is under 500 ms at 10,000
 * devices), so two minutes — two default heartbeats — means the message was
 * lost between broker and ingest (a broker restarted without persistence, a
 * consumer that crashed), not a slow ingest. Doubled after each resend that
 * brings no new receipt, up to RECEIPT_TIMEOUT_MAX_MS, so a long ingest outage
 * does not resend the whole backlog every two minutes.
 */
export const RECEIPT_TIMEOUT_MS = 120_000;
export const RECEIPT_TIMEOUT_MAX_MS = 30 * 60_000;
/**
 * After the SUBACK of the receipt topic, how long to wait for its retained
 * receipt (sent on a new subscription [MQTT-3.3.1-6], right behind the SUBACK)
 * before resending what is unreceipted; a receipt arriving sooner ends the wait.
 */
export const RECEIPT_SYNC_MS = 1_000;

export interface ReceiptOptions {
  /** The ingest's Ed25519 public key (DeviceConfig server.publicKeyPem). */
  readonly serverKey: KeyObject;
  readonly timeoutMs?: number;
  readonly syncMs?: number;
}

export interface UplinkOptions extends ConnectionSettings {
  readonly outbox: Outbox;
  readonly maxInFlight?: number;
  readonly backoff?: BackoffOptions;
  /** The jitter's random source in [0, 1) (Math.random). */
  readonly random?: () => number;
  /** The retained config payload (raw bytes; the caller validates it). */
  readonly onConfig?: (payload: Buffer) => void;
  /**
   * Stored receipts (DESIGN §4): a journal entry leaves only when a valid receipt
   * covers it, never on a PUBACK alone. Absent (no server key configured): a
   * PUBACK removes it, which only the embedded broker makes safe.
   */
  readonly receipts?: ReceiptOptions;
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
  /** Stored receipts seen and ignored since start (StatusBody.receipts); null without a server key. */
  readonly receipts: ReceiptCounts | null;
  /** Entries sent again because no receipt covered them in time or after a reconnect. */
  readonly resent: number;
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
  private readonly receiptTopic: string;
  private readonly check: ReceiptCheck | null;
  /** False from a CONNACK until the retained receipt came or RECEIPT_SYNC_MS passed: nothing is published meanwhile. */
  private synced = true;
  private syncTimer: NodeJS.Timeout | null = null;
  private resendTimer: NodeJS.Timeout | null = null;
  private resendAfterMs: number;
  private resent = 0;

  constructor(opts: UplinkOptions) {
    this.opts = opts;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.maxInFlight = opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.configTopic = topics.config(opts.deviceId);
    this.schedule = new ReconnectSchedule(this.backoff, opts.random ?? Math.random);
    this.receiptTopic = topics.receipt(opts.deviceId);
    this.check = opts.receipts === undefined ? null : new ReceiptCheck(opts.receipts.serverKey, opts.deviceId);
    this.resendAfterMs = opts.receipts?.timeoutMs ?? RECEIPT_TIMEOUT_MS;
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
      this.synced = this.check === null;
      const wanted = this.check === null ? [this.configTopic] : [this.configTopic, this.receiptTopic];
      client.subscribe(wanted, { qos: 1 }, (err, granted) => {
        if (err) this.lastError = { code: 'EARSHOT_E_UPLINK_REFUSED', detail: `subscribe ${wanted.join(', ')}: ${err.message}` };
        // A refused topic comes back with granted QoS 0x80 [MQTT-3.9.3-2].
        const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
        if (refused.length > 0) this.lastError = { code: 'EARSHOT_E_UPLINK_REFUSED', detail: `subscribe refused: ${refused.join(', ')}` };
        if (!this.synced && this.client === client) this.awaitRetainedReceipt(client);
      });
      this.pump();
    });
    client.on('message', (topic, payload) => {
      if (topic === this.configTopic && this.opts.onConfig !== undefined) this.opts.onConfig(payload);
      else if (topic === this.receiptTopic) this.receive(client, payload);
    });
    if (this.check !== null) {
      const timeoutMs = this.opts.receipts?.timeoutMs ?? RECEIPT_TIMEOUT_MS;
      this.resendTimer = setInterval(() => this.resendStale(), Math.max(250, Math.floor(timeoutMs / 4)));
      this.resendTimer.unref();
    }
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
      receipts: this.check?.counts() ?? null,
      resent: this.resent,
    };
  }

  /** Disconnects; un-acked publishes stay in the outbox for next time. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.syncTimer !== null) clearTimeout(this.syncTimer);
    if (this.resendTimer !== null) clearInterval(this.resendTimer);
    this.syncTimer = null;
    this.resendTimer = null;
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

  /** After the receipt SUBACK: the retained receipt, or RECEIPT_SYNC_MS, whichever first, ends the wait. */
  private awaitRetainedReceipt(client: MqttClient): void {
    if (this.syncTimer !== null) clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => this.endSync(client), this.opts.receipts?.syncMs ?? RECEIPT_SYNC_MS);
  }

  /** Once the connection knows what the ingest has stored: everything still unreceipted is sent again (DESIGN §4: after a reconnect). */
  private endSync(client: MqttClient): void {
    if (this.syncTimer !== null) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    if (this.client !== client || this.synced) return;
    this.synced = true;
    this.resent += this.opts.outbox.resendUnreceipted(Date.now(), 0);
    this.pump();
  }

  /** A payload on the receipt topic: acted on only when valid and new (receipt-check.ts); forged and replayed ones are counted. */
  private receive(client: MqttClient, payload: Buffer): void {
    const check = this.check;
    if (check === null) return;
    const verdict = check.check(payload);
    if (verdict === 'forged' || verdict === 'replayed') return;
    if (verdict === 'advance') {
      this.resendAfterMs = this.opts.receipts?.timeoutMs ?? RECEIPT_TIMEOUT_MS;
      try {
        this.opts.outbox.receipt(check.stored!);
      } catch (e) {
        this.fail(e);
      }
    }
    if (!this.synced) this.endSync(client);
    else this.pump();
  }

  /** What was PUBACKed but stays unreceipted past the timeout goes out again; the timeout doubles while that brings nothing. */
  private resendStale(): void {
    const client = this.client;
    if (client === null || !client.connected || !this.synced) return;
    const n = this.opts.outbox.resendUnreceipted(Date.now(), this.resendAfterMs);
    if (n === 0) return;
    this.resent += n;
    this.resendAfterMs = Math.min(this.resendAfterMs * 2, RECEIPT_TIMEOUT_MAX_MS);
    this.pump();
  }

  private pump(): void {
    const client = this.client;
    if (client === null || !client.connected || this.stopped || !this.synced) return;
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
          // With stored receipts a PUBACK only says the broker has it (DESIGN §4): the entry waits for its receipt.
          if (this.check !== null) this.opts.outbox.delivered(part, Date.now());
          else this.opts.outbox.ack(part);
        } catch (e) {
          this.fail(e);
        }
      }
      this.pump();
    });
  }
}
