/** Mirrors ingest/src/store/migrations.ts (store-001 … store-003, in their final shape). */
import { ID, type PgMigration } from './migration.ts';

const EVIDENCE_COLUMNS = `device_time bigint NOT NULL,
  received_at bigint NOT NULL,
  clock_synced bigint,
  clock_offset_ms double precision,
  clock_flag text,
  case_ref text,
  attach_reason text,
  leaf_index bigint,`;

export const storePg: readonly PgMigration[] = [
  {
    name: 'pg-store-001-messages',
    sql: `
CREATE TABLE messages (
  device text NOT NULL,
  seq bigint NOT NULL,
  type text NOT NULL,
  envelope_sha256 bytea NOT NULL,
  received_at bigint NOT NULL,
  PRIMARY KEY (device, seq)
);
CREATE TABLE levels (
  t bigint NOT NULL,
  device text NOT NULL,
  d double precision NOT NULL,
  laeq double precision, lceq double precision, lzeq double precision, lafmax double precision,
  lafmin double precision, lasmax double precision, lcpeak double precision,
  clipped bigint,
  silent bigint NOT NULL,
  n bigint,
  full_scale_db double precision NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (t, device)
);
CREATE TABLE status (
  device text NOT NULL,
  seq bigint NOT NULL,
  sent_at bigint NOT NULL,
  received_at bigint NOT NULL,
  clock_synced bigint,
  clock_offset_ms double precision,
  body text NOT NULL,
  PRIMARY KEY (device, seq)
);
CREATE TABLE events (
  device text NOT NULL,
  seq bigint NOT NULL,
  event_id text NOT NULL,
  kind text NOT NULL,
  ${EVIDENCE_COLUMNS}
  body text NOT NULL,
  envelope bytea NOT NULL,
  signature bytea NOT NULL,
  PRIMARY KEY (device, seq)
);
CREATE INDEX events_case ON events (case_ref, device_time);
CREATE INDEX events_event ON events (device, event_id);
CREATE TABLE clips (
  device text NOT NULL,
  clip_id text NOT NULL,
  seq bigint NOT NULL,
  event_id text NOT NULL,
  sha256 text NOT NULL,
  bytes bigint NOT NULL,
  chunks bigint NOT NULL,
  chunk_bytes bigint NOT NULL,
  ${EVIDENCE_COLUMNS}
  state text NOT NULL CHECK (state IN ('incomplete', 'complete', 'corrupt')),
  file text,
  completed_at bigint,
  problem text,
  body text NOT NULL,
  envelope bytea NOT NULL,
  signature bytea NOT NULL,
  PRIMARY KEY (device, clip_id)
);
CREATE INDEX clips_case ON clips (case_ref, device_time);
CREATE INDEX clips_state ON clips (state);
CREATE TABLE clip_chunks (
  device text NOT NULL,
  clip_id text NOT NULL,
  n bigint NOT NULL,
  data bytea NOT NULL,
  received_at bigint NOT NULL,
  PRIMARY KEY (device, clip_id, n)
);
CREATE INDEX clip_chunks_received ON clip_chunks (received_at);
CREATE TABLE quarantine (
  ${ID},
  received_at bigint NOT NULL,
  client_id text,
  device text,
  topic text NOT NULL,
  code text NOT NULL,
  detail text NOT NULL,
  raw bytea NOT NULL,
  released_at bigint,
  released_as text,
  raw_bytes bigint,
  raw_sha256 text,
  raw_dropped text CHECK (raw_dropped IN ('quota', 'refused', 'purged')),
  raw_dropped_at bigint
);
CREATE INDEX quarantine_device ON quarantine (device, received_at);
CREATE INDEX quarantine_received ON quarantine (received_at);
CREATE INDEX quarantine_charged ON quarantine (device, raw_bytes) WHERE raw_dropped IS NULL OR raw_dropped = 'refused';
CREATE TABLE quarantine_overflow (
  device text NOT NULL,
  code text NOT NULL,
  day text NOT NULL,
  messages bigint NOT NULL,
  bytes bigint NOT NULL,
  first_at bigint NOT NULL,
  last_at bigint NOT NULL,
  PRIMARY KEY (device, code, day)
);`,
  },
];
