/** Temp data folders, a real SQLite database with the evidence tables, and a server key. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type Db, openDatabase } from '../../src/db/open.ts';
import { EvidenceLog } from '../../src/evidence/evidence-log.ts';
import type { EvidenceLeaf } from '../../src/evidence/leaf.ts';
import { type ServerKey, serverKeyFromPrivate } from '../../src/evidence/server-key.ts';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'earshot-evidence-'));
  dirs.push(d);
  return d;
}

export function openEvidenceDb(file = join(tempDir(), 'earshot.db')): { db: Db; file: string } {
  const db = openDatabase(file, EvidenceLog.migrations);
  dbs.push(db);
  return { db, file };
}

export function newServerKey(): ServerKey {
  return serverKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
}

/** A fixed clock that moves on 1 s per call. */
export function steppingClock(startIso = '2026-03-01T22:00:00.000Z'): () => Date {
  let t = Date.parse(startIso);
  return () => new Date((t += 1000));
}

export function diaryLeaf(i: number, caseRef: string | null = 'ASB-2026-0001'): EvidenceLeaf {
  return { v: 1, kind: 'diary', recordedAt: new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString(), caseRef, data: { entry: i, text: `music through the wall ${i}` } };
}
