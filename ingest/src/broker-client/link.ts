/**
 * What `earshot serve` needs of its broker, embedded (aedes, broker/server.ts)
 * or external (this folder): publish retained configs and receipts, say whether
 * it is ready, close. The pipeline is fed by the broker itself.
 */
import type { RunningBroker } from '../broker/server.ts';
import type { DeviceAccounts } from './device-accounts.ts';
import type { ReceiptPublish } from '../receipts/index.ts';

export interface BrokerLink {
  /** The role this process holds towards the monitors, for its logs and /readyz. */
  readonly role: 'embedded-broker' | 'broker-consumer';
  /** Publishes a device's retained config (DESIGN §4: ingest → device). */
  publishConfig(deviceId: string, config: Buffer): Promise<void>;
  /** Publishes a retained QoS 1 stored receipt (receipts/receipts.ts). */
  readonly publishReceipt: ReceiptPublish;
  /** Embedded: listening. External: connected with the shared subscription granted. */
  ready(): boolean;
  /** An external mosquitto's device accounts, when Earshot keeps them (device-accounts.ts); else absent. */
  readonly accounts?: DeviceAccounts;
  close(): Promise<void>;
}

/** The embedded broker seen through the same link. */
export function embeddedLink(broker: RunningBroker, onPublishError: (topic: string, err: Error) => void): BrokerLink {
  let open = true;
  return {
    role: 'embedded-broker',
    publishConfig: (deviceId, config) => broker.publishConfig(deviceId, config),
    publishReceipt: (topic, payload) => broker.aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain: true, dup: false }, (err) => {
      if (err) onPublishError(topic, err);
    }),
    ready: () => open,
    close: async () => {
      open = false;
      await broker.close();
    },
  };
}
