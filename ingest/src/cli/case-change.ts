/**
 * `earshot case open --category high-risk|general --officer USERNAME --address TEXT [--ref REF] [--complainant-name N --complainant-contact C]`
 * `earshot case categorise REF --category C --reason TEXT --by NAME` · `earshot case close REF --reason TEXT --by NAME`
 * `earshot case reopen REF --reason TEXT --by NAME`
 */
import { parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { openAssignedCaseSteps } from '../cases/assigned-officer.ts';
import { categoriseCaseSteps, changeCaseStatusSteps } from '../cases/cases.ts';
import { CaseRefArg, DataDir, refArg } from './case-args.ts';
import { type Command, DATA_DIR_OPTION } from './context.ts';
import { withRecordStore } from './with-record-store.ts';

const Category = z.enum(['high-risk', 'general']);

export const open: Command = (args, io) => {
  const a = parseCommand(args, {
    ...DATA_DIR_OPTION, ref: { type: 'string' }, category: { type: 'string' }, officer: { type: 'string' }, address: { type: 'string' },
    'complainant-name': { type: 'string' }, 'complainant-contact': { type: 'string' },
  }, z.object({
    positionals: z.array(z.string()).max(0), ...DataDir, ref: z.string().optional(), category: Category, officer: z.string(), address: z.string(),
    'complainant-name': z.string().optional(), 'complainant-contact': z.string().optional(),
  }).refine((o) => (o['complainant-name'] === undefined) === (o['complainant-contact'] === undefined), { message: 'give --complainant-name and --complainant-contact together', path: ['complainant-name'] }));
  return withRecordStore(a['data-dir'], 'write', async (record) => {
    // The officer is an account's username, as in the web view's list (never a typed name); without --ref,
    // the next free reference of the year, taken in the opening's transaction.
    const c = await record.write(openAssignedCaseSteps({
      ref: a.ref, category: a.category, officer: a.officer, address: a.address,
      ...(a['complainant-name'] === undefined ? {} : { complainant: { name: a['complainant-name'], contact: a['complainant-contact']! } }),
    }, record.now()));
    io.out(`Case ${c.ref} opened (${c.category}); first contact due by ${c.responseDueAt}.`);
    return 0;
  });
};

export const categorise: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, category: { type: 'string' }, reason: { type: 'string' }, by: { type: 'string' } }, z.object({
    positionals: CaseRefArg, ...DataDir, category: Category, reason: z.string(), by: z.string(),
  }));
  return withRecordStore(a['data-dir'], 'write', async (record) => {
    const c = await record.write(categoriseCaseSteps({ ref: refArg(a.positionals), category: a.category, reason: a.reason, by: a.by }, record.now()));
    io.out(`Case ${c.ref} is now ${c.category}; first contact due by ${c.responseDueAt}.`);
    return 0;
  });
};

function statusChange(kind: 'close' | 'reopen'): Command {
  return (args, io) => {
    const a = parseCommand(args, { ...DATA_DIR_OPTION, reason: { type: 'string' }, by: { type: 'string' } }, z.object({ positionals: CaseRefArg, ...DataDir, reason: z.string(), by: z.string() }));
    return withRecordStore(a['data-dir'], 'write', async (record) => {
      const status = kind === 'close' ? 'closed' : 'open';
      const c = await record.write(changeCaseStatusSteps({ ref: refArg(a.positionals), status, reason: a.reason, by: a.by }, record.now()));
      io.out(`Case ${c.ref} ${kind === 'close' ? 'closed' : 'reopened'}.`);
      return 0;
    });
  };
}

export const close = statusChange('close');
export const reopen = statusChange('reopen');
