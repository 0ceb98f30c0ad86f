/**
 * A real aedes broker on 127.0.0.1 for uplink tests. It records every publish
 * from a client in authorizePublish, i.e. before aedes sends the PUBACK — as
 * the ingest stores before it acknowledges (DESIGN §4) — so "recorded" is a
 * superset of "acknowledged". stop() kills it abruptly (sockets destroyed, no
 * DISCONNECT), as a crash or a pulled cable would; start() again reuses the port.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AedesOptions } from 'aedes';

export interface Received {
  readonly topic: string;
  readonly payload: Buffer;
}

export interface ConnectSeen {
  readonly clientId: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly clean: boolean;
  readonly protocolVersion: number;
  /** Date.now() when the CONNECT arrived. */
  readonly at: number;
}

export class TestBroker {
  readonly received: Received[] = [];
  readonly connects: ConnectSeen[] = [];
  port = 0;
  /**
   * While true every publish is refused unstored: aedes closes the connection
   * without a PUBACK, as the ingest does when it cannot store (its disk full).
   */
  refusing = false;
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  /**
   * `secret`: when given, a CONNECT with another password is refused.
   * `storeDelayMs`: each publish is recorded ("stored") and acknowledged only
   * after this delay; a publish pending when the broker is killed is lost on
   * the broker's side, so only the device's retry can deliver it.
   */
  constructor(
    private readonly secret?: string,
    private readonly storeDelayMs = 0,
    /** Serve MQTT over TLS with this key and certificate (PEM). */
    private readonly tls?: { readonly key: string; readonly cert: string },
  ) {}

  async start(): Promise<void> {
    const opts: AedesOptions = {
      preConnect: (client, packet, done) => {
        this.connects.push({
          clientId: packet.clientId, username: packet.username, password: packet.password?.toString(),
          clean: packet.clean ?? true, protocolVersion: packet.protocolVersion ?? 0, at: Date.now(),
        });
        done(null, true);
      },
      authenticate: (_client, _username, password, done) => done(null, this.secret === undefined || password?.toString() === this.secret),
      authorizePublish: (client, packet, done) => {
        if (client === null) return done(null);
        if (this.refusing) return done(new Error('not stored'));
        const store = (): void => {
          if (this.broker !== broker) return; // killed meanwhile: never stored, never acknowledged
          this.received.push({ topic: packet.topic, payload: Buffer.from(packet.payload) });
          done(null);
        };
        if (this.storeDelayMs > 0) setTimeout(store, this.storeDelayMs);
        else store();
      },
    };
    const broker = await Aedes.createBroker(opts); // the hooks above run only once it is assigned
    const onSocket = (socket: Socket): void => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      broker.handle(socket);
    };
    const server = this.tls === undefined ? createServer(onSocket) : createTlsServer({ key: this.tls.key, cert: this.tls.cert }, onSocket);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.broker = broker;
    this.server = server;
  }

  get url(): string {
    return `${this.tls === undefined ? 'mqtt' : 'mqtts'}://127.0.0.1:${this.port}`;
  }

  /** Publishes a retained message from the broker side (as the ingest publishes config). */
  publishRetained(topic: string, payload: Buffer): Promise<void> {
    const broker = this.broker!;
    return new Promise((resolve, reject) =>
      broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain: true, dup: false }, (err) => (err ? reject(err) : resolve())),
    );
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const broker = this.broker;
    const server = this.server;
    this.broker = null;
    this.server = null;
    if (broker !== null) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
