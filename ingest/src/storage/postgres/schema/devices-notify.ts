/**
 * PostgreSQL only (SQLite has one process and no notifications): every change
 * to a device row is announced on DEVICES_CHANNEL with the device's id as the
 * payload, so each `earshot serve` keeps its in-memory registry
 * (storage/postgres/device-registry.ts) in step with `earshot device` run
 * elsewhere. pg_notify is transactional — delivered only at COMMIT, in commit
 * order (https://www.postgresql.org/docs/15/sql-notify.html) — so a listener
 * that re-reads the row on receipt reads the committed change. A TRUNCATE is
 * announced with an empty payload: read everything again.
 */
import type { PgMigration } from './migration.ts';

/** The channel; its payload is a device id, or '' for "every row". */
export const DEVICES_CHANNEL = 'earshot_devices';

export const devicesNotifyPg: readonly PgMigration[] = [
  {
    name: 'pg-devices-002-notify',
    sql: `
CREATE FUNCTION earshot_devices_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('${DEVICES_CHANNEL}', OLD.id);
  ELSE
    PERFORM pg_notify('${DEVICES_CHANNEL}', NEW.id);
    IF TG_OP = 'UPDATE' AND NEW.id <> OLD.id THEN PERFORM pg_notify('${DEVICES_CHANNEL}', OLD.id); END IF;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER devices_notify AFTER INSERT OR UPDATE OR DELETE ON devices FOR EACH ROW EXECUTE FUNCTION earshot_devices_notify();
CREATE FUNCTION earshot_devices_notify_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('${DEVICES_CHANNEL}', '');
  RETURN NULL;
END $$;
CREATE TRIGGER devices_notify_truncate AFTER TRUNCATE ON devices FOR EACH STATEMENT EXECUTE FUNCTION earshot_devices_notify_all();`,
  },
];
