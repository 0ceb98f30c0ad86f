/**
 * Device configs on PostgreSQL (service/device-config.ts is the SQLite side):
 * the retained config each device gets, `off` unless deployed for an open
 * case, a new version whenever that changes, every version kept in
 * device_config_history and entered in the evidence log as a `device-config`
 * leaf — the same bodies and leaves as SQLite (service/config-bodies.ts), so
 * the same deployments give the same configs, versions, rows and leaf bytes.
 *
 * A sweep is one query for what its devices should run now (deployed-now.ts),
 * compared in memory with what each was last sent; only when something changed,
 * one transaction for all the changed devices: the evidence log's append lock
 * first, then their device_configs rows read again (another process may have
 * published since this one's memory was read: the row decides, as on SQLite),
 * the leaves appended (appendInTransaction) and the rows written, all committed
 * together. The lock is the one every append takes anyway, held a few
 * statements longer; taken before the read, it serialises publishers across
 * processes so no version is given twice, even for a device with no row yet
 * (which no row lock could cover).
 */
import type { RemoteConfig } from '@earshot/shared';
import type pg from 'pg';
import { encodeLeaf } from '../../evidence/leaf.ts';
import { type ConfigBody, configBodies, deviceConfigLeaf, storedConfig } from '../../service/config-bodies.ts';
import type { Settings } from '../../service/settings.ts';
import { EARSHOT_LOCK_CLASS, LOCK } from './advisory-locks.ts';
import { deployedNow } from './deployed-now.ts';
import { appendInTransaction } from './evidence-log.ts';
import { inTransaction } from './transaction.ts';

export interface PgDeviceConfigsOptions {
  readonly settings: Settings;
  /** The clock of the leaves' appendedAt (on SQLite, the evidence log's). */
  readonly now?: () => number;
}

export interface PgDeviceConfigs {
  /**
   * For many devices at one moment: `publish` is called, in order, for each whose config changes (stored and logged
   * before the call). Resolves when every device has been looked at; rejects, publishing none, when the change could
   * not be committed.
   */
  sweep(deviceIds: readonly string[], nowMs: number, publish: (deviceId: string, config: RemoteConfig) => void): Promise<void>;
  /** The config last published to a device as this process knows it (to publish again after a broker restart). */
  current(deviceId: string): RemoteConfig | null;
}

interface StoredConfig {
  version: number;
  config: string;
}

const Q = {
  all: { name: 'earshot-device-configs-all', text: 'SELECT device, version, config FROM device_configs' },
  rows: { name: 'earshot-device-configs-rows', text: 'SELECT device, version, config FROM device_configs WHERE device = ANY($1::text[])' },
  put: {
    name: 'earshot-device-configs-put',
    text: `WITH h AS (INSERT INTO device_config_history (device, version, config, published_ms, leaf_index)
        SELECT u.device, u.version, u.config, $4::bigint, u.leaf_index FROM unnest($1::text[], $2::bigint[], $3::text[], $5::bigint[]) AS u (device, version, config, leaf_index)
        ON CONFLICT DO NOTHING)
      INSERT INTO device_configs (device, version, config, published_at)
        SELECT u.device, u.version, u.config, $4::bigint FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u (device, version, config)
      ON CONFLICT (device) DO UPDATE SET version = excluded.version, config = excluded.config, published_at = excluded.published_at`,
  },
} as const;

interface Change {
  readonly deviceId: string;
  readonly want: ConfigBody;
  readonly text: string;
  readonly caseRef: string | null;
}

export async function createPgDeviceConfigs(pool: pg.Pool, opts: PgDeviceConfigsOptions): Promise<PgDeviceConfigs> {
  const bodies = configBodies(opts.settings);
  const now = opts.now ?? Date.now;
  // What each device was last sent, as stored.
  const sent = new Map<string, StoredConfig>();
  for (const r of (await pool.query<StoredConfig & { device: string }>(Q.all)).rows) sent.set(r.device, { version: r.version, config: r.config });

  /** Stores and logs the changes, each at its row's next version; returns those published (a row may already say it). */
  async function commit(changes: readonly Change[], nowMs: number): Promise<(Change & { version: number })[]> {
    return inTransaction(pool, `BEGIN; SELECT pg_advisory_xact_lock(${EARSHOT_LOCK_CLASS}, ${LOCK.evidenceAppend})`, async (c) => {
      // After the lock, in READ COMMITTED: this statement sees every publish committed before it.
      const rows = new Map((await c.query<StoredConfig & { device: string }>({ ...Q.rows, values: [changes.map((x) => x.deviceId)] })).rows.map((r) => [r.device, r]));
      const out: (Change & { version: number })[] = [];
      for (const x of changes) {
        const last = rows.get(x.deviceId);
        if (last !== undefined && last.config === x.text) {
          sent.set(x.deviceId, { version: last.version, config: last.config });
          continue;
        }
        out.push({ ...x, version: (last?.version ?? 0) + 1 });
      }
      if (out.length > 0) {
        const appendedAt = new Date(now()).toISOString();
        const appended = await appendInTransaction(c, out.map((x) => ({ leaf: encodeLeaf(deviceConfigLeaf(x.deviceId, x.version, x.want, nowMs, x.caseRef)), appendedAt })));
        await c.query({
          ...Q.put,
          values: [out.map((x) => x.deviceId), out.map((x) => x.version), out.map((x) => x.text), nowMs, appended.map((a) => a.leafIndex)],
        });
      }
      return out;
    });
  }

  return {
    async sweep(deviceIds, nowMs, publish) {
      const deployed = await deployedNow(pool, nowMs, deviceIds);
      const changes = new Map<string, Change>(); // a device named twice changes once, as on SQLite
      for (const deviceId of deviceIds) {
        const d = deployed.get(deviceId);
        const { want, text } = bodies.get(d?.audioMode ?? 'off')!;
        if (sent.get(deviceId)?.config !== text && !changes.has(deviceId)) changes.set(deviceId, { deviceId, want, text, caseRef: d?.caseRef ?? null });
      }
      if (changes.size === 0) return;
      const published = await commit([...changes.values()], nowMs);
      for (const x of published) sent.set(x.deviceId, { version: x.version, config: x.text });
      for (const x of published) publish(x.deviceId, { version: x.version, ...x.want });
    },
    current(deviceId) {
      const last = sent.get(deviceId);
      return last === undefined ? null : storedConfig(last.version, last.config);
    },
  };
}
