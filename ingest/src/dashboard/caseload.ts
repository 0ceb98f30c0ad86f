/**
 * The caseload dashboard (issue 12): an officer's cases — or, for a supervisor,
 * everyone's — with category, status, days since evidence, the response target
 * and whether it was met, the next contact due, what is new since the account
 * last opened the case, and each monitor's health; for supervisors, targets
 * met and missed this month and overdue contacts by officer. Written once as
 * record-port steps (storage/record/steps.ts), so either store answers it: one
 * statement for all the cases (indexed subqueries per case), so 200 open cases
 * answer well inside 300 ms (bench/dashboard.ts) and PostgreSQL in a few round trips.
 */
import { type CaseCategory, contactClock, type ContactClock } from '../cases/index.ts';
import { londonDate, londonMidnight } from '../cases/london-time.ts';
import { type Steps, all, get } from '../storage/record/steps.ts';
import { activeDeploymentsSteps, byBytes, healthOfSteps, type MonitorHealth } from './monitor-health.ts';

const DAY_MS = 86_400_000;

export interface DashboardCase extends ContactClock {
  readonly ref: string;
  readonly status: 'open' | 'inactive' | 'closed';
  readonly category: CaseCategory;
  readonly officer: string;
  readonly officerName: string;
  readonly address: string | null;
  readonly openedAt: string;
  readonly responseDueAt: string;
  readonly lastEvidenceAt: string | null;
  readonly daysSinceLastEvidence: number | null;
  /** Since this account last opened the case (or ever, if never). */
  readonly newSince: { readonly since: string | null; readonly events: number; readonly incidents: number; readonly diary: number };
  readonly monitors: readonly string[];
}

export interface OfficerLine {
  readonly officer: string;
  readonly officerName: string;
  readonly activeCases: number;
  readonly overdueContacts: number;
  readonly targetsMet: number;
  readonly targetsMissed: number;
}

export interface Dashboard {
  readonly scope: 'mine' | 'all';
  readonly generatedAt: string;
  readonly cases: DashboardCase[];
  readonly monitors: MonitorHealth[];
  /** Supervisors and admins: this month (Europe/London) by officer. */
  readonly team: { readonly month: string; readonly officers: OfficerLine[] } | null;
}

/**
 * The latest event, clip or diary entry of the case whose reference is `ref` (a column or `?`), ms or NULL:
 * the dashboard's and the case list's "days since the last evidence".
 */
export const lastEvidenceSql = (ref: string): string => `(SELECT max(t) FROM (
  SELECT max(device_time) AS t FROM events WHERE case_ref = ${ref}
  UNION ALL SELECT max(device_time) FROM clips WHERE case_ref = ${ref}
  UNION ALL SELECT max(started_ms) FROM diary_entries WHERE case_ref = ${ref}) AS latest)`;

/** When the last evidence was, and how many whole days before now (never negative). */
export function evidenceAge(t: number | null, now: number): { readonly lastEvidenceAt: string | null; readonly daysSinceLastEvidence: number | null } {
  return {
    lastEvidenceAt: t === null ? null : new Date(t).toISOString(),
    daysSinceLastEvidence: t === null ? null : Math.max(0, Math.floor((now - t) / DAY_MS)),
  };
}

interface CaseRow {
  ref: string; status: 'open' | 'inactive' | 'closed'; category: CaseCategory; officer: string; opened_at: string; response_due_at: string; details: string | null;
  last_evidence: number | null; first_contact: number | null; last_contact: number | null; seen_ms: number | null;
  new_events: number; new_incidents: number; diary_total: number; diary_latest: string | null;
}

/**
 * The cases not closed (one officer's, or everyone's) with what the dashboard shows of each, in one
 * statement: correlated subqueries on the per-case indexes, so PostgreSQL answers in one round trip.
 */
const ACTIVE_CASES = `SELECT c.ref, c.status, c.category, c.officer, c.opened_at, c.response_due_at, c.details,
  ${lastEvidenceSql('c.ref')} AS last_evidence,
  (SELECT min(at_ms) FROM case_contacts WHERE case_ref = c.ref) AS first_contact,
  (SELECT max(at_ms) FROM case_contacts WHERE case_ref = c.ref) AS last_contact,
  v.seen_ms,
  (SELECT count(DISTINCT CASE WHEN kind != 'incident' THEN device || '/' || event_id END) FROM events
    WHERE case_ref = c.ref AND device_time > coalesce(v.seen_ms, -1)) AS new_events,
  (SELECT count(*) FROM events WHERE case_ref = c.ref AND kind = 'incident' AND device_time > coalesce(v.seen_ms, -1)) AS new_incidents,
  (SELECT count(*) FROM diary_entries WHERE case_ref = c.ref) AS diary_total,
  (SELECT max(created_at) FROM diary_entries WHERE case_ref = c.ref) AS diary_latest
FROM cases c LEFT JOIN case_views v ON v.username = ? AND v.case_ref = c.ref
WHERE c.status != 'closed' AND (CAST(? AS TEXT) IS NULL OR c.officer = ?)`;

