/**
 * The ingest's connection to an external broker (DESIGN §8): mqtt.js, MQTT
 * 3.1.1, a persistent session (clean session 0 [MQTT-3.1.2-4]) under a client
 * id that stays the same across restarts, the shared subscription
 * `$share/earshot-ingest/earshot/v1/+/#` at QoS 1.
 *
 * Acknowledged means stored (DESIGN §4): mqtt.js calls `handleMessage(packet,
 * callback)` for each PUBLISH and writes the QoS 1 PUBACK only when it is called
 * back (node_modules/mqtt/build/lib/handlers/publish.js, mqtt 5.16; the README's
 * "handleMessage … backpressure"); here it is called back once the message's
 * transaction has committed. (Its `customHandleAcks` option is honoured for
 * MQTT 5 connections only — client.js replaces it with an immediate PUBACK for
 * 3.1.1 — so it is not used.) mqtt.js reads the next packet only after that
 * callback, so one connection holds one message at a time; the broker keeps the
 * others in flight or queued for the session.
 *
 * What is not acknowledged is the broker's to send again: after a crash of this
 * process (SIGKILL included) the broker resends the session's unacknowledged
 * messages when the same client id reconnects [MQTT-4.4.0-1]; a message whose
 * commit failed (the disk full) closes the connection, so that it comes again
 * after a backoff. An answer that arrives after its connection has gone is
 * dropped: written on a later connection it could acknowledge another message
 * under the same packet id.
 *
 * Reconnects: mqtt.js's own timer, its period set on each close from the
 * jittered schedule of backoff.ts (as the monitors do: firmware/src/uplink/).
 */
