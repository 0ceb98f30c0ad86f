/**
 * What the browser's device administration changes (issue 12) on either store: a device added (its secret
 * shown once), disabled or enabled. Reads — the list, one device — are the registry's, answered from memory.
 *
 * - SQLite (`registryAdmin`): the embedded registry, synchronously; an external broker's account is made by
 *   the registry's onAdd listener (broker-client/account-sync.ts), since the secret exists only here and now.
 * - PostgreSQL (storage/postgres/device-admin.ts `postgresDeviceAdmin`): the row written in the store, the
 *   broker account made in the same request, and the answer given once this process's registry holds the
 *   change, so the next list shows it.
 */
import type { DeviceRegistry, Provisioned } from '../devices/registry.ts';

export interface DeviceAdmin {
  add(id: string, now: number): Promise<Provisioned>;
  setEnabled(id: string, enabled: boolean, now: number): Promise<void>;
}

export function registryAdmin(registry: DeviceRegistry): DeviceAdmin {
  return {
    add: async (id, now) => registry.add(id, { now }),
    async setEnabled(id, enabled, now) {
      if (enabled) registry.enable(id, now);
      else registry.disable(id, now);
    },
  };
}
