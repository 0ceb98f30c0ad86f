/**
 * The embedded broker (issue 4): aedes in-process on a TCP server, TLS when a
 * certificate and key are given, every connection behind the packet size guard.
 */
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import { topics } from '@earshot/shared';
import type { Logger } from 'pino';
import { CHANGE_LAG_MS, type DeviceRegistry } from '../devices/registry.ts';
import { createAuthenticate } from './authenticate.ts';
import { createAuthorizePublish } from './authorize-publish.ts';
import { createAuthorizeSubscribe } from './authorize-subscribe.ts';
import { addressKey, ConnectionGate, FAILURE_BUDGETS, type FailureBudgets, PRE_AUTH_LIMITS, type PreAuthLimits } from './connection-gate.ts';
import { GuardedConnection } from './frame-guard.ts';
import { type BatchPipeline, GroupCommit } from './group-commit.ts';
import { type BucketOptions, DEFAULT_RATE } from './rate-limit.ts';
import { indexRetained } from './retained-index.ts';

/** Above the largest message (pipeline DEFAULT_MAX_PAYLOAD_BYTES, 1 MiB chunks): bigger messages up to here are quarantined, beyond it the connection is cut. */
export const DEFAULT_MAX_PACKET_BYTES = 4 * 1024 * 1024;
/** listen(2) backlog of the MQTT port (Linux's default net.core.somaxconn is 4096 since 5.4). */
export const ACCEPT_BACKLOG = 4_096;
/** How often the broker looks for devices disabled by another process (earshot device disable). */
export const DISABLE_POLL_MS = 1_000;

export interface BrokerOptions {
  registry: DeviceRegistry;
  pipeline: BatchPipeline;
  logger: Logger;
  host?: string;
  port?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  maxPacketBytes?: number;
  rate?: BucketOptions;
  disablePollMs?: number;
  /** What an unauthenticated connection may cost (issue 11); PRE_AUTH_LIMITS by default. */
  preAuth?: Partial<PreAuthLimits>;
  /** Failed-CONNECT budgets; FAILURE_BUDGETS by default. */
  budget?: FailureBudgets;
}

export interface RunningBroker {
  readonly port: number;
  readonly aedes: Aedes;
  /** Closes a device's open connection at once; true when one was open. */
  cutOff(deviceId: string): boolean;
  /** Publishes a device's retained config (DESIGN §4: ingest → device). */
  publishConfig(deviceId: string, config: Buffer): Promise<void>;
  close(): Promise<void>;
}

interface ClientTable {
  clients: Record<string, Client | undefined>;
}

type Route = (packet: PublishPacket, client: Client | null | undefined | ((err?: Error) => void), done?: (err?: Error) => void) => void;

/**
 * A device's PUBLISH is stored by the pipeline before its PUBACK (authorize-publish.ts), and no client may
 * subscribe to another's topics (authorize-subscribe.ts), so routing it afterwards, as aedes does with every
 * publish once acknowledged (aedes lib/handlers/publish.js enqueuePublish → aedes.js publish: the retained
 * store, the offline queues, the emitter), reaches no one: a few topic matches per message for nothing
 * (issue 19). Only what has no client — the ingest's own configs and receipts, aedes' $SYS messages — is routed.
 */
function routeOnlyTheIngests(aedes: Aedes): void {
  const broker = aedes as unknown as { publish: Route };
  const route = broker.publish.bind(aedes);
  broker.publish = (packet, client, done) => {
    if (client !== null && typeof client === 'object') return done?.();
    route(packet, client, done);
  };
}

