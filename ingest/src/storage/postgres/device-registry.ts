/**
 * The device registry on PostgreSQL (DESIGN §8), for `earshot serve`: the
 * broker asks it at every CONNECT and the pipeline for every message, so every
 * read is answered synchronously from memory — a mirror of the `devices` table,
 * loaded at open and kept fresh by LISTEN on a connection of its own (not one
 * of the pool's: a LISTEN holds its session for as long as it lives).
 *
 * - Each change to a row is announced with its id (schema/devices-notify.ts);
 *   the row is read again on receipt, the ids that arrive together in one
 *   query. Notifications are delivered after COMMIT in commit order, so the
 *   re-read sees the change.
 * - A lost listening connection loses the notifications sent meanwhile: the
 *   registry reconnects with backoff, LISTENs, and only then reads every row
 *   again, so nothing committed while it was away is missed. Until then reads
 *   answer from the mirror as it was.
 * - refresh() sends a marker on a channel of this registry's own through the
 *   listening connection: it comes back after every notification committed
 *   before it, and resolves once the rows those named are in memory.
 * - onDisable listeners fire when a device is seen going from enabled to
 *   disabled, whichever process disabled it, so the embedded broker cuts its
 *   connection at once.
 * - onKeyPinned listeners fire when a device is seen with a public key it had
 *   not (or was not known) before, whichever process pinned it, so the
 *   pipeline processes the messages it held for want of that key.
 *
 * Writes: `earshot device add | disable | enable` and the browser's device
 * administration make them (storage/postgres/device-admin.ts; the browser's
 * answer waits for refresh()). A key pinned at first use is written by
 * the pipeline in its batch's transaction (ingest-batch/key-pins.ts), not
 * through this registry, so add, disable, enable, pinPublicKey and undoAdd
 * refuse with
 * EARSHOT_E_STORE_NOT_SUPPORTED, and onAdd listeners are never called: a
 * device added by another process has no secret here to make a broker account
 * from (whatever adds it makes the account). The one write is the
 * upgrade of an older scrypt hash at the device's first good CONNECT, sent to
 * PostgreSQL without waiting (an error is logged; the next CONNECT upgrades).
 */
import { createPublicKey, type KeyObject, randomBytes } from 'node:crypto';
import { EarshotError } from '@earshot/shared';
import pg from 'pg';
import { type Logger, pino } from 'pino';
import { createCredentialCheck } from '../../devices/credential-check.ts';
import type { DeviceInfo, DeviceRegistry, Provisioned } from '../../devices/registry.ts';
import { type HashedSecret, KEYED_HASH_N } from '../../devices/secret.ts';
import { DEVICE_COLUMNS, deviceInfo, type PgDeviceRow, storedSecret } from './device-rows.ts';
import { DEVICES_CHANNEL } from './schema/devices-notify.ts';

export interface PgDeviceRegistry extends DeviceRegistry {
  /** Stops listening; a refresh() still waiting rejects. */
  close(): Promise<void>;
  /** Resolves once every change committed before the call is in memory (while PostgreSQL is unreachable it waits). */
  refresh(): Promise<void>;
  /** `listener(id)` once the mirror holds a key for a device it held none for (or did not hold), whichever process pinned it; publicKey(id) answers it by then. */
  onKeyPinned(listener: (id: string) => void): void;
}

export interface PgDeviceRegistryOptions {
  readonly logger?: Logger;
  /** Opens the listening connection (default: a new client with the pool's settings, outside the pool). */
  readonly connect?: () => Promise<pg.Client>;
}

/** Reconnecting waits this long at first, doubling to the most (a restarting server is back in seconds). */
export const RECONNECT_MS = { first: 250, most: 10_000 } as const;
/** How often the listening connection is asked to answer, and how long it may take: a dead peer sends no error. */
export const PING_MS = 10_000;

interface Entry {
  readonly info: DeviceInfo;
  readonly secret: HashedSecret;
  readonly changedAt: number;
}

