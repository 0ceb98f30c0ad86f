/**
 * How `earshot device` reaches the registry on the store EARSHOT_STORE_URL
 * names (DESIGN §8): the SQLite file through the service (with-ingest.ts), or
 * PostgreSQL (storage/postgres/device-admin.ts), opened and closed around the
 * command. Both say the same and refuse alike.
 *
 * The server key that signs receipts stays in DATA_DIR/keys (DESIGN §7, never
 * in the database); `device add` hands its public key to the monitor. On
 * PostgreSQL no SQLite file is made, and the key is the store's
 * (storage/postgres/server-key-for-store.ts: made only for a new installation).
 */
import { resolveDataDir } from '../data-dir.ts';
import type { DeviceInfo, Provisioned } from '../devices/registry.ts';
import { openPostgres } from '../storage/postgres/connect.ts';
import { addDevice, listDevices, setDeviceEnabled, undoAddDevice } from '../storage/postgres/device-admin.ts';
import { serverKeyForStore } from '../storage/postgres/server-key-for-store.ts';
import { storeFromEnv } from '../storage/store-url.ts';
import { withIngest } from './with-ingest.ts';

export interface DeviceStore {
  /** The server's public key for the provisioning details; asked before anything is added. */
  serverPublicKeyPem(): Promise<string>;
  add(id: string, opts: { publicKeyPem?: string }): Promise<Provisioned & { createdAt: number }>;
  undoAdd(id: string, createdAt: number): Promise<boolean>;
  list(): Promise<DeviceInfo[]>;
  setEnabled(id: string, enabled: boolean): Promise<void>;
}

/** Runs f on the device registry of the store EARSHOT_STORE_URL names, closing it whatever happens. */
export async function withDevices<T>(dataDir: string | undefined, f: (d: DeviceStore) => Promise<T>): Promise<T> {
  const target = storeFromEnv();
  if (target.kind === 'postgres') {
    const pool = await openPostgres(target);
    try {
      return await f({
        serverPublicKeyPem: async () => (await serverKeyForStore(pool, target, resolveDataDir(dataDir))).publicKeyPem,
        add: (id, opts) => addDevice(pool, id, opts),
        undoAdd: (id, createdAt) => undoAddDevice(pool, id, createdAt),
        list: () => listDevices(pool),
        setEnabled: (id, enabled) => setDeviceEnabled(pool, id, enabled),
      });
    } finally {
      await pool.end();
    }
  }
  return withIngest(dataDir, (ingest) => f({
    serverPublicKeyPem: async () => ingest.serverKey.publicKeyPem,
    add: async (id, opts) => {
      const p = ingest.registry.add(id, opts);
      return { ...p, createdAt: ingest.registry.get(id)!.createdAt };
    },
    undoAdd: async (id, createdAt) => ingest.registry.undoAdd(id, createdAt),
    list: async () => ingest.registry.list(),
    setEnabled: async (id, enabled) => (enabled ? ingest.registry.enable(id) : ingest.registry.disable(id)),
  }));
}
