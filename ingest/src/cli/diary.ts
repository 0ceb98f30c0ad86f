/**
 * `earshot diary add --case REF --started TIME [--ended TIME] --heard TEXT [--effect TEXT] [--recorded-by NAME]`
 * `earshot diary import --case REF FILE.csv|-` (columns started_at,ended_at,heard,effect,recorded_by; all or nothing)
 * `earshot diary list --case REF [--json]`
 * Times without an offset are read as UK local time, as residents write them.
 * On the store EARSHOT_STORE_URL names, through the record port (with-record-store.ts).
 */
import { readFileSync } from 'node:fs';
import { EarshotError, parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { importDiaryRowsSteps, validateDiaryCsv } from '../cases/diary-import.ts';
import { addDiaryEntrySteps, listDiarySteps } from '../cases/diary.ts';
import { type Command, DATA_DIR_OPTION, table } from './context.ts';
import { withRecordStore } from './with-record-store.ts';

const DataDir = { 'data-dir': z.string().optional() };

const add: Command = (args, io) => {
  const a = parseCommand(args, {
    ...DATA_DIR_OPTION, case: { type: 'string' }, started: { type: 'string' }, ended: { type: 'string' }, heard: { type: 'string' }, effect: { type: 'string' }, 'recorded-by': { type: 'string' },
  }, z.object({
    positionals: z.array(z.string()).max(0), ...DataDir, case: z.string(), started: z.string(), ended: z.string().optional(), heard: z.string(), effect: z.string().optional(), 'recorded-by': z.string().optional(),
  }));
  return withRecordStore(a['data-dir'], 'write', async (record) => {
    const e = await record.write(addDiaryEntrySteps(a.case, {
      startedAt: a.started, heard: a.heard,
      ...(a.ended === undefined ? {} : { endedAt: a.ended }), ...(a.effect === undefined ? {} : { effect: a.effect }), ...(a['recorded-by'] === undefined ? {} : { recordedBy: a['recorded-by'] }),
    }, record.now()));
    io.out(`Diary entry ${e.id} added to ${a.case} (leaf ${e.leafIndex}).`);
    return 0;
  });
};

const importCsv: Command = async (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, case: { type: 'string' } }, z.object({ positionals: z.array(z.string()).length(1, 'one CSV file (or - for standard input)'), ...DataDir, case: z.string() }));
  const file = a.positionals[0]!;
  let text: string;
  try {
    text = file === '-' ? await io.stdin() : readFileSync(file, 'utf8');
  } catch (e) {
    throw new EarshotError('EARSHOT_E_FILE_UNREADABLE', `${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return withRecordStore(a['data-dir'], 'write', async (record) => {
    // A bad file is refused before any transaction: nothing of it reaches the store.
    const valid = validateDiaryCsv(text);
    if (!valid.ok) {
      for (const p of valid.problems) io.err(`${file}:${p.line}: ${p.problem}`);
      throw new EarshotError('EARSHOT_E_DIARY_CSV_INVALID', `${valid.problems.length} bad row(s) in ${file}; nothing imported`);
    }
    const r = await record.write(importDiaryRowsSteps(a.case, valid.rows, record.now()));
    io.out(`Imported ${r.imported.length} diary entr${r.imported.length === 1 ? 'y' : 'ies'} into ${a.case}${r.skipped.length > 0 ? `; skipped ${r.skipped.length} already recorded` : ''}.`);
    return 0;
  });
};

const list: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, case: { type: 'string' }, json: { type: 'boolean' } }, z.object({ positionals: z.array(z.string()).max(0), ...DataDir, case: z.string(), json: z.boolean().default(false) }));
  return withRecordStore(a['data-dir'], 'read', async (record) => {
    const entries = await record.read(listDiarySteps(a.case));
    if (a.json) io.out(JSON.stringify(entries));
    else table(io, entries.map((e) => ({ id: e.id, started: e.startedAt, ended: e.endedAt, heard: e.content?.heard ?? '(purged)' })), ['id', 'started', 'ended', 'heard'], 'No diary entries.');
    return 0;
  });
};

export const diaryCommands: Record<string, Command> = { add, import: importCsv, list };