interface Waiter {
  /** The marker sent for it on the current connection; null: to be sent once connected. */
  token: string | null;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

function refuse(sentence: string): never {
  throw new EarshotError('EARSHOT_E_STORE_NOT_SUPPORTED', sentence);
}

export async function openPgDeviceRegistry(pool: pg.Pool, opts: PgDeviceRegistryOptions = {}): Promise<PgDeviceRegistry> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const connect = opts.connect ?? (async () => {
    const c = new pg.Client({ ...pool.options, keepAlive: true });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  });
  // Lower-case hex after a letter: a plain identifier (https://www.postgresql.org/docs/15/sql-syntax-lexical.html).
  const syncChannel = `earshot_devices_sync_${randomBytes(8).toString('hex')}`;

  const entries = new Map<string, Entry>();
  /** The ids in byte order, as list() and ids() give them (device-rows.ts BY_ID). */
  let sorted: string[] = [];
  const keys = new Map<string, KeyObject>();
  const disableListeners: ((id: string) => void)[] = [];
  const keyPinnedListeners: ((id: string) => void)[] = [];
  const check = createCredentialCheck();

  let listener: pg.Client | null = null;
  let closed = false;
  /** True from a lost connection (or a failed read) until every row has been read again. */
  let stale = false;
  let backoff: number = RECONNECT_MS.first;
  let retry: NodeJS.Timeout | null = null;
  const pending = new Set<string>();
  let flushQueued = false;
  const waiters = new Set<Waiter>();
  /** Reads and markers are applied one at a time, in the order they arrived. */
  let chain: Promise<void> = Promise.resolve();

  const enqueue = (task: () => Promise<void> | void): void => {
    chain = chain.then(task).catch((e: unknown) => logger.error({ err: e }, 'device registry: applying a change failed'));
  };

