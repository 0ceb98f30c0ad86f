/**
 * The clips folder in the database (DESIGN §7, §8: "clips included"): every
 * file of `clips/` — the monitors' WAV exhibits and the residents' phone
 * recordings — as bytea, keyed by its content-addressed name `<sha256>.<ext>`.
 *
 * Chosen over a shared folder: the database is then the one thing to replicate
 * and back up (pg_dump holds the exhibits with the rows that cite them), every
 * ingest process reaches a clip through the connection it already has, and no
 * network file system's rename and fsync semantics have to be trusted for
 * "written whole or not at all". A clip is at most a few MB (30 s of audio,
 * docs/clip-format.md), far below bytea's 1 GB limit. The database itself
 * checks the content address: a row whose bytes do not hash to its name is
 * refused, and its bytes can never be updated (retention may delete it).
 */
import type { PgMigration } from './migration.ts';

export const clipFilesPg: readonly PgMigration[] = [
  {
    name: 'pg-clip-files-001',
    sql: `
CREATE TABLE clip_files (
  file text PRIMARY KEY CHECK (file ~ '^[0-9a-f]{64}\\.[a-z0-9]{1,8}$'),
  bytes bigint NOT NULL CHECK (bytes = length(data)),
  data bytea NOT NULL,
  stored_at bigint NOT NULL,
  -- Content-addressed: the name is the SHA-256 of the bytes.
  CHECK (encode(sha256(data), 'hex') = left(file, 64))
);
CREATE FUNCTION earshot_clip_files_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a stored clip never changes: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER clip_files_no_update BEFORE UPDATE ON clip_files FOR EACH ROW EXECUTE FUNCTION earshot_clip_files_no_update();`,
  },
];
