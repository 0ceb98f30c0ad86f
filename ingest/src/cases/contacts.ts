/**
 * The contact log: each contact with the complainant (when, how, a summary).
 * Landlord ASB policy (issue 4, 12): the first contact is what the response
 * target measures; after it, contact at least weekly (a tenant scrutiny panel's
 * top recommendation). The summary is committed content (content.ts): the leaf
 * carries its hash, the row its text, which the retention purge can remove.
 * Written as steps (storage/record/steps.ts) that either store carries out.
 */
import { EarshotError } from '@earshot/shared';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { readNow, writeNow } from '../storage/record/sqlite-record.ts';
import { type Steps, all, append, get, run } from '../storage/record/steps.ts';
import { requireNotClosed, requireCaseStep } from './case-row.ts';
import { commitContent } from './content.ts';
import type { CasesContext } from './evidence-port.ts';
import { Instant } from './deployment-input.ts';
import { CaseRef } from './reference.ts';
import { parseInput } from './validate.ts';

/** Issue 12: "contact with the complainant at least weekly". */
export const CONTACT_INTERVAL_MS = 7 * 86_400_000;

export const ContactMethod = z.enum(['visit', 'phone', 'email', 'letter', 'text']);
export type ContactMethod = z.infer<typeof ContactMethod>;

export const ContactInput = z.object({
  caseRef: CaseRef,
  /** When the contact happened; now if not given. Not in the future. */
  at: Instant.optional(),
  method: ContactMethod,
  summary: z.string().trim().min(3).max(4000),
  /** The account that made the contact. */
  by: z.string().trim().min(1).max(100),
});
export type ContactInput = z.input<typeof ContactInput>;

export interface Contact {
  readonly id: number;
  readonly caseRef: string;
  readonly at: string;
  readonly method: ContactMethod;
  readonly by: string;
  /** null once purged. */
  readonly summary: string | null;
  readonly leafIndex: number;
}

interface ContactRow { id: number; case_ref: string; at_ms: number; method: ContactMethod; by_user: string; content: string | null; leaf_index: number }

const Content = z.object({ summary: z.string() });

function toContact(r: ContactRow): Contact {
  return {
    id: r.id, caseRef: r.case_ref, at: new Date(r.at_ms).toISOString(), method: r.method, by: r.by_user,
    summary: r.content === null ? null : Content.parse(JSON.parse(r.content)).summary, leafIndex: r.leaf_index,
  };
}

/** A minute of slack for the clocks of the browser and the server. */
const FUTURE_SLACK_MS = 60_000;

export function* recordContactSteps(input: ContactInput, nowMs: number): Steps<Contact> {
  const c = parseInput(ContactInput, input, 'EARSHOT_E_CASE_INPUT_INVALID');
  const atMs = c.at === undefined ? nowMs : Date.parse(c.at);
  if (atMs > nowMs + FUTURE_SLACK_MS) throw new EarshotError('EARSHOT_E_CASE_INPUT_INVALID', `at: ${c.at ?? ''} is in the future`);
  const content = commitContent({ summary: c.summary });
  const createdAt = new Date(nowMs).toISOString();
  const row = yield* requireCaseStep(c.caseRef);
  requireNotClosed(row, 'record a contact');
  if (atMs < Date.parse(row.opened_at) - FUTURE_SLACK_MS) throw new EarshotError('EARSHOT_E_CASE_INPUT_INVALID', `at: ${new Date(atMs).toISOString()} is before the case was opened`);
  // The row first (leaf_index set just below), so the leaf can name the contact's id.
  const { id } = (yield* get<{ id: number }>(
    'INSERT INTO case_contacts (case_ref, at_ms, method, by_user, content, content_sha256, created_at, leaf_index) VALUES (?, ?, ?, ?, ?, ?, ?, -1) RETURNING id',
    c.caseRef, atMs, c.method, c.by, content.json, content.sha256, createdAt,
  ))!;
  const data = { action: 'contacted', contactId: id, at: new Date(atMs).toISOString(), method: c.method, by: c.by, contentSha256: content.sha256 };
  const { leafIndex } = yield* append({ kind: 'case', caseRef: c.caseRef, data });
  yield* run('UPDATE case_contacts SET leaf_index = ? WHERE id = ?', leafIndex, id);
  yield* run('INSERT INTO case_history (case_ref, at, action, by_officer, reason, detail, leaf_index) VALUES (?, ?, ?, ?, ?, ?, ?)',
    c.caseRef, createdAt, 'contacted', c.by, null, JSON.stringify(data), leafIndex);
  return toContact((yield* get<ContactRow>('SELECT * FROM case_contacts WHERE id = ?', id))!);
}

export function* listContactsSteps(caseRef: string): Steps<Contact[]> {
  return (yield* all<ContactRow>('SELECT * FROM case_contacts WHERE case_ref = ? ORDER BY at_ms, id', caseRef)).map(toContact);
}

// The same operations on the embedded store, at once.

export function recordContact(ctx: CasesContext, input: ContactInput): Contact {
  return writeNow(ctx, recordContactSteps(input, ctx.now()));
}

export function listContacts(db: Database, caseRef: string): Contact[] {
  return readNow(db, listContactsSteps(caseRef));
}

export interface ContactClock {
  readonly firstContactAt: string | null;
  readonly lastContactAt: string | null;
  /** Met: first contact by the target; missed: after it, or none and the target passed; pending otherwise. */
  readonly responseTarget: 'met' | 'missed' | 'pending';
  /** When the next contact is due: the response target before the first contact, then a week after the last. Null when not open. */
  readonly nextContactDueAt: string | null;
  readonly contactOverdue: boolean;
}

/** Pure: the two clocks of a case from its first and last contact. */
export function contactClock(status: string, responseDueAt: string, firstMs: number | null, lastMs: number | null, nowMs: number): ContactClock {
  const dueMs = Date.parse(responseDueAt);
  const responseTarget = firstMs !== null ? (firstMs <= dueMs ? 'met' : 'missed') : nowMs > dueMs ? 'missed' : 'pending';
  const nextMs = status !== 'open' ? null : lastMs === null ? dueMs : lastMs + CONTACT_INTERVAL_MS;
  return {
    firstContactAt: firstMs === null ? null : new Date(firstMs).toISOString(),
    lastContactAt: lastMs === null ? null : new Date(lastMs).toISOString(),
    responseTarget,
    nextContactDueAt: nextMs === null ? null : new Date(nextMs).toISOString(),
    contactOverdue: nextMs !== null && nowMs > nextMs,
  };
}
