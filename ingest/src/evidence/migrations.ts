/**
 * The evidence log's tables (DESIGN §5). Append-only is enforced by the database
 * itself: triggers refuse every UPDATE and DELETE, and INSERTs that would replace
 * or skip a row (INSERT OR REPLACE deletes without firing delete triggers unless
 * recursive_triggers is on — https://www.sqlite.org/lang_conflict.html — so
 * inserts are checked too).
 */
import type { Migration } from '../db/migrate.ts';

const APPEND_ONLY = 'the evidence log is append-only (DESIGN §5)';

function appendOnly(table: string): string {
  return `
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}'); END;
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}'); END;`;
}

export const evidenceMigrations: readonly Migration[] = [
  {
    name: 'evidence-001-log',
    sql: `
-- One row per leaf, 0-based and contiguous; the leaf bytes exactly as hashed.
CREATE TABLE evidence_leaves (
  leaf_index INTEGER PRIMARY KEY CHECK (leaf_index >= 0),
  leaf BLOB NOT NULL,
  leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
  appended_at TEXT NOT NULL
) STRICT;
CREATE TRIGGER evidence_leaves_next_only BEFORE INSERT ON evidence_leaves
  WHEN NEW.leaf_index IS NOT coalesce((SELECT max(leaf_index) FROM evidence_leaves), -1) + 1
  BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}: leaves are added at the next index only'); END;
${appendOnly('evidence_leaves')}

-- Complete subtree hashes of level >= 1 (level 0 is evidence_leaves.leaf_hash):
-- node (level, node_index) covers leaves [node_index * 2^level, (node_index + 1) * 2^level).
CREATE TABLE evidence_nodes (
  level INTEGER NOT NULL CHECK (level >= 1),
  node_index INTEGER NOT NULL CHECK (node_index >= 0),
  hash BLOB NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, node_index)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER evidence_nodes_no_replace BEFORE INSERT ON evidence_nodes
  WHEN EXISTS (SELECT 1 FROM evidence_nodes WHERE level = NEW.level AND node_index = NEW.node_index)
  BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}: a node is written once'); END;
${appendOnly('evidence_nodes')}

-- Signed tree heads: the exact signed JSON bytes and the 64-byte Ed25519 signature.
CREATE TABLE evidence_tree_heads (
  id INTEGER PRIMARY KEY,
  tree_size INTEGER NOT NULL CHECK (tree_size >= 0),
  sth BLOB NOT NULL,
  signature BLOB NOT NULL CHECK (length(signature) = 64)
) STRICT;
CREATE INDEX evidence_tree_heads_by_size ON evidence_tree_heads (tree_size, id);
CREATE TRIGGER evidence_tree_heads_no_replace BEFORE INSERT ON evidence_tree_heads
  WHEN EXISTS (SELECT 1 FROM evidence_tree_heads WHERE id = NEW.id)
  BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}: a tree head is written once'); END;
${appendOnly('evidence_tree_heads')}
`,
  },
];