  const place = (id: string, present: boolean): void => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    const there = sorted[lo] === id;
    if (present && !there) sorted.splice(lo, 0, id);
    else if (!present && there) sorted.splice(lo, 1);
  };

  const tell = (listeners: readonly ((id: string) => void)[], id: string, what: string): void => {
    for (const l of listeners) {
      try {
        l(id);
      } catch (e) {
        logger.error({ err: e, device: id }, `device registry: a ${what} listener failed`);
      }
    }
  };

  /** Puts a row (or its absence) into memory; fires onDisable on a change from enabled to disabled, onKeyPinned on a key newly seen. */
  const put = (id: string, r: PgDeviceRow | undefined): void => {
    const prev = entries.get(id);
    if (r === undefined) {
      entries.delete(id);
      keys.delete(id);
      return;
    }
    const next: Entry = { info: deviceInfo(r), secret: storedSecret(r), changedAt: r.changed_at };
    entries.set(id, next);
    if (prev?.info.publicKeyPem !== next.info.publicKeyPem) keys.delete(id);
    if (prev?.info.enabled === true && !next.info.enabled) tell(disableListeners, id, 'disable');
    if ((prev?.info.publicKeyPem ?? null) === null && next.info.publicKeyPem !== null) tell(keyPinnedListeners, id, 'key-pinned');
  };

  const readAll = async (): Promise<PgDeviceRow[]> => (await pool.query<PgDeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices`)).rows;

  const replaceAll = (rows: readonly PgDeviceRow[]): void => {
    const seen = new Set(rows.map((r) => r.id));
    for (const id of [...entries.keys()]) if (!seen.has(id)) put(id, undefined);
    for (const r of rows) put(r.id, r);
    sorted = [...entries.keys()].sort();
  };

  const lost = (c: pg.Client, why: string): void => {
    if (listener !== c) return;
    listener = null;
    stale = true;
    c.end().catch(() => undefined);
    for (const w of waiters) w.token = null;
    logger.warn({ why, retryMs: backoff }, 'device registry: lost its PostgreSQL notifications; reconnecting, then reading every device again');
    scheduleReconnect();
  };

  /** Something may have been missed: read everything again over a new connection. */
  const resync = (why: string): void => {
    stale = true;
    if (listener !== null) lost(listener, why);
    else scheduleReconnect();
  };

  const reloadAll = async (): Promise<void> => {
    let rows: PgDeviceRow[];
    try {
      rows = await readAll();
    } catch (e) {
      resync(`reading the devices failed: ${(e as Error).message}`);
      return;
    }
    if (closed) return;
    replaceAll(rows);
    if (stale) {
      stale = false;
      backoff = RECONNECT_MS.first;
      logger.info({ devices: entries.size }, 'device registry: notifications restored, every device read again');
    }
  };

  const flush = async (): Promise<void> => {
    flushQueued = false;
    const ids = [...pending];
    pending.clear();
    if (ids.length === 0 || closed) return;
    let rows: PgDeviceRow[];
    try {
      rows = (await pool.query<PgDeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ANY($1::text[])`, [ids])).rows;
    } catch (e) {
      resync(`re-reading ${ids.length} changed device(s) failed: ${(e as Error).message}`);
      return;
    }
    if (closed) return;
    const found = new Map(rows.map((r) => [r.id, r]));
    for (const id of ids) {
      put(id, found.get(id));
      place(id, found.has(id));
    }
  };

  const markerBack = (token: string): void => {
    // While stale, the rows a marker covers may not all be in memory: its waiter is sent again after the reload.
    if (stale) return;
    for (const w of waiters) {
      if (w.token !== token) continue;
      waiters.delete(w);
      w.resolve();
    }
  };

  const onNotification = (n: pg.Notification): void => {
    const payload = n.payload ?? '';
    if (n.channel === DEVICES_CHANNEL) {
      if (payload === '') {
        enqueue(reloadAll);
        return;
      }
      pending.add(payload);
      if (!flushQueued) {
        flushQueued = true;
        enqueue(flush);
      }
    } else if (n.channel === syncChannel) {
      enqueue(() => markerBack(payload));
    }
  };

  const sendMarker = (w: Waiter): void => {
    const c = listener;
    if (c === null) return;
    const token = randomBytes(9).toString('hex');
    w.token = token;
    c.query('SELECT pg_notify($1, $2)', [syncChannel, token]).catch((e: unknown) => lost(c, `its marker was not sent: ${(e as Error).message}`));
  };

  const attach = async (): Promise<pg.Client> => {
    const c = await connect();
    c.on('error', (e) => lost(c, e.message));
    c.on('end', () => lost(c, 'its connection ended'));
    c.on('notification', onNotification);
    try {
      await c.query(`LISTEN ${DEVICES_CHANNEL}; LISTEN ${syncChannel}`);
    } catch (e) {
      await c.end().catch(() => undefined);
      throw e;
    }
    return c;
  };

  const reconnect = async (): Promise<void> => {
    let c: pg.Client;
    try {
      c = await attach();
    } catch (e) {
      logger.warn({ err: (e as Error).message, retryMs: backoff }, 'device registry: PostgreSQL not reachable for notifications yet; trying again');
      scheduleReconnect();
      return;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    // Listening first, then reading: a change committed after the read's snapshot is notified.
    listener = c;
    enqueue(reloadAll);
    for (const w of waiters) if (w.token === null) sendMarker(w);
  };

  function scheduleReconnect(): void {
    if (closed || retry !== null) return;
    const wait = backoff;
    backoff = Math.min(backoff * 2, RECONNECT_MS.most);
    retry = setTimeout(() => {
      retry = null;
      void reconnect();
    }, wait);
    retry.unref();
  }

  const ping = setInterval(() => {
    const c = listener;
    if (c === null) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${PING_MS} ms`)), PING_MS);
    });
    Promise.race([c.query('SELECT 1'), late])
      .catch((e: unknown) => lost(c, (e as Error).message))
      .finally(() => clearTimeout(timer));
  }, PING_MS);
  ping.unref();

  try {
    listener = await attach();
    // On the chain like every later read: a change notified meanwhile is re-read after this snapshot, never before.
    const first = chain.then(async () => replaceAll(await readAll()));
    chain = first.catch(() => undefined);
    try {
      await first;
    } catch (e) {
      const c = listener;
      listener = null;
      await c.end().catch(() => undefined);
      throw e;
    }
  } catch (e) {
    closed = true;
    clearInterval(ping);
    if (retry !== null) clearTimeout(retry);
    throw e;
  }

  const stored = (id: string) => {
    const e = entries.get(id);
    return e === undefined ? undefined : { secret: e.secret, enabled: e.info.enabled };
  };

  const upgrade = (id: string, next: HashedSecret, was: HashedSecret): void => {
    const e = entries.get(id);
    // At once in memory, so the next CONNECT is quick; both hashes match the same secret.
    if (e !== undefined && e.secret.hash.equals(was.hash)) entries.set(id, { ...e, secret: next });
    pool.query(
      'UPDATE devices SET secret_salt = $1, secret_hash = $2, scrypt_n = $3, scrypt_r = $4, scrypt_p = $5 WHERE id = $6 AND secret_hash = $7',
      [next.salt, next.hash, next.params.N, next.params.r, next.params.p, id, was.hash],
    ).catch((err: unknown) => logger.error({ err, device: id }, 'device registry: the upgraded secret hash was not stored; the next good CONNECT tries again'));
  };

  const registry: PgDeviceRegistry = {
    add(): Provisioned {
      return refuse('devices are added on PostgreSQL with earshot device add, not by a running earshot serve');
    },
    get(id) {
      const e = entries.get(id);
      return e === undefined ? null : { ...e.info };
    },
    list() {
      return sorted.map((id) => ({ ...entries.get(id)!.info }));
    },
    ids() {
      return sorted.slice();
    },
    disable() {
      refuse('devices are disabled on PostgreSQL with earshot device disable, not by a running earshot serve');
    },
    enable() {
      refuse('devices are enabled on PostgreSQL with earshot device enable, not by a running earshot serve');
    },
    pinPublicKey() {
      refuse('a device key is not pinned at first connection on PostgreSQL: register it with earshot device add --public-key');
    },
    forgetCachedKey(id) {
      keys.delete(id);
    },
    publicKey(id) {
      const cached = keys.get(id);
      if (cached !== undefined) return cached;
      const pem = entries.get(id)?.info.publicKeyPem;
      if (pem === undefined || pem === null) return null;
      const key = createPublicKey({ key: pem, format: 'pem' });
      keys.set(id, key);
      return key;
    },
    checkCredentials(id, password) {
      return check(id, password, () => stored(id), (next, was) => upgrade(id, next, was));
    },
    needsSlowCheck(id) {
      const n = entries.get(id)?.secret.params.N;
      return n !== undefined && n !== KEYED_HASH_N;
    },
    disabledSince(since) {
      return sorted.filter((id) => {
        const e = entries.get(id)!;
        return !e.info.enabled && e.changedAt > since;
      });
    },
    onDisable(l) {
      disableListeners.push(l);
    },
    onKeyPinned(l) {
      keyPinnedListeners.push(l);
    },
    changedSince(since) {
      const out: { id: string; enabled: boolean; changedAt: number }[] = [];
      for (const id of sorted) {
        const e = entries.get(id)!;
        if (e.changedAt > since) out.push({ id, enabled: e.info.enabled, changedAt: e.changedAt });
      }
      return out;
    },
    onAdd() {
      // Never called: this registry adds nothing, and another process's add has no secret here (see the top).
    },
    undoAdd(): boolean {
      return refuse('devices are added and taken back on PostgreSQL by earshot device add, not by a running earshot serve');
    },
    refresh() {
      if (closed) return Promise.reject(new EarshotError('EARSHOT_E_INTERNAL', 'the device registry is closed'));
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = { token: null, resolve, reject };
        waiters.add(w);
        sendMarker(w);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(ping);
      if (retry !== null) clearTimeout(retry);
      retry = null;
      const c = listener;
      listener = null;
      for (const w of waiters) w.reject(new EarshotError('EARSHOT_E_INTERNAL', 'the device registry was closed before its refresh completed'));
      waiters.clear();
      await c?.end().catch(() => undefined);
      await chain;
    },
  };
  return registry;
}
