/**
 * `earshot case open --category high-risk|general --officer USERNAME --address TEXT [--ref REF] [--complainant-name N --complainant-contact C]`
 * `earshot case categorise REF --category C --reason TEXT --by NAME` · `earshot case close REF --reason TEXT --by NAME`
 * `earshot case reopen REF --reason TEXT --by NAME`
 */
import { parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { categoriseCase, closeCase, nextCaseRef, openCase, reopenCase } from '../cases/index.ts';
import { requireAssignableOfficer } from '../cases/assigned-officer.ts';
import { createUsers } from '../users/index.ts';
import { CaseRefArg, DataDir, refArg } from './case-args.ts';
import { type Command, DATA_DIR_OPTION } from './context.ts';
import { withIngest } from './with-ingest.ts';

const Category = z.enum(['high-risk', 'general']);

export const open: Command = (args, io) => {
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

export const categorise: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, category: { type: 'string' }, reason: { type: 'string' }, by: { type: 'string' } }, z.object({
    positionals: CaseRefArg, ...DataDir, category: Category, reason: z.string(), by: z.string(),
  }));
  return withIngest(a['data-dir'], (ingest) => {
    const c = categoriseCase(ingest.cases, { ref: refArg(a.positionals), category: a.category, reason: a.reason, by: a.by });
    io.out(`Case ${c.ref} is now ${c.category}; first contact due by ${c.responseDueAt}.`);
    return 0;
  });
};

function statusChange(kind: 'close' | 'reopen'): Command {
  return (args, io) => {
    const a = parseCommand(args, { ...DATA_DIR_OPTION, reason: { type: 'string' }, by: { type: 'string' } }, z.object({ positionals: CaseRefArg, ...DataDir, reason: z.string(), by: z.string() }));
    return withIngest(a['data-dir'], (ingest) => {
      const c = (kind === 'close' ? closeCase : reopenCase)(ingest.cases, refArg(a.positionals), a.reason, a.by);
      io.out(`Case ${c.ref} ${kind === 'close' ? 'closed' : 'reopened'}.`);
      return 0;
    });
  };
}

export const close = statusChange('close');
export const reopen = statusChange('reopen');