function addressOf(details: string | null): string | null {
  if (details === null) return null;
  const a = (JSON.parse(details) as { address?: unknown }).address;
  return typeof a === 'string' ? a : null;
}

/**
 * Diary entries received since the account last opened the case. created_at is ISO text (diary.ts) and
 * neither store can format ms as ISO the other's way, so the count is asked only when the latest entry is newer.
 */
function* newDiary(c: CaseRow): Steps<number> {
  if (c.seen_ms === null) return c.diary_total;
  const since = new Date(c.seen_ms).toISOString();
  if (c.diary_latest === null || c.diary_latest <= since) return 0;
  return (yield* get<{ n: number }>('SELECT count(*) AS n FROM diary_entries WHERE case_ref = ? AND created_at > ?', c.ref, since))!.n;
}

function* toDashboardCase(c: CaseRow, nameOf: ReadonlyMap<string, string>, monitors: readonly string[], now: number): Steps<DashboardCase> {
  return {
    ref: c.ref, status: c.status, category: c.category, officer: c.officer, officerName: nameOf.get(c.officer) ?? c.officer,
    address: addressOf(c.details), openedAt: c.opened_at, responseDueAt: c.response_due_at,
    ...evidenceAge(c.last_evidence, now),
    ...contactClock(c.status, c.response_due_at, c.first_contact, c.last_contact, now),
    newSince: {
      since: c.seen_ms === null ? null : new Date(c.seen_ms).toISOString(), events: c.new_events, incidents: c.new_incidents, diary: yield* newDiary(c),
    },
    monitors,
  };
}

export interface DashboardQuery {
  readonly username: string;
  readonly scope: 'mine' | 'all';
  readonly now: number;
}

type Team = NonNullable<Dashboard['team']>;

/** Supervisors and admins: each officer's active cases and overdue contacts, and the response targets that fell due this month (Europe/London). */
function* teamSteps(cases: readonly DashboardCase[], nameOf: ReadonlyMap<string, string>, now: number): Steps<Team> {
  const month = londonDate(now).slice(0, 7);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const from = new Date(londonMidnight(`${month}-01`)).toISOString();
  const to = new Date(londonMidnight(m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`)).toISOString();
  const lines = new Map<string, { activeCases: number; overdueContacts: number; targetsMet: number; targetsMissed: number }>();
  const line = (o: string) => {
    let l = lines.get(o);
    if (l === undefined) { l = { activeCases: 0, overdueContacts: 0, targetsMet: 0, targetsMissed: 0 }; lines.set(o, l); }
    return l;
  };
  for (const c of cases) {
    const l = line(c.officer);
    l.activeCases++;
    if (c.contactOverdue) l.overdueContacts++;
  }
  // Targets that fell due this month, London time.
  const due = yield* all<{ officer: string; response_due_at: string; first_contact: number | null }>(
    `SELECT c.officer, c.response_due_at, (SELECT min(at_ms) FROM case_contacts k WHERE k.case_ref = c.ref) AS first_contact
     FROM cases c WHERE c.response_due_at >= ? AND c.response_due_at < ?`,
    from, to,
  );
  for (const r of due) {
    const dueMs = Date.parse(r.response_due_at);
    if (r.first_contact !== null && r.first_contact <= dueMs) line(r.officer).targetsMet++;
    else if (r.first_contact !== null || dueMs < now) line(r.officer).targetsMissed++;
  }
  return {
    month,
    officers: [...lines].map(([officer, l]) => ({ officer, officerName: nameOf.get(officer) ?? officer, ...l })).sort((a, b) => a.officerName.localeCompare(b.officerName)),
  };
}

/** The dashboard for one account at q.now, read in one snapshot. */
export function* dashboardSteps(q: DashboardQuery): Steps<Dashboard> {
  const nameOf = new Map((yield* all<{ username: string; display_name: string }>('SELECT username, display_name FROM users')).map((u) => [u.username, u.display_name]));
  const deployed = yield* activeDeploymentsSteps();
  const byCase = new Map<string, string[]>();
  for (const d of deployed.values()) byCase.set(d.case_ref, [...(byCase.get(d.case_ref) ?? []), d.device_id]);
  const officer = q.scope === 'mine' ? q.username : null;
  const rows = yield* all<CaseRow>(ACTIVE_CASES, q.username, officer, officer);
  rows.sort((a, b) => byBytes(a.response_due_at, b.response_due_at) || byBytes(a.ref, b.ref));
  const cases: DashboardCase[] = [];
  for (const c of rows) cases.push(yield* toDashboardCase(c, nameOf, byCase.get(c.ref) ?? [], q.now));
  const mineDevices = q.scope === 'mine' ? new Set(cases.flatMap((c) => c.monitors)) : undefined;
  const monitors = yield* healthOfSteps(deployed, q.now, mineDevices === undefined ? undefined : { deviceIds: mineDevices });
  const team = q.scope === 'all' ? yield* teamSteps(cases, nameOf, q.now) : null;
  return { scope: q.scope, generatedAt: new Date(q.now).toISOString(), cases, monitors, team };
}
