/**
 * Device accounts on a mosquitto broker with the dynamic-security plugin
 * (DESIGN §8: `device add`, `device disable` and `device enable` take effect
 * there within 5 s), sent over AccountControl.
 *
 * Who sends what, and why:
 * - add: the process that adds the device, at once — the secret exists in
 *   plaintext only there and then (the registry keeps only its keyed hash,
 *   devices/secret.ts), and the plugin's createClient takes the plaintext. The
 *   CLI checks the broker answers before it registers the device, and takes the
 *   device back out if the broker then refuses the account; a device added in
 *   the browser is made by the running `earshot serve` (DeviceRegistry.onAdd).
 * - disable / enable: the registry is the record. The CLI applies the change
 *   itself (so it holds with no `earshot serve` running), and every running
 *   `earshot serve` applies each change it sees in the registry within a second
 *   (DeviceRegistry.changedSince) — a change made in the browser, or one the CLI
 *   could not deliver. The commands are idempotent, so both doing it is harmless.
 * mosquitto disconnects a client whose account is disabled (the plugin kicks it).
 */
import { EarshotError } from '@earshot/shared';
import { createDeviceCommand, deviceRole, disableDeviceCommand, enableDeviceCommand } from '../broker-config/mosquitto.ts';
import type { AccountControl, DynsecAnswer } from './account-control.ts';

/** The plugin's answer when a role of that name is already there (mosquitto 2.0 src/plugins/dynamic-security/roles.c). */
const ROLE_EXISTS = 'Role already exists';

export interface DeviceAccounts {
  /** Refuses an id that would collide with the ingest's own account, before anything is changed. */
  checkId(deviceId: string): void;
  /** Makes the device's account and role; throws EARSHOT_E_BROKER_ACCOUNTS_FAILED with the broker's answer. */
  add(deviceId: string, secret: string): Promise<void>;
  /** Enables or disables the device's account; throws EARSHOT_E_BROKER_ACCOUNTS_FAILED with the broker's answer. */
  setEnabled(deviceId: string, enabled: boolean): Promise<void>;
}

function failures(answers: readonly DynsecAnswer[], tolerated: (a: DynsecAnswer) => boolean): string[] {
  return answers.filter((a) => a.error !== undefined && !tolerated(a)).map((a) => `${a.command}: ${a.error}`);
}

export function mosquittoDeviceAccounts(control: AccountControl, ingestUsername: string): DeviceAccounts {
  return {
    checkId(deviceId) {
      // The ingest's account, or a device role named like the ingest's (broker-config/mosquitto.ts), would be taken over.
      if (deviceId === ingestUsername || deviceRole(deviceId) === ingestUsername) {
        throw new EarshotError('EARSHOT_E_DEVICE_ID_INVALID', `${deviceId} is the ingest's own broker account`);
      }
    },
    async add(deviceId, secret) {
      this.checkId(deviceId);
      const answers = await control.run(createDeviceCommand(deviceId, secret).commands);
      // A role left by an earlier account of this id has the same rights (they depend on the id only).
      const bad = failures(answers, (a) => a.command === 'createRole' && a.error === ROLE_EXISTS);
      if (bad.length > 0) throw new EarshotError('EARSHOT_E_BROKER_ACCOUNTS_FAILED', `${deviceId}: ${bad.join('; ')}`);
    },
    async setEnabled(deviceId, enabled) {
      const answers = await control.run((enabled ? enableDeviceCommand(deviceId) : disableDeviceCommand(deviceId)).commands);
      const bad = failures(answers, () => false);
      if (bad.length > 0) throw new EarshotError('EARSHOT_E_BROKER_ACCOUNTS_FAILED', `${deviceId}: ${bad.join('; ')}`);
    },
  };
}
