/**
 * Tables of cases, deployments, calibration checks, diary entries, officer
 * annotations and the retention audit. Times used in range queries are INTEGER
 * milliseconds since the epoch (UTC); times only shown are ISO 8601 UTC text.
 * `details` / `content` hold the committed bytes of confidential content
 * (content.ts); they become NULL when the retention purge removes them.
 */
import type { Migration } from '../db/migrate.ts';

export const casesMigrations: readonly Migration[] = [
  {
    name: 'cases-001-cases',
    sql: `
CREATE TABLE cases (
  ref TEXT PRIMARY KEY,
  category TEXT NOT NULL CHECK (category IN ('high-risk', 'general')),
  status TEXT NOT NULL CHECK (status IN ('open', 'inactive', 'closed')),
  officer TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  status_at TEXT NOT NULL,
  closed_at TEXT,
  response_due_at TEXT NOT NULL,
  response_due_date TEXT NOT NULL,
  details TEXT,
  details_sha256 TEXT NOT NULL,
  leaf_index INTEGER NOT NULL,
  purged_at TEXT
) STRICT;
CREATE INDEX cases_by_status ON cases (status, officer);
CREATE TABLE case_history (
  id INTEGER PRIMARY KEY,
  case_ref TEXT NOT NULL REFERENCES cases (ref),
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  by_officer TEXT NOT NULL,
  reason TEXT,
  detail TEXT NOT NULL,
  leaf_index INTEGER NOT NULL
) STRICT;
CREATE INDEX case_history_by_case ON case_history (case_ref, id);`,
  },
  {
    name: 'cases-002-deployments',
    sql: `
CREATE TABLE deployments (
  id INTEGER PRIMARY KEY,
  case_ref TEXT NOT NULL REFERENCES cases (ref),
  device_id TEXT NOT NULL,
  installed_ms INTEGER NOT NULL,
  installed_by TEXT NOT NULL,
  removed_ms INTEGER,
  removed_by TEXT,
  audio_mode TEXT NOT NULL CHECK (audio_mode IN ('off', 'button-only', 'on-event')),
  install_leaf INTEGER NOT NULL,
  removal_leaf INTEGER,
  CHECK (removed_ms IS NULL OR removed_ms > installed_ms)
) STRICT;
CREATE INDEX deployments_by_device ON deployments (device_id, installed_ms);
CREATE INDEX deployments_by_case ON deployments (case_ref);
CREATE TABLE calibration_checks (
  id INTEGER PRIMARY KEY,
  deployment_id INTEGER NOT NULL REFERENCES deployments (id),
  phase TEXT NOT NULL CHECK (phase IN ('install', 'removal')),
  checked_ms INTEGER NOT NULL,
  calibrator_db REAL NOT NULL,
  reading_db REAL NOT NULL,
  full_scale_db REAL NOT NULL,
  leaf_index INTEGER NOT NULL,
  UNIQUE (deployment_id, phase)
) STRICT;`,
  },
  {
    name: 'cases-003-diary-annotations',
    sql: `
CREATE TABLE diary_entries (
  id INTEGER PRIMARY KEY,
  case_ref TEXT NOT NULL REFERENCES cases (ref),
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER,
  source TEXT NOT NULL CHECK (source IN ('manual', 'csv')),
  content TEXT,
  content_sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  leaf_index INTEGER NOT NULL,
  purged_at TEXT
) STRICT;
CREATE INDEX diary_by_case ON diary_entries (case_ref, started_ms);
CREATE TABLE annotations (
  id INTEGER PRIMARY KEY,
  case_ref TEXT NOT NULL REFERENCES cases (ref),
  officer TEXT NOT NULL,
  about_leaf INTEGER,
  content TEXT,
  content_sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  leaf_index INTEGER NOT NULL,
  purged_at TEXT
) STRICT;
CREATE INDEX annotations_by_case ON annotations (case_ref, id);`,
  },
  {
    name: 'cases-004-retention-audit',
    sql: `
CREATE TABLE retention_audit (
  id INTEGER PRIMARY KEY,
  run_at TEXT NOT NULL,
  step TEXT NOT NULL,
  rows INTEGER NOT NULL,
  detail TEXT NOT NULL
) STRICT;
CREATE TABLE retention_audit_items (
  id INTEGER PRIMARY KEY,
  audit_id INTEGER NOT NULL REFERENCES retention_audit (id),
  item TEXT NOT NULL
) STRICT;
CREATE INDEX retention_audit_items_by_audit ON retention_audit_items (audit_id);`,
  },
  {
    // Issue 10: what the defence's expert needs of each deployment, entered at `deploy start`
    // (the instrument, microphone, calibrator and position); every column may be NULL (not
    // stated, and for deployments made before this migration). The typed calibrator reading
    // is kept only as the installer's note: the calibration is the monitor's signed record.
    name: 'cases-005-deployment-equipment',
    sql: `
CREATE TABLE deployment_equipment (
  deployment_id INTEGER PRIMARY KEY REFERENCES deployments (id),
  monitor_model TEXT,
  monitor_serial TEXT,
  mic_make TEXT,
  mic_model TEXT,
  mic_class TEXT,
  mic_tolerance_db REAL,
  calibrator_make TEXT,
  calibrator_model TEXT,
  calibrator_serial TEXT,
  calibrator_class TEXT,
  calibrator_certificate TEXT,
  calibrator_lab_date TEXT,
  room TEXT,
  height_m REAL,
  party_wall_m REAL,
  windows TEXT CHECK (windows IS NULL OR windows IN ('open', 'closed', 'varied')),
  position_note TEXT
) STRICT;`,
  },
  {
    // Issue 10: every retained config published to a device, with the evidence-log leaf that
    // records it, so a bundle shows the rules in force at each time, not today's.
    name: 'cases-006-device-config-history',
    sql: `
CREATE TABLE device_config_history (
  device TEXT NOT NULL,
  version INTEGER NOT NULL,
  config TEXT NOT NULL,
  published_ms INTEGER NOT NULL,
  leaf_index INTEGER,
  PRIMARY KEY (device, version)
) STRICT;`,
  },
  {
    // Issue 12: the officer's work around the evidence. Contacts with the complainant (the
    // first stops the response-target clock; the weekly-contact clock restarts at each), action
    // plan notes, diary corrections (a new entry and a correction leaf naming the old; the old row
    // stays, marked corrected), and when each account last looked at each case ("new since").
    // Summaries and notes are committed content (content.ts), as diary text is.
    name: 'cases-007-officer-work',
    sql: `
CREATE TABLE case_contacts (
  id INTEGER PRIMARY KEY,
  case_ref TEXT NOT NULL REFERENCES cases (ref),
  at_ms INTEGER NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('visit', 'phone', 'email', 'letter', 'text')),
  by_user TEXT NOT NULL,
  content TEXT,
  content_sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  leaf_index INTEGER NOT NULL,
  purged_at TEXT
) STRICT;
CREATE INDEX case_contacts_by_case ON case_contacts (case_ref, at_ms);
CREATE TABLE case_plan_notes (
  id INTEGER PRIMARY KEY,
  case_ref TEXT NOT NULL REFERENCES cases (ref),
  by_user TEXT NOT NULL,
  content TEXT,
  content_sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  leaf_index INTEGER NOT NULL,
  purged_at TEXT
) STRICT;
CREATE INDEX case_plan_notes_by_case ON case_plan_notes (case_ref, id);
CREATE TABLE diary_corrections (
  corrected_id INTEGER PRIMARY KEY REFERENCES diary_entries (id),
  replacement_id INTEGER NOT NULL UNIQUE REFERENCES diary_entries (id),
  by_user TEXT NOT NULL,
  reason TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  leaf_index INTEGER NOT NULL
) STRICT;
CREATE TABLE case_views (
  username TEXT NOT NULL,
  case_ref TEXT NOT NULL REFERENCES cases (ref),
  seen_ms INTEGER NOT NULL,
  PRIMARY KEY (username, case_ref)
) STRICT, WITHOUT ROWID;
CREATE INDEX cases_by_officer ON cases (officer, status);`,
  },
  {
    // Issue 13: who wrote each diary entry — the resident on their phone at the time
    // ('resident'), an officer typing it in later ('officer', was 'manual') or a CSV import
    // ('import', was 'csv') — when it was written (the phone's clock) and when it arrived (the
    // server's), and the phone recording sent with it (content-addressed beside the clips,
    // DESIGN §7). SQLite cannot change a CHECK in place (https://www.sqlite.org/lang_altertable.html
    // §7): the table is rebuilt in this transaction; diary_corrections references it, so its
    // foreign keys are checked at commit (defer_foreign_keys), when every id is back.
    name: 'cases-008-diary-sources',
    sql: `
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE diary_entries_before AS SELECT * FROM diary_entries;
DROP TABLE diary_entries;
CREATE TABLE diary_entries (
  id INTEGER PRIMARY KEY,
  case_ref TEXT NOT NULL REFERENCES cases (ref),
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER,
  source TEXT NOT NULL CHECK (source IN ('resident', 'officer', 'import')),
  content TEXT,
  content_sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  leaf_index INTEGER NOT NULL,
  purged_at TEXT,
  written_ms INTEGER,
  received_ms INTEGER NOT NULL,
  recording_sha256 TEXT,
  recording_type TEXT,
  recording_bytes INTEGER,
  recording_file TEXT,
  CHECK ((recording_sha256 IS NULL) = (recording_type IS NULL))
) STRICT;
INSERT INTO diary_entries (id, case_ref, started_ms, ended_ms, source, content, content_sha256, created_at, leaf_index, purged_at, written_ms, received_ms)
  SELECT id, case_ref, started_ms, ended_ms, CASE source WHEN 'csv' THEN 'import' ELSE 'officer' END, content, content_sha256, created_at, leaf_index, purged_at,
    NULL, CAST(round((julianday(created_at) - 2440587.5) * 86400000) AS INTEGER)
  FROM diary_entries_before;
DROP TABLE diary_entries_before;
CREATE INDEX diary_by_case ON diary_entries (case_ref, started_ms);
CREATE INDEX diary_by_recording ON diary_entries (recording_sha256) WHERE recording_sha256 IS NOT NULL;`,
  },
];
