/** The next free case reference for a prefix and year: ASB-2026-0001, ASB-2026-0002, … */
import type { Database } from 'better-sqlite3';
import { EarshotError } from '@earshot/shared';

export function nextCaseRef(db: Database, prefix: string, year: number): string {
  if (!/^[A-Z]{2,8}$/.test(prefix) || !Number.isInteger(year) || year < 1000 || year > 9999) {
    throw new EarshotError('EARSHOT_E_CASE_REF_INVALID', `${prefix}-${year}-…: a prefix of 2–8 capitals and a four-digit year`);
  }
  const stem = `${prefix}-${year}-`;
  const refs = db.prepare<[string], { ref: string }>("SELECT ref FROM cases WHERE ref LIKE ? || '%'").all(stem);
  let max = 0;
  for (const { ref } of refs) max = Math.max(max, Number(ref.slice(stem.length)) || 0);
  return `${stem}${String(max + 1).padStart(4, '0')}`;
}
