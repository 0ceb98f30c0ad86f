/**
 * External broker mode (DESIGN §8): no embedded broker; `earshot serve`
 * consumes the device topics from the broker and stores them through the same
 * pipeline and group commit as the embedded broker (broker/group-commit.ts:
 * what arrives together commits together, in arrival order, and each message
 * is acknowledged only after its commit). Configs and receipts go out through
 * the broker, retained. With a mosquitto broker whose accounts Earshot keeps
 * (the account file says "mosquitto-dynamic-security"), device accounts follow
 * the registry (account-sync.ts).
 */
import type { Logger } from 'pino';
import { topics } from '@earshot/shared';
import { type BatchPipeline, GroupCommit } from '../broker/group-commit.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import { AccountControl } from './account-control.ts';
import { startAccountSync } from './account-sync.ts';
import { BrokerConnection, type OnMessage } from './connection.ts';
import { type DeviceAccounts, mosquittoDeviceAccounts } from './device-accounts.ts';
import type { BrokerLink } from './link.ts';
import type { BrokerTarget } from './target.ts';
import { INGEST_TOPIC, senderOf } from './topic-sender.ts';

export interface BrokerClientOptions {
  readonly target: BrokerTarget;
  readonly pipeline: BatchPipeline;
  readonly registry: DeviceRegistry;
  readonly logger: Logger;
  readonly accountPollMs?: number;
}

/** The client id (and so the broker session) of connection k: the configured id, then `<id>-2`, `<id>-3`… */
export function sessionId(clientId: string, k: number): string {
  return k === 0 ? clientId : `${clientId}-${k + 1}`;
}

export function startBrokerClient(o: BrokerClientOptions): BrokerLink {
  const { target, logger } = o;
  const commit = new GroupCommit(o.pipeline, logger);
  const onMessage: OnMessage = (topic, payload, ack) => {
    // $CONTROL/… answers are read by the account control on mqtt.js's 'message' event.
    if (topic.charCodeAt(0) === 0x24 /* $ */) return ack(true);
    const sender = senderOf(topic);
    if (sender === INGEST_TOPIC) return ack(true);
    commit.push({ topic, payload, clientId: sender, receivedAt: Date.now() }, (outcome) => ack(outcome !== null));
  };
  let control: AccountControl | null = null;
  // Each connection holds one message at a time (connection.ts); several let a batch commit together.
  const conns = Array.from({ length: target.connections }, (_, k) => new BrokerConnection({
    target,
    clientId: sessionId(target.clientId, k),
    logger,
    onMessage,
    ...(k === 0 ? { onSession: async () => { await control?.subscribe(); } } : {}),
  }));
  const conn = conns[0]!;
  const ready = (): boolean => conns.every((c) => c.ready());
  let sync: { stop(): void } | null = null;
  let accounts: DeviceAccounts | null = null;
  if (target.accounts === 'mosquitto-dynamic-security') {
    control = new AccountControl(conn.client);
    accounts = mosquittoDeviceAccounts(control, target.username);
    sync = startAccountSync({
      registry: o.registry,
      accounts,
      logger,
      connected: () => conn.ready(),
      ...(o.accountPollMs === undefined ? {} : { pollMs: o.accountPollMs }),
    });
  }
  logger.info({ broker: target.url, clientIds: conns.map((_, k) => sessionId(target.clientId, k)), accounts: target.accounts }, 'external broker mode: no embedded broker; consuming the device topics through the shared subscription');

  let closed = false;
  return {
    role: 'broker-consumer',
    // Queued by mqtt.js while disconnected and sent in order on the next connection; the start-up republish makes good a lost one.
    publishConfig: async (deviceId, config) => conn.publishRetained(topics.config(deviceId), config),
    publishReceipt: (topic, payload) => conn.publishRetained(topic, payload),
    ready: () => !closed && ready(),
    ...(accounts === null ? {} : { accounts }),
    close: async () => {
      closed = true;
      sync?.stop();
      // What is ready is committed and acknowledged now; the rest stays unacknowledged at the broker for the next start.
      commit.flush();
      await commit.settled();
      control?.close();
      await Promise.all(conns.map((c) => c.close()));
    },
  };
}
