/**
 * `earshot case list [--status open] [--officer NAME] [--json]` · `earshot case show REF [--complainant] [--json]`
 * Reading only: on SQLite they open the data folder's database and key (withRecord), not the evidence log and
 * the rest of the service that changing a case needs, so they start at once; on PostgreSQL, one snapshot.
 */
import { parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { listCasesSteps, showCaseSteps } from '../cases/case-queries.ts';
import { CaseRefArg, DataDir, refArg } from './case-args.ts';
import { type Command, DATA_DIR_OPTION, table } from './context.ts';
import { withRecordStore } from './with-record-store.ts';

export const list: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, status: { type: 'string' }, officer: { type: 'string' }, json: { type: 'boolean' } }, z.object({
    positionals: z.array(z.string()).max(0), ...DataDir, status: z.enum(['open', 'inactive', 'closed']).optional(), officer: z.string().optional(), json: z.boolean().default(false),
  }));
  return withRecordStore(a['data-dir'], 'read', async (record) => {
    const cases = await record.read(listCasesSteps({ ...(a.status === undefined ? {} : { status: a.status }), ...(a.officer === undefined ? {} : { officer: a.officer }) }));
    if (a.json) io.out(JSON.stringify(cases));
    else table(io, cases.map((c) => ({ ref: c.ref, status: c.status, category: c.category, officer: c.officer, opened: c.openedAt.slice(0, 10), 'response due': c.responseDueAt })), ['ref', 'status', 'category', 'officer', 'opened', 'response due'], 'No cases.');
    return 0;
  });
};

export const show: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, complainant: { type: 'boolean' }, json: { type: 'boolean' } }, z.object({
    positionals: CaseRefArg, ...DataDir, complainant: z.boolean().default(false), json: z.boolean().default(false),
  }));
  return withRecordStore(a['data-dir'], 'read', async (record) => {
    const c = await record.read(showCaseSteps(refArg(a.positionals), { includeComplainant: a.complainant }));
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
