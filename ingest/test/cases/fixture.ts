/** A real SQLite file in a temp dir, the cases tables, and an in-test evidence log in the same database. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { casesMigrations } from '../../src/cases/migrations.ts';
import type { CasesContext, EvidenceLeafInput } from '../../src/cases/evidence-port.ts';
import { openDatabase } from '../../src/db/open.ts';

export interface StoredLeaf {
  readonly leafIndex: number;
  readonly kind: string;
  readonly caseRef: string | null;
  readonly data: Record<string, unknown>;
}

export interface Fixture extends CasesContext {
  readonly file: string;
  clock: number;
  /** Makes the next append throw (to prove the row and leaf commit together). */
  failNextAppend: boolean;
  leaves(): StoredLeaf[];
  close(): void;
}

export function openFixture(startIso = '2026-03-02T09:00:00.000Z'): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-cases-'));
  const file = join(dir, 'earshot.db');
  const db: Database = openDatabase(file, [
    ...casesMigrations,
    { name: 'test-leaves', sql: 'CREATE TABLE test_leaves (leaf_index INTEGER PRIMARY KEY, leaf TEXT NOT NULL) STRICT' },
  ]);
  const insert = db.prepare<[number, string]>('INSERT INTO test_leaves (leaf_index, leaf) VALUES (?, ?)');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM test_leaves');
  const f: Fixture = {
    file,
    db,
    clock: Date.parse(startIso),
    failNextAppend: false,
    now: () => f.clock,
    evidence: {
      append(leaf: EvidenceLeafInput) {
        if (f.failNextAppend) {
          f.failNextAppend = false;
          throw new Error('evidence log unavailable');
        }
        const leafIndex = count.get()?.n ?? 0;
        const bytes = JSON.stringify({ v: 1, kind: leaf.kind, recordedAt: new Date(f.clock).toISOString(), caseRef: leaf.caseRef, data: leaf.data });
        insert.run(leafIndex, bytes);
        return { leafIndex };
      },
    },
    leaves: () =>
      db
        .prepare<[], { leaf_index: number; leaf: string }>('SELECT * FROM test_leaves ORDER BY leaf_index')
        .all()
        .map((r) => {
          const l = JSON.parse(r.leaf) as { kind: string; caseRef: string | null; data: Record<string, unknown> };
          return { leafIndex: r.leaf_index, kind: l.kind, caseRef: l.caseRef, data: l.data };
        }),
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return f;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The error code a call throws, if any. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}