export async function startBroker(opts: BrokerOptions): Promise<RunningBroker> {
  const { logger, registry } = opts;
  const commit = new GroupCommit(opts.pipeline, logger);
  const publish = createAuthorizePublish(commit, opts.rate ?? DEFAULT_RATE, logger);
  const preAuth: PreAuthLimits = { ...PRE_AUTH_LIMITS, ...opts.preAuth };
  const gate = new ConnectionGate(preAuth, opts.budget ?? FAILURE_BUDGETS);
  const aedes = await Aedes.createBroker({
    authenticate: createAuthenticate(registry, logger, gate),
    // aedes' own wait for the CONNECT packet; the guard's deadline also covers its check.
    connectTimeout: preAuth.deadlineMs,
    authorizePublish: publish.handler,
    authorizeSubscribe: createAuthorizeSubscribe(logger),
    // DESIGN §4 defines no will messages: a device's will is dropped at CONNECT, so nothing unsigned is published for it.
    preConnect: (_client, packet, done) => {
      delete packet.will;
      done(null, true);
    },
  });
  // One retained config per device: a SUBSCRIBE looks its topic up instead of matching every one (issue 19: readmission).
  indexRetained((aedes as unknown as { persistence: unknown }).persistence);
  routeOnlyTheIngests(aedes);
  aedes.on('clientError', (client, err) => logger.warn({ clientId: client.id, err: err.message }, 'client error'));
  aedes.on('connectionError', (client, err) => logger.warn({ clientId: client.id, err: err.message }, 'connection error'));
  // A device's rate bucket outlives its connection: reconnecting must not buy a fresh burst.

  const cutOff = (deviceId: string): boolean => {
    const client = (aedes as unknown as ClientTable).clients[deviceId];
    if (client === undefined) return false;
    logger.warn({ clientId: deviceId, code: 'EARSHOT_E_DEVICE_DISABLED' }, 'device disabled: connection closed');
    client.close();
    return true;
  };
  registry.onDisable(cutOff);
  let lastPoll = Date.now();
  const poll = setInterval(() => {
    const now = Date.now();
    // Overlap: a change is stamped before its write waits for the lock (CHANGE_LAG_MS); cutting an absent client is nothing.
    for (const id of registry.disabledSince(lastPoll - CHANGE_LAG_MS)) cutOff(id);
    lastPoll = now;
  }, opts.disablePollMs ?? DISABLE_POLL_MS);
  poll.unref();

  const maxPacket = opts.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  // Refusals at accept are logged once a second at most, with a count: a flood must not flood the log.
  let refusedSince = 0;
  let lastRefusalLog = 0;
  const refusedAtAccept = (remote: string, why: string): void => {
    refusedSince++;
    const now = Date.now();
    if (now - lastRefusalLog < 1_000) return;
    const code = why === 'backed-off' ? 'EARSHOT_E_CONNECT_THROTTLED' : 'EARSHOT_E_CONNECTIONS_FULL';
    logger.warn({ remote, why, refused: refusedSince, unauthenticated: gate.unauthenticated, code }, 'connections refused at accept');
    refusedSince = 0;
    lastRefusalLog = now;
  };
  const accept = (socket: Socket): void => {
    const remote = addressKey(socket.remoteAddress);
    const admitted = gate.admit(remote, Date.now());
    if (admitted !== 'ok') {
      refusedAtAccept(remote, admitted);
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    aedes.handle(new GuardedConnection(socket, {
      maxPacketBytes: maxPacket,
      preAuthMaxBytes: preAuth.maxConnectBytes,
      deadlineMs: preAuth.deadlineMs,
      onTooLarge: (size, authenticated) => {
        const limit = authenticated ? maxPacket : preAuth.maxConnectBytes;
        logger.warn({ remote, size, limit, authenticated, code: 'EARSHOT_E_PACKET_TOO_LARGE' }, 'packet over the size limit: connection closed');
      },
      onDeadline: () => logger.debug({ remote, deadlineMs: preAuth.deadlineMs, code: 'EARSHOT_E_CONNECT_DEADLINE' }, 'not authenticated in time: connection closed'),
      onSettled: () => gate.release(remote),
    }, remote));
  };
  const server: Server = opts.tls === undefined
    ? createTcpServer(accept)
    // The TLS handshake is work before authentication too: bounded by the same deadline, and refused for a backed-off address.
    : createTlsServer({ cert: opts.tls.cert, key: opts.tls.key, handshakeTimeout: preAuth.deadlineMs }, accept);
  if (opts.tls !== undefined) {
    server.on('connection', (raw: Socket) => {
      if (gate.backedOff(addressKey(raw.remoteAddress), Date.now())) raw.destroy();
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: under a CONNECT flood, refused connections arrive thousands a second, and a full queue
    // drops a good monitor's SYN, which it then resends only after a second (RFC 6298 §2: initial RTO 1 s).
    // The kernel caps it at net.core.somaxconn.
    server.listen({ port: opts.port ?? 1883, host: opts.host ?? '127.0.0.1', backlog: ACCEPT_BACKLOG }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, tls: opts.tls !== undefined }, 'broker listening');

  return {
    port,
    aedes,
    cutOff,
    publishConfig: (deviceId, config) => new Promise((resolve, reject) => {
      aedes.publish({ cmd: 'publish', topic: topics.config(deviceId), payload: config, qos: 1, retain: true, dup: false }, (err) => (err ? reject(err) : resolve()));
    }),
    close: async () => {
      clearInterval(poll);
      commit.flush();
      await commit.settled();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
