/**
 * Importing a complainant's diary from CSV.
 *
 * Columns (header row required, any order, names case-insensitive):
 *   started_at   required  when it started (see local-time-input.ts for formats)
 *   ended_at     optional  when it ended
 *   heard        required  what they heard
 *   effect       optional  how it affected them
 *   recorded_by  optional  who wrote the entry, when not the complainant
 *
 * All or nothing: a file with any bad row imports nothing, and every bad row is
 * reported with its line number. A partial import would leave the officer unsure
 * which of the resident's entries are on the case, and re-importing the corrected
 * file would duplicate the good rows; the whole file is one transaction.
 *
 * Re-importing is safe: a row with the same start, end and text as an entry
 * already on the case (or an earlier row of the file) is skipped and reported,
 * so a resident can keep adding to one spreadsheet and send it again.
 */
import type { z } from 'zod';
import { writeNow } from '../storage/record/sqlite-record.ts';
import type { Steps } from '../storage/record/steps.ts';
import { parseCsv } from './csv.ts';
import { DiaryEntryInput } from './diary-input.ts';
import { insertDiaryEntrySteps, listDiarySteps, requireDiaryCaseSteps } from './diary.ts';
import type { CasesContext } from './evidence-port.ts';
import { describeIssues } from './validate.ts';

export const DIARY_CSV_COLUMNS = ['started_at', 'ended_at', 'heard', 'effect', 'recorded_by'] as const;
const REQUIRED = new Set(['started_at', 'heard']);
/** Bounds a single import (one entry per episode: a year of nightly entries fits easily). */
export const MAX_DIARY_ROWS = 5_000;
export const MAX_DIARY_CSV_CHARS = 10_000_000;

export interface RowProblem {
  readonly line: number;
  readonly problem: string;
}

/** A row already on the case (`entryId`) or repeating an earlier row of the file (`line`). */
export interface SkippedRow {
  readonly line: number;
  readonly duplicateOf: { readonly entryId: number } | { readonly line: number };
}

export type DiaryImportResult =
  | { readonly ok: true; readonly imported: readonly number[]; readonly skipped: readonly SkippedRow[] }
  | { readonly ok: false; readonly code: 'EARSHOT_E_DIARY_CSV_INVALID'; readonly problems: readonly RowProblem[] };

const KEY_OF: Readonly<Record<(typeof DIARY_CSV_COLUMNS)[number], keyof z.input<typeof DiaryEntryInput>>> = {
  started_at: 'startedAt',
  ended_at: 'endedAt',
  heard: 'heard',
  effect: 'effect',
  recorded_by: 'recordedBy',
};

function sameEntryKey(startedMs: number, endedMs: number | undefined, heard: string): string {
  return `${startedMs}\u0000${endedMs ?? ''}\u0000${heard}`;
}

type DiaryCsvInvalid = Extract<DiaryImportResult, { readonly ok: false }>;
/** What an import of validated rows gives back. */
export type DiaryImported = Extract<DiaryImportResult, { readonly ok: true }>;

function fail(problems: RowProblem[]): DiaryCsvInvalid {
  return { ok: false, code: 'EARSHOT_E_DIARY_CSV_INVALID', problems };
}

/** A file's rows, every one good, with their line numbers. */
export type ValidDiaryCsv = { readonly ok: true; readonly rows: readonly { readonly line: number; readonly entry: z.output<typeof DiaryEntryInput> }[] };

/** Validates the whole file, touching no store: its good rows, or every problem. */
export function validateDiaryCsv(text: string): ValidDiaryCsv | DiaryCsvInvalid {
  if (text.length > MAX_DIARY_CSV_CHARS) return fail([{ line: 1, problem: `the file is larger than ${MAX_DIARY_CSV_CHARS} characters` }]);
  const parsed = parseCsv(text);
  if (!parsed.ok) return fail([{ line: parsed.line, problem: parsed.problem }]);
  const [header, ...rows] = parsed.records;
  if (header === undefined) return fail([{ line: 1, problem: 'the file is empty' }]);
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const problems: RowProblem[] = [];
  for (const n of names) if (!(DIARY_CSV_COLUMNS as readonly string[]).includes(n)) problems.push({ line: header.line, problem: `unknown column "${n}" (expected ${DIARY_CSV_COLUMNS.join(', ')})` });
  for (const r of REQUIRED) if (!names.includes(r)) problems.push({ line: header.line, problem: `missing column "${r}"` });
  if (new Set(names).size !== names.length) problems.push({ line: header.line, problem: 'a column appears twice' });
  if (problems.length > 0) return fail(problems);
  if (rows.length === 0) return fail([{ line: header.line, problem: 'no entries after the header' }]);
  if (rows.length > MAX_DIARY_ROWS) return fail([{ line: header.line, problem: `${rows.length} entries: at most ${MAX_DIARY_ROWS} per file` }]);

  const good: { line: number; entry: z.output<typeof DiaryEntryInput> }[] = [];
  for (const row of rows) {
    if (row.fields.length !== names.length) {
      problems.push({ line: row.line, problem: `${row.fields.length} fields, the header has ${names.length}` });
      continue;
    }
    const input: Record<string, string> = {};
    names.forEach((n, i) => {
      const v = row.fields[i]?.trim() ?? '';
      // An empty cell is an absent optional value.
      if (v !== '') input[KEY_OF[n as (typeof DIARY_CSV_COLUMNS)[number]]] = v;
    });
    const r = DiaryEntryInput.safeParse(input);
    if (r.success) good.push({ line: row.line, entry: r.data });
    else problems.push({ line: row.line, problem: describeIssues(r.error) });
  }
  if (problems.length > 0) return fail(problems);
  return { ok: true, rows: good };
}

/**
 * Imports validated rows in one transaction (received at nowMs), skipping those already recorded. A file
 * with a bad row never reaches this: validate it first (validateDiaryCsv), touching no store.
 */
export function* importDiaryRowsSteps(caseRef: string, rows: ValidDiaryCsv['rows'], nowMs: number): Steps<DiaryImported> {
  const ref = yield* requireDiaryCaseSteps(caseRef);
  const seen = new Map<string, SkippedRow['duplicateOf']>();
  for (const e of yield* listDiarySteps(ref)) {
    if (e.content !== null) seen.set(sameEntryKey(Date.parse(e.startedAt), e.endedAt === null ? undefined : Date.parse(e.endedAt), e.content.heard), { entryId: e.id });
  }
  const imported: number[] = [];
  const skipped: SkippedRow[] = [];
  for (const { line, entry } of rows) {
    const key = sameEntryKey(entry.startedAt, entry.endedAt, entry.heard);
    const existing = seen.get(key);
    if (existing !== undefined) {
      skipped.push({ line, duplicateOf: existing });
      continue;
    }
    seen.set(key, { line });
    imported.push(yield* insertDiaryEntrySteps(ref, entry, 'csv', nowMs));
  }
  return { ok: true, imported, skipped };
}

/** Validates the file, then imports it when every row is good. */
export function* importDiaryCsvSteps(caseRef: string, text: string, nowMs: number): Steps<DiaryImportResult> {
  const valid = validateDiaryCsv(text);
  return valid.ok ? yield* importDiaryRowsSteps(caseRef, valid.rows, nowMs) : valid;
}

/** The same on the embedded store, at once; a bad file opens no transaction. */
export function importDiaryCsv(ctx: CasesContext, caseRef: string, text: string): DiaryImportResult {
  const valid = validateDiaryCsv(text);
  return valid.ok ? writeNow(ctx, importDiaryRowsSteps(caseRef, valid.rows, ctx.now())) : valid;
}
