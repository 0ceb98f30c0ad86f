/**
 * The device accounts of an external mosquitto broker as one `earshot device`
 * command reaches them (device-accounts.ts says why the command does it
 * itself): a short-lived connection as the ingest account, with a client id of
 * its own (clean session, so it takes over no consumer's session).
 */
import { randomBytes } from 'node:crypto';
import { EarshotError } from '@earshot/shared';
import mqtt from 'mqtt';
import { AccountControl, CONTROL_TIMEOUT_MS } from './account-control.ts';
import { type DeviceAccounts, mosquittoDeviceAccounts } from './device-accounts.ts';
import type { BrokerTarget } from './target.ts';

export interface OpenAccounts {
  readonly accounts: DeviceAccounts;
  close(): Promise<void>;
}

/** CONNACK return codes 4 and 5 [MQTT-3.2.2-3]: the account, not the network. */
const REFUSED_CODES = new Set([4, 5]);

export async function openDeviceAccounts(target: BrokerTarget): Promise<OpenAccounts> {
  let client: mqtt.MqttClient;
  try {
    client = await mqtt.connectAsync(target.url, {
      protocolVersion: 4,
      clientId: `earshot-accounts-${randomBytes(6).toString('hex')}`,
      username: target.username,
      password: target.password,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: CONTROL_TIMEOUT_MS,
    }, false); // false: a close before the CONNACK (a timeout) rejects too
  } catch (e) {
    const code = (e as { code?: number }).code;
    if (typeof code === 'number' && REFUSED_CODES.has(code)) {
      throw new EarshotError('EARSHOT_E_BROKER_REFUSED', `${target.url} as ${target.username}: CONNACK ${code} (check the account file)`);
    }
    throw new EarshotError('EARSHOT_E_BROKER_UNREACHABLE', `${target.url}: ${(e as Error).message}`);
  }
  const control = new AccountControl(client);
  try {
    await control.subscribe();
  } catch (e) {
    await client.endAsync(true);
    throw e;
  }
  return {
    accounts: mosquittoDeviceAccounts(control, target.username),
    close: async () => {
      control.close();
      await client.endAsync();
    },
  };
}
