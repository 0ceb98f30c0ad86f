/** The next free case reference for a prefix and year: ASB-2026-0001, ASB-2026-0002, … (cases.ts nextCaseRefSteps). */
import type { Database } from 'better-sqlite3';
import { readNow } from '../storage/record/sqlite-record.ts';
import { nextCaseRefSteps } from './cases.ts';

export function nextCaseRef(db: Database, prefix: string, year: number): string {
  return readNow(db, nextCaseRefSteps(prefix, year));
}
