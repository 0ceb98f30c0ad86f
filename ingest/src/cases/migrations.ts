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
];
