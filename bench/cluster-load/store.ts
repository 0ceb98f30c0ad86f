/**
 * The fleet bench's PostgreSQL: one server (test/support/postgres.ts, fsync on)
 * and a fresh database per step, migrated, with the simulated devices
 * registered and their keys pinned, and — in the benchmark's database only — a
 * trigger that tells the bench which messages each commit stored.
 *
 * Why a trigger: behind an external broker the device's PUBACK comes from
 * mosquitto, before the ingest has even read the message, so it says nothing
 * about "stored". A statement-level AFTER INSERT trigger on `messages` with a
 * transition table sends the (device, seq) pairs of each insert with
 * pg_notify, and notifications are delivered only at COMMIT
 * (https://www.postgresql.org/docs/15/sql-notify.html), so their arrival is
 * the moment the rows are committed. One statement inserts a batch's ledger
 * rows (storage/postgres/ingest-batch/flush.ts), so this is one notification
 * per batch, split when the pairs pass a payload's limit.
 */
import pg from 'pg';
import { hashSecret, newSecret } from '../../ingest/src/devices/secret.ts';
import { openPostgres } from '../../ingest/src/storage/postgres/connect.ts';
import type { PostgresTarget } from '../../ingest/src/storage/store-url.ts';
import { parseStoreUrl } from '../../ingest/src/storage/store-url.ts';
import type { PostgresServer } from '../../test/support/postgres.ts';
import type { SimDevice } from '../ingest-load/fleet.ts';

export const STORED_CHANNEL = 'bench_stored';
/** NOTIFY's payload must be shorter than 8,000 bytes (sql-notify.html); pairs are grouped below this. */
const PAYLOAD_BYTES = 7_000;

/** "device seq" pairs, comma-separated, a group of them per notification. */
const NOTIFY_SQL = `
CREATE FUNCTION bench_stored_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('${STORED_CHANNEL}', string_agg(k, ','))
  FROM (SELECT k, sum(length(k) + 1) OVER (ROWS UNBOUNDED PRECEDING) / ${PAYLOAD_BYTES} AS g
        FROM (SELECT device || ' ' || seq AS k FROM n) pairs) grouped
  GROUP BY g;
  RETURN NULL;
END $$;
CREATE TRIGGER bench_stored AFTER INSERT ON messages REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION bench_stored_notify();`;

export interface StepStore {
  readonly url: string;
  readonly name: string;
  /** Rows in `messages` now. */
  stored(): Promise<number>;
  /** Quarantined messages by code (none expected: every message is valid and signed). */
  quarantined(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * A new database: migrated (as the first `earshot serve` would), every device registered with its key pinned in
 * one INSERT — one keyed hash copied to all, since no device logs in through the ingest here — and the trigger.
 */
export async function stepStore(server: PostgresServer, name: string, devices: readonly SimDevice[]): Promise<StepStore> {
  const url = await server.createDatabase(name);
  const target = parseStoreUrl(url) as PostgresTarget;
  const pool = await openPostgres(target, { maxConnections: 2 });
  try {
    const h = hashSecret(newSecret());
    const now = Date.now();
    await pool.query(
      `INSERT INTO devices (id, secret_salt, secret_hash, scrypt_n, scrypt_r, scrypt_p, public_key, key_pinned_at, created_at, changed_at)
       SELECT id, $2, $3, $4, $5, $6, key, $7, $7, $7 FROM unnest($1::text[], $8::text[]) AS d(id, key)`,
      [devices.map((d) => d.id), h.salt, h.hash, h.params.N, h.params.r, h.params.p, now, devices.map((d) => d.publicKeyPem)],
    );
    await pool.query(NOTIFY_SQL);
  } catch (e) {
    await pool.end();
    throw e;
  }
  return {
    url,
    name,
    async stored() {
      const r = await pool.query<{ n: number }>('SELECT count(*)::bigint AS n FROM messages');
      return Number(r.rows[0]!.n);
    },
    async quarantined() {
      const r = await pool.query<{ code: string; n: number }>('SELECT code, count(*)::bigint AS n FROM quarantine GROUP BY code');
      return Object.fromEntries(r.rows.map((row) => [row.code, Number(row.n)]));
    },
    async close() {
      await pool.end();
      // Nothing of a step is kept: the next step starts from an empty database of its own.
      await server.sql('postgres', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/** A LISTEN connection on the step's database; `onPairs` gets each notification's "device seq" pairs. */
export async function listenStored(url: string, onPairs: (pairs: string) => void): Promise<{ close(): Promise<void> }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  c.on('notification', (m) => {
    if (m.channel === STORED_CHANNEL && m.payload !== undefined) onPairs(m.payload);
  });
  c.on('error', () => undefined);
  await c.query(`LISTEN ${STORED_CHANNEL}`);
  return { close: () => c.end() };
}