import { connect, type IClientOptions, type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import type { Logger } from 'pino';
import { SHARED_FILTER } from '../broker-config/mosquitto.ts';
import { BROKER_BACKOFF, type BackoffOptions, backoffDelay } from './backoff.ts';
import type { BrokerTarget } from './target.ts';

/** Seconds between PINGREQs when idle; the broker drops the session's connection after 1.5 × this [MQTT-3.1.2-24]. */
export const KEEPALIVE_SECONDS = 30;

/** How long close waits for the broker to acknowledge what is being published before it cuts the connection. */
export const CLOSE_WAIT_MS = 3_000;

/** `stored` false: nothing was stored, the message must not be acknowledged. */
export type Ack = (stored: boolean) => void;
export type OnMessage = (topic: string, payload: Buffer, ack: Ack) => void;

export interface BrokerConnectionOptions {
  readonly target: BrokerTarget;
  readonly clientId: string;
  readonly logger: Logger;
  readonly onMessage: OnMessage;
  /** Extra subscriptions made on every connection (e.g. the account control's answers). */
  readonly onSession?: (client: MqttClient) => Promise<void>;
  readonly backoff?: BackoffOptions;
}

export class BrokerConnection {
  readonly client: MqttClient;
  private subscribed = false;
  private failures = 0;
  /** Messages not stored in a row: their reconnects back off too, so a full disk is not asked again at once. */
  private refusals = 0;
  /** Set at a CONNACK; an outage is logged once, at its start. */
  private up = false;
  private lost = 0;
  private closing = false;

  constructor(private readonly o: BrokerConnectionOptions) {
    const backoff = o.backoff ?? BROKER_BACKOFF;
    const opts: IClientOptions = {
      protocolVersion: 4,
      clientId: o.clientId,
      username: o.target.username,
      password: o.target.password,
      clean: false,
      keepalive: KEEPALIVE_SECONDS,
      reconnectPeriod: backoffDelay(0, backoff),
      connectTimeout: 10_000,
      resubscribe: false,
      reconnectOnConnackError: true,
      // Nothing of QoS 0 is worth holding for a later connection.
      queueQoSZero: false,
    };
    const client = connect(o.target.url, opts);
    this.client = client;
    // Before the first packet can arrive (the socket connects on a later turn).
    client.handleMessage = (packet, callback) => this.handle(packet, callback);
    client.on('packetreceive', (packet: Packet) => {
      if (packet.cmd !== 'connack') return;
      if (packet.returnCode === 0) {
        this.failures = 0;
        if (!this.up) o.logger.info({ broker: o.target.url, clientId: o.clientId, sessionPresent: packet.sessionPresent, outageMs: this.lost === 0 ? 0 : Date.now() - this.lost }, 'connected to the broker');
        this.up = true;
        this.lost = 0;
      } else {
        o.logger.error({ broker: o.target.url, clientId: o.clientId, username: o.target.username, returnCode: packet.returnCode, code: 'EARSHOT_E_BROKER_REFUSED' }, 'the broker refused the ingest account (check the account file); retrying');
      }
    });
    client.prependListener('close', () => {
      this.subscribed = false;
      if (this.up && !this.closing) {
        this.up = false;
        this.lost = Date.now();
        o.logger.warn({ broker: o.target.url, clientId: o.clientId, code: 'EARSHOT_E_BROKER_UNREACHABLE' }, 'broker connection lost; reconnecting (unacknowledged messages come again)');
      }
      client.options.reconnectPeriod = backoffDelay(this.failures++ + this.refusals, backoff);
    });
    client.on('error', (e) => o.logger.debug({ broker: o.target.url, clientId: o.clientId, err: e.message }, 'broker connection error'));
    client.on('connect', () => void this.subscribe());
  }

  /** Connected, and the broker granted the shared subscription. */
  ready(): boolean {
    return this.client.connected && this.subscribed;
  }

  private async subscribe(): Promise<void> {
    const { client, o } = this;
    try {
      const granted = await client.subscribeAsync(SHARED_FILTER, { qos: 1 });
      if (granted[0]?.qos !== 1) {
        o.logger.error({ filter: SHARED_FILTER, granted: granted[0]?.qos, code: 'EARSHOT_E_BROKER_REFUSED' }, 'the broker refused the shared subscription at QoS 1');
        return;
      }
      await o.onSession?.(client);
      this.subscribed = true;
    } catch (e) {
      o.logger.warn({ filter: SHARED_FILTER, err: (e as Error).message }, 'subscribing failed; tried again at the next connection');
    }
  }

  /**
   * mqtt.js's hook: `callback()` writes the PUBACK (QoS 1) and reads the next packet. On a connection that is
   * gone, or being dropped, it is not called: the packets read behind this one belong to that connection, and
   * the next connection has a reader of its own (client.js connect(): a new parser and packet queue per stream).
   */
  private handle(packet: IPublishPacket, callback: (error?: Error) => void): void {
    const { client } = this;
    const stream = client.stream;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    this.o.onMessage(packet.topic, payload, (stored) => {
      // Written on a later connection, this PUBACK could acknowledge another message under the same packet id.
      if (client.stream !== stream || !client.connected) return;
      if (stored) {
        this.refusals = 0;
        return callback();
      }
      this.refusals++;
      // Not stored: no PUBACK. Dropping the connection makes the broker send it again after a reconnect [MQTT-4.4.0-1].
      this.o.logger.warn({ topic: packet.topic, qos: packet.qos, clientId: this.o.clientId }, 'message not stored: not acknowledged; reconnecting so that the broker sends it again');
      stream.destroy();
    });
  }

  /** Publishes one retained QoS 1 message (a config or receipt); mqtt.js holds it while disconnected. */
  publishRetained(topic: string, payload: Buffer): void {
    // After close: a receipt is sent again at each device's first commit after the next start (receipts/receipts.ts).
    if (this.closing) return;
    this.client.publish(topic, payload, { qos: 1, retain: true }, (err) => {
      if (err) this.o.logger.warn({ topic, err: err.message }, 'retained message not published');
    });
  }

  /**
   * DISCONNECT once what is being published is acknowledged (at most CLOSE_WAIT_MS); the session, and
   * whatever it holds unacknowledged, stays at the broker for the next start.
   */
  async close(): Promise<void> {
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), CLOSE_WAIT_MS);
    });
    const r = await Promise.race([this.client.endAsync(), late]);
    clearTimeout(timer);
    if (r === 'late') await this.client.endAsync(true);
  }
}
