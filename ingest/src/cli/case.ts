/**
 * `earshot case open --category high-risk|general --officer USERNAME --address TEXT [--ref REF] [--complainant-name N --complainant-contact C]`
 * `earshot case list [--status open] [--officer NAME] [--json]` · `earshot case show REF [--complainant] [--json]`
 * `earshot case categorise REF --category C --reason TEXT --by NAME` · `earshot case close REF --reason TEXT --by NAME`
 * `earshot case reopen REF --reason TEXT --by NAME`
 */
import { EarshotError, parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { CASE_REF_PATTERN, categoriseCase, closeCase, listCases, nextCaseRef, openCase, reopenCase, showCase } from '../cases/index.ts';
import { requireAssignableOfficer } from '../cases/assigned-officer.ts';
import { createUsers } from '../users/index.ts';
import { type Command, DATA_DIR_OPTION, table, withIngest } from './context.ts';

const Ref = z.array(z.string()).length(1, 'one case reference, e.g. ASB-2026-0001');

/** The case reference argument, refused with its own code when it is not a reference at all. */
function refArg(positionals: readonly string[]): string {
  const ref = positionals[0]!;
  if (!CASE_REF_PATTERN.test(ref)) throw new EarshotError('EARSHOT_E_CASE_REF_INVALID', `${JSON.stringify(ref)} (like ASB-2026-0001)`);
  return ref;
}
const DataDir = { 'data-dir': z.string().optional() };
const Category = z.enum(['high-risk', 'general']);

const open: Command = (args, io) => {
  const a = parseCommand(args, {
    ...DATA_DIR_OPTION, ref: { type: 'string' }, category: { type: 'string' }, officer: { type: 'string' }, address: { type: 'string' },
    'complainant-name': { type: 'string' }, 'complainant-contact': { type: 'string' },
  }, z.object({
    positionals: z.array(z.string()).max(0), ...DataDir, ref: z.string().optional(), category: Category, officer: z.string(), address: z.string(),
    'complainant-name': z.string().optional(), 'complainant-contact': z.string().optional(),
  }).refine((o) => (o['complainant-name'] === undefined) === (o['complainant-contact'] === undefined), { message: 'give --complainant-name and --complainant-contact together', path: ['complainant-name'] }));
  return withIngest(a['data-dir'], (ingest) => {
    // The officer is an account's username, as in the web view's list (never a typed name).
    requireAssignableOfficer(createUsers(ingest.db).accounts(), a.officer);
    const ref = a.ref ?? nextCaseRef(ingest.db, 'ASB', new Date().getUTCFullYear());
    const c = openCase(ingest.cases, {
      ref, category: a.category, officer: a.officer, address: a.address,
      ...(a['complainant-name'] === undefined ? {} : { complainant: { name: a['complainant-name'], contact: a['complainant-contact']! } }),
    });
    io.out(`Case ${c.ref} opened (${c.category}); first contact due by ${c.responseDueAt}.`);
    return 0;
  });
};

const list: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, status: { type: 'string' }, officer: { type: 'string' }, json: { type: 'boolean' } }, z.object({
    positionals: z.array(z.string()).max(0), ...DataDir, status: z.enum(['open', 'inactive', 'closed']).optional(), officer: z.string().optional(), json: z.boolean().default(false),
  }));
  return withIngest(a['data-dir'], (ingest) => {
    const cases = listCases(ingest.db, { ...(a.status === undefined ? {} : { status: a.status }), ...(a.officer === undefined ? {} : { officer: a.officer }) });
    if (a.json) io.out(JSON.stringify(cases));
    else table(io, cases.map((c) => ({ ref: c.ref, status: c.status, category: c.category, officer: c.officer, opened: c.openedAt.slice(0, 10), 'response due': c.responseDueAt })), ['ref', 'status', 'category', 'officer', 'opened', 'response due'], 'No cases.');
    return 0;
  });
};

const show: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, complainant: { type: 'boolean' }, json: { type: 'boolean' } }, z.object({
    positionals: Ref, ...DataDir, complainant: z.boolean().default(false), json: z.boolean().default(false),
  }));
  return withIngest(a['data-dir'], (ingest) => {
    const c = showCase(ingest.db, refArg(a.positionals), { includeComplainant: a.complainant });
    if (a.json) {
      io.out(JSON.stringify(c));
      return 0;
    }
    io.out(`${c.ref}  ${c.status}  ${c.category}  officer ${c.officer}`);
    io.out(`address: ${c.address ?? '(purged)'}`);
    io.out(`opened ${c.openedAt}; first contact due by ${c.responseDueAt}${c.closedAt === null ? '' : `; closed ${c.closedAt}`}`);
    if (c.complainant !== undefined) io.out(`complainant: ${c.complainant === null ? '(none recorded)' : `${c.complainant.name}, ${c.complainant.contact}`}`);
    io.out('history:');
    for (const h of c.history) io.out(`  ${h.at}  ${h.action}  by ${h.by}${h.reason === null ? '' : ` — ${h.reason}`}  (leaf ${h.leafIndex})`);
    return 0;
  });
};

const categorise: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, category: { type: 'string' }, reason: { type: 'string' }, by: { type: 'string' } }, z.object({
    positionals: Ref, ...DataDir, category: Category, reason: z.string(), by: z.string(),
  }));
  return withIngest(a['data-dir'], (ingest) => {
    const c = categoriseCase(ingest.cases, { ref: refArg(a.positionals), category: a.category, reason: a.reason, by: a.by });
    io.out(`Case ${c.ref} is now ${c.category}; first contact due by ${c.responseDueAt}.`);
    return 0;
  });
};

function statusChange(kind: 'close' | 'reopen'): Command {
  return (args, io) => {
    const a = parseCommand(args, { ...DATA_DIR_OPTION, reason: { type: 'string' }, by: { type: 'string' } }, z.object({ positionals: Ref, ...DataDir, reason: z.string(), by: z.string() }));
    return withIngest(a['data-dir'], (ingest) => {
      const c = (kind === 'close' ? closeCase : reopenCase)(ingest.cases, refArg(a.positionals), a.reason, a.by);
      io.out(`Case ${c.ref} ${kind === 'close' ? 'closed' : 'reopened'}.`);
      return 0;
    });
  };
}

export const caseCommands: Record<string, Command> = { open, list, show, categorise, close: statusChange('close'), reopen: statusChange('reopen') };
