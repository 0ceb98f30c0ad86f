/**
 * The service role (DESIGN §5: append-only "for the service role" as well as by
 * triggers). `earshot_service` is a NOLOGIN group role: the administrator grants
 * it to the login role `earshot serve` uses (`GRANT earshot_service TO ingest`);
 * the owner that ran the migrations stays the only role that could alter the
 * schema. It may read and write every table except that the evidence log and
 * the schema's own records take no UPDATE, DELETE or TRUNCATE, so even a
 * compromised service account cannot rewrite evidence by dropping a trigger
 * (that needs ownership) or by a plain DELETE (no privilege).
 *
 * Roles are per cluster, not per database: the role is created when missing
 * (by a migrating user that may create roles) and reused by every Earshot
 * database of the cluster. Where the migrating user may not create roles and
 * the role does not exist, the grants are skipped: the triggers still hold.
 */
import type { PgMigration } from './migration.ts';

export const SERVICE_ROLE = 'earshot_service';
export const APPEND_ONLY_TABLES = ['evidence_leaves', 'evidence_nodes', 'evidence_tree_heads'] as const;

export const rolesPg: readonly PgMigration[] = [
  {
    name: 'pg-roles-001-service',
    sql: `
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${SERVICE_ROLE}') THEN
    BEGIN
      CREATE ROLE ${SERVICE_ROLE} NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation OR insufficient_privilege THEN
      NULL; -- made meanwhile by another database's migration, or not ours to make
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${SERVICE_ROLE}') THEN
    EXECUTE 'GRANT USAGE ON SCHEMA ' || quote_ident(current_schema()) || ' TO ${SERVICE_ROLE}';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ' || quote_ident(current_schema()) || ' TO ${SERVICE_ROLE}';
    EXECUTE 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ' || quote_ident(current_schema()) || ' TO ${SERVICE_ROLE}';
    REVOKE UPDATE, DELETE, TRUNCATE ON ${APPEND_ONLY_TABLES.join(', ')} FROM ${SERVICE_ROLE};
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations, schema_version FROM ${SERVICE_ROLE};
    REVOKE UPDATE ON clip_files FROM ${SERVICE_ROLE};
    -- Tables later migrations add (made by the same owner) get the same rights.
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA ' || quote_ident(current_schema()) || ' GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${SERVICE_ROLE}';
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA ' || quote_ident(current_schema()) || ' GRANT USAGE, SELECT ON SEQUENCES TO ${SERVICE_ROLE}';
  END IF;
END $$;`,
  },
];
