/**
 * The period of a court bundle: `--from` / `--to` (or the web's from/to), ISO 8601
 * instants with an offset, normalised to UTC with ms. Without them (the command
 * line), the period runs from the case's first installation (or its opening) to now.
 */
import { EarshotError } from '@earshot/shared';
import type { Db } from '../db/open.ts';
import { Instant } from '../cases/deployment-input.ts';
import { MAX_PERIOD_MS } from '../timeline/index.ts';

export interface Period {
  readonly from: number;
  readonly to: number;
}

export interface PeriodInput {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

function instant(name: string, value: string): number {
  if (!Instant.safeParse(value).success) throw new EarshotError('EARSHOT_E_BUNDLE_PERIOD_INVALID', `${name} ${JSON.stringify(value)} is not an ISO 8601 instant with an offset (e.g. 2026-03-01T22:00:00Z)`);
  return Date.parse(value);
}

/** Checks a period: both ends instants, from before to, at most the longest timeline (400 days). */
export function checkPeriod(from: number, to: number): Period {
  const iso = (ms: number): string => new Date(ms).toISOString();
  if (to <= from) throw new EarshotError('EARSHOT_E_BUNDLE_PERIOD_INVALID', `empty or reversed period: ${iso(from)} is not before ${iso(to)}`);
  if (to - from > MAX_PERIOD_MS) throw new EarshotError('EARSHOT_E_BUNDLE_PERIOD_INVALID', `longer than ${MAX_PERIOD_MS / 86_400_000} days`);
  return { from, to };
}

export function parsePeriod(from: string, to: string): Period {
  return checkPeriod(instant('from', from), instant('to', to));
}

/** The period asked for, the missing ends filled from the case: first installation (else opening) to now. */
export function resolvePeriod(db: Db, caseRef: string, input: PeriodInput, nowMs: number): Period {
  const from =
    input.from !== undefined
      ? instant('from', input.from)
      : (db.prepare<[string], { ms: number | null }>('SELECT min(installed_ms) AS ms FROM deployments WHERE case_ref = ?').get(caseRef)?.ms ??
        Date.parse(db.prepare<[string], { opened_at: string }>('SELECT opened_at FROM cases WHERE ref = ?').get(caseRef)?.opened_at ?? ''));
  const to = input.to !== undefined ? instant('to', input.to) : nowMs;
  if (!Number.isFinite(from)) throw new EarshotError('EARSHOT_E_CASE_NOT_FOUND', caseRef);
  return checkPeriod(from, to);
}
