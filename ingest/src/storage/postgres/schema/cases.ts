/** Mirrors ingest/src/cases/migrations.ts (cases-001 … cases-008, in their final shape). */
import { ID, type PgMigration } from './migration.ts';

export const casesPg: readonly PgMigration[] = [
  {
    name: 'pg-cases-001-cases',
    sql: `
CREATE TABLE cases (
  ref text PRIMARY KEY,
  category text NOT NULL CHECK (category IN ('high-risk', 'general')),
  status text NOT NULL CHECK (status IN ('open', 'inactive', 'closed')),
  officer text NOT NULL,
  opened_at text NOT NULL,
  status_at text NOT NULL,
  closed_at text,
  response_due_at text NOT NULL,
  response_due_date text NOT NULL,
  details text,
  details_sha256 text NOT NULL,
  leaf_index bigint NOT NULL,
  purged_at text
);
CREATE INDEX cases_by_status ON cases (status, officer);
CREATE INDEX cases_by_officer ON cases (officer, status);
CREATE TABLE case_history (
  ${ID},
  case_ref text NOT NULL REFERENCES cases (ref),
  at text NOT NULL,
  action text NOT NULL,
  by_officer text NOT NULL,
  reason text,
  detail text NOT NULL,
  leaf_index bigint NOT NULL
);
CREATE INDEX case_history_by_case ON case_history (case_ref, id);

CREATE TABLE deployments (
  ${ID},
  case_ref text NOT NULL REFERENCES cases (ref),
  device_id text NOT NULL,
  installed_ms bigint NOT NULL,
  installed_by text NOT NULL,
  removed_ms bigint,
  removed_by text,
  audio_mode text NOT NULL CHECK (audio_mode IN ('off', 'button-only', 'on-event')),
  install_leaf bigint NOT NULL,
  removal_leaf bigint,
  CHECK (removed_ms IS NULL OR removed_ms > installed_ms)
);
CREATE INDEX deployments_by_device ON deployments (device_id, installed_ms);
CREATE INDEX deployments_by_case ON deployments (case_ref);
CREATE TABLE calibration_checks (
  ${ID},
  deployment_id bigint NOT NULL REFERENCES deployments (id),
  phase text NOT NULL CHECK (phase IN ('install', 'removal')),
  checked_ms bigint NOT NULL,
  calibrator_db double precision NOT NULL,
  reading_db double precision NOT NULL,
  full_scale_db double precision NOT NULL,
  leaf_index bigint NOT NULL,
  UNIQUE (deployment_id, phase)
);
CREATE TABLE deployment_equipment (
  deployment_id bigint PRIMARY KEY REFERENCES deployments (id),
  monitor_model text,
  monitor_serial text,
  mic_make text,
  mic_model text,
  mic_class text,
  mic_tolerance_db double precision,
  calibrator_make text,
  calibrator_model text,
  calibrator_serial text,
  calibrator_class text,
  calibrator_certificate text,
  calibrator_lab_date text,
  room text,
  height_m double precision,
  party_wall_m double precision,
  windows text CHECK (windows IS NULL OR windows IN ('open', 'closed', 'varied')),
  position_note text
);
CREATE TABLE device_config_history (
  device text NOT NULL,
  version bigint NOT NULL,
  config text NOT NULL,
  published_ms bigint NOT NULL,
  leaf_index bigint,
  PRIMARY KEY (device, version)
);

CREATE TABLE diary_entries (
  ${ID},
  case_ref text NOT NULL REFERENCES cases (ref),
  started_ms bigint NOT NULL,
  ended_ms bigint,
  source text NOT NULL CHECK (source IN ('resident', 'officer', 'import')),
  content text,
  content_sha256 text NOT NULL,
  created_at text NOT NULL,
  leaf_index bigint NOT NULL,
  purged_at text,
  written_ms bigint,
  received_ms bigint NOT NULL,
  recording_sha256 text,
  recording_type text,
  recording_bytes bigint,
  recording_file text,
  CHECK ((recording_sha256 IS NULL) = (recording_type IS NULL))
);
CREATE INDEX diary_by_case ON diary_entries (case_ref, started_ms);
CREATE INDEX diary_by_recording ON diary_entries (recording_sha256) WHERE recording_sha256 IS NOT NULL;
CREATE TABLE diary_corrections (
  corrected_id bigint PRIMARY KEY REFERENCES diary_entries (id),
  replacement_id bigint NOT NULL UNIQUE REFERENCES diary_entries (id),
  by_user text NOT NULL,
  reason text NOT NULL,
  at_ms bigint NOT NULL,
  leaf_index bigint NOT NULL
);
CREATE TABLE annotations (
  ${ID},
  case_ref text NOT NULL REFERENCES cases (ref),
  officer text NOT NULL,
  about_leaf bigint,
  content text,
  content_sha256 text NOT NULL,
  created_at text NOT NULL,
  leaf_index bigint NOT NULL,
  purged_at text
);
CREATE INDEX annotations_by_case ON annotations (case_ref, id);

CREATE TABLE retention_audit (
  ${ID},
  run_at text NOT NULL,
  step text NOT NULL,
  rows bigint NOT NULL,
  detail text NOT NULL
);
CREATE TABLE retention_audit_items (
  ${ID},
  audit_id bigint NOT NULL REFERENCES retention_audit (id),
  item text NOT NULL
);
CREATE INDEX retention_audit_items_by_audit ON retention_audit_items (audit_id);

CREATE TABLE case_contacts (
  ${ID},
  case_ref text NOT NULL REFERENCES cases (ref),
  at_ms bigint NOT NULL,
  method text NOT NULL CHECK (method IN ('visit', 'phone', 'email', 'letter', 'text')),
  by_user text NOT NULL,
  content text,
  content_sha256 text NOT NULL,
  created_at text NOT NULL,
  leaf_index bigint NOT NULL,
  purged_at text
);
CREATE INDEX case_contacts_by_case ON case_contacts (case_ref, at_ms);
CREATE TABLE case_plan_notes (
  ${ID},
  case_ref text NOT NULL REFERENCES cases (ref),
  by_user text NOT NULL,
  content text,
  content_sha256 text NOT NULL,
  created_at text NOT NULL,
  leaf_index bigint NOT NULL,
  purged_at text
);
CREATE INDEX case_plan_notes_by_case ON case_plan_notes (case_ref, id);
CREATE TABLE case_views (
  username text NOT NULL,
  case_ref text NOT NULL REFERENCES cases (ref),
  seen_ms bigint NOT NULL,
  PRIMARY KEY (username, case_ref)
);`,
  },
];
