/**
 * `earshot diary` on PostgreSQL (EARSHOT_STORE_URL set), called in this process as the command line calls
 * it: the same lines as on SQLite, the same refusals with the same codes, the rows in PostgreSQL and no
 * SQLite file made. And the officer's other writes to a case (contacts, plan notes, annotations, diary
 * corrections) as steps of the record port on both stores, with the same clock: the same answers, refusals
 * and evidence leaves. A real PostgreSQL.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { annotateSteps } from '../../src/cases/annotations.ts';
import { changeCaseStatusSteps, openCaseSteps } from '../../src/cases/cases.ts';
import { listContactsSteps, recordContactSteps } from '../../src/cases/contacts.ts';
import { correctDiaryEntrySteps, diaryCorrectionsSteps } from '../../src/cases/diary-correction.ts';
import { importDiaryCsvSteps } from '../../src/cases/diary-import.ts';
import { addDiaryEntrySteps, getDiaryEntrySteps, listDiarySteps } from '../../src/cases/diary.ts';
import { addPlanNoteSteps, listPlanNotesSteps } from '../../src/cases/plan-notes.ts';
import { caseCommands } from '../../src/cli/case.ts';
import { diaryCommands } from '../../src/cli/diary.ts';
import { userCommands } from '../../src/cli/user.ts';
import { type OpenedStore, attempt, bothStores, refusalsOf, runOnBoth, type testClock } from '../storage/both-stores.ts';
import { usePostgres } from '../storage/pg-fixture.ts';
import { storeCommands } from './store-commands.ts';

const fx = usePostgres();
const stores = bothStores(fx);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

const command = storeCommands({ case: caseCommands, diary: diaryCommands, user: userCommands });

/**
 * Runs `earshot <group> <sub> …` on the store `url` names (undefined: SQLite): its lines, or its error's code.
 * What differs between two runs is masked: the time of receipt and the first-contact target (the clock),
 * the salted commitments (content.ts) and the folder the files are in.
 */
async function earshot(url: string | undefined, dir: string, group: string, sub: string, ...args: string[]): Promise<string[]> {
  const out = await command(url, join(dir, 'data'), group, sub, ...args);
  return out.map((l) => l
    .replaceAll(dir, 'DIR')
    .replace(/due by \S+Z\./, 'due by TIME.')
    .replace(/"receivedAt":"[^"]+"/g, '"receivedAt":"TIME"')
    .replace(/"contentSha256":"[0-9a-f]{64}"/g, '"contentSha256":"(salted)"'));
}

const GOOD_CSV = [
  'started_at,ended_at,heard,effect,recorded_by',
  // The entry `diary add` made: already recorded, so skipped.
  '2026-11-20 23:40,2026-11-21 01:10,Bass music through the wall,,',
  // Summer: UK local time is an hour ahead of UTC.
  '2026-07-01 22:15,,Shouting on the stairs,Woke the children,',
  '2026-11-22 00:30,2026-11-22 02:00,Door slams and music,Could not sleep,officer by phone',
].join('\n');
const BAD_CSV = 'started_at,ended_at,heard,effect,recorded_by\nyesterday,,Shouting,,\n2026-11-21 02:00,2026-11-21 01:00,Door slams,,\n2026-11-23 01:00,,Music,,\n';

async function session(url: string | undefined, dir: string): Promise<string[][]> {
  const run = (group: string, sub: string, ...args: string[]): Promise<string[]> => earshot(url, dir, group, sub, ...args);
  const year = new Date().getUTCFullYear();
  const ref = `ASB-${year}-0001`;
  writeFileSync(join(dir, 'good.csv'), GOOD_CSV);
  writeFileSync(join(dir, 'bad.csv'), BAD_CSV);
  return [
    await run('user', 'add', 'jsmith', '--name', 'Jo Smith', '--initials', 'JS', '--role', 'officer', '--password-stdin'),
    await run('case', 'open', '--category', 'general', '--officer', 'jsmith', '--address', '1 High Street'),
    await run('case', 'open', '--category', 'general', '--officer', 'jsmith', '--address', '2 High Street'),
    await run('case', 'close', `ASB-${year}-0002`, '--reason', 'resolved', '--by', 'jsmith'),
    // Local times, as a resident writes them: November is GMT.
    await run('diary', 'add', '--case', ref, '--started', '2026-11-20 23:40', '--ended', '2026-11-21 01:10', '--heard', 'Bass music through the wall'),
    await run('diary', 'add', '--case', ref, '--started', '2026-11-21 02:00', '--ended', '2026-11-21 01:00', '--heard', 'Door slams'),
    await run('diary', 'add', '--case', `ASB-${year}-0002`, '--started', '2026-11-21 02:00', '--heard', 'Door slams'),
    await run('diary', 'add', '--case', `ASB-${year}-0404`, '--started', '2026-11-21 02:00', '--heard', 'Door slams'),
    // A bad file imports nothing, every bad row named.
    await run('diary', 'import', '--case', ref, join(dir, 'bad.csv')),
    await run('diary', 'import', '--case', ref, join(dir, 'good.csv')),
    // Sent again: every row is already recorded.
    await run('diary', 'import', '--case', ref, join(dir, 'good.csv')),
    await run('diary', 'import', '--case', `ASB-${year}-0404`, join(dir, 'good.csv')),
    await run('diary', 'list', '--case', ref),
    await run('diary', 'list', '--case', ref, '--json'),
    await run('diary', 'list', '--case', `ASB-${year}-0002`),
  ];
}

describe('earshot diary on PostgreSQL', () => {
  it('says the same as on SQLite, refuses alike, and keeps its rows in PostgreSQL', async () => {
    const { url } = await fx.database();
    const pgDir = tempDir('earshot-diary-pg-');
    const liteDir = tempDir('earshot-diary-lite-');
    const onPostgres = await session(url, pgDir);
    const onSqlite = await session(undefined, liteDir);
    expect(onPostgres).toEqual(onSqlite);
    expect(existsSync(join(pgDir, 'data', 'earshot.db'))).toBe(false);
    // The session did what it says (two stores wrong alike still fail).
    const year = new Date().getUTCFullYear();
    const ref = `ASB-${year}-0001`;
    expect(onPostgres[4]).toEqual([`Diary entry 1 added to ${ref} (leaf 3).`, 'exit 0']);
    expect(onPostgres[5]).toEqual(['refused EARSHOT_E_DIARY_INVALID']);
    expect(onPostgres[6]).toEqual(['refused EARSHOT_E_CASE_STATUS']);
    expect(onPostgres[7]).toEqual(['refused EARSHOT_E_CASE_NOT_FOUND']);
    expect(onPostgres[8]).toEqual([
      expect.stringMatching(/^err: DIR\/bad\.csv:2: /), expect.stringMatching(/^err: DIR\/bad\.csv:3: /), 'refused EARSHOT_E_DIARY_CSV_INVALID',
    ]);
    expect(onPostgres[9]).toEqual([`Imported 2 diary entries into ${ref}; skipped 1 already recorded.`, 'exit 0']);
    expect(onPostgres[10]).toEqual([`Imported 0 diary entries into ${ref}; skipped 3 already recorded.`, 'exit 0']);
    expect(onPostgres[11]).toEqual(['refused EARSHOT_E_CASE_NOT_FOUND']);
    const listed = onPostgres[12]!.join('\n');
    expect(listed).toMatch(/2026-07-01T21:15:00\.000Z/);
    expect(listed).toMatch(/2026-11-20T23:40:00\.000Z\s+2026-11-21T01:10:00\.000Z\s+Bass music through the wall/);
    expect(listed).not.toMatch(/Music\s*$/m);
    const entries = JSON.parse(onPostgres[13]![0]!) as { id: number; source: string; content: { heard: string; recordedBy: string | null } }[];
    expect(entries.map((e) => [e.id, e.source, e.content.heard])).toEqual([
      [2, 'import', 'Shouting on the stairs'], [1, 'officer', 'Bass music through the wall'], [3, 'import', 'Door slams and music'],
    ]);
    expect(entries[2]!.content.recordedBy).toBe('officer by phone');
    expect(onPostgres[14]).toEqual(['No diary entries.', 'exit 0']);
    const pool = await fx.pool((await import('../../src/storage/store-url.ts')).parseStoreUrl(url) as never);
    const counts = (await pool.query<{ diary: number; leaves: number; diaryLeaves: number }>(
      `SELECT (SELECT count(*) FROM diary_entries) AS diary, (SELECT count(*) FROM evidence_leaves) AS leaves,
        (SELECT count(*) FROM diary_entries d JOIN evidence_leaves l ON l.leaf_index = d.leaf_index) AS "diaryLeaves"`,
    )).rows[0];
    // Two cases opened, one closed, three diary entries: each entry's row names its own leaf.
    expect(counts).toEqual({ diary: 3, leaves: 6, diaryLeaves: 3 });
  }, 60_000);
});

// The officer's writes to a case as steps, on both stores.

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const HOUR = 3_600_000;

const REF = 'ASB-2026-0001';
const iso = (ms: number): string => new Date(ms).toISOString();

/** A week of an officer's work on a case, with every refusal on the way. */
async function scenario(o: OpenedStore, c: ReturnType<typeof testClock>): Promise<unknown[]> {
  const r = o.record;
  const out: unknown[] = [];
  const entry = { startedAt: '2026-03-01 23:40', endedAt: '2026-03-02 00:30', heard: 'Bass music through the wall' };
  out.push(await attempt(r, openCaseSteps({ ref: REF, category: 'general', officer: 'jsmith', address: '1 High Street' }, r.now())));
  c.advance(HOUR);
  out.push(await attempt(r, recordContactSteps({ caseRef: REF, method: 'phone', summary: 'Spoke to the resident', by: 'jsmith' }, r.now())));
  out.push(await attempt(r, recordContactSteps({ caseRef: REF, at: iso(T0 + 30 * 60_000), method: 'visit', summary: 'Visited the flat', by: 'jsmith' }, r.now())));
  out.push(await attempt(r, recordContactSteps({ caseRef: REF, at: iso(T0 + 3 * HOUR), method: 'phone', summary: 'Not yet happened', by: 'jsmith' }, r.now())));
  out.push(await attempt(r, recordContactSteps({ caseRef: REF, at: iso(T0 - 3 * HOUR), method: 'phone', summary: 'Before the case', by: 'jsmith' }, r.now())));
  out.push(await attempt(r, recordContactSteps({ caseRef: 'ASB-2026-0404', method: 'phone', summary: 'No such case', by: 'jsmith' }, r.now())));
  out.push(await attempt(r, addPlanNoteSteps({ caseRef: REF, text: 'Install a monitor; call weekly', by: 'jsmith' }, r.now())));
  out.push(await attempt(r, addPlanNoteSteps({ caseRef: REF, text: 'x', by: 'jsmith' }, r.now())));
  out.push(await attempt(r, annotateSteps({ caseRef: REF, officer: 'jsmith', text: 'The case as opened', aboutLeafIndex: 0 }, r.now())));
  out.push(await attempt(r, annotateSteps({ caseRef: REF, officer: 'jsmith', text: '' }, r.now())));
  out.push(await attempt(r, annotateSteps({ caseRef: 'ASB-2026-0404', officer: 'jsmith', text: 'No such case' }, r.now())));
  c.advance(HOUR);
  out.push(await attempt(r, addDiaryEntrySteps(REF, entry, r.now())));
  out.push(await attempt(r, importDiaryCsvSteps(REF, `started_at,ended_at,heard\n2026-03-01 21:00,,Shouting\n${entry.startedAt},${entry.endedAt},${entry.heard}\n`, r.now())));
  c.advance(86_400_000);
  out.push(await attempt(r, correctDiaryEntrySteps(REF, { entryId: 1, reason: 'the resident gave the wrong end time', by: 'jsmith', replacement: { ...entry, endedAt: '2026-03-02 01:30' } }, r.now())));
  out.push(await attempt(r, correctDiaryEntrySteps(REF, { entryId: 1, reason: 'again', by: 'jsmith', replacement: entry }, r.now())));
  out.push(await attempt(r, correctDiaryEntrySteps(REF, { entryId: 99, reason: 'no such entry', by: 'jsmith', replacement: entry }, r.now())));
  out.push(await attempt(r, correctDiaryEntrySteps(REF, { entryId: 3, reason: 'ended before it started', by: 'jsmith', replacement: { ...entry, endedAt: '2026-03-01 20:00' } }, r.now())));
  out.push(await attempt(r, changeCaseStatusSteps({ ref: REF, status: 'closed', reason: 'resolved', by: 'jsmith' }, r.now())));
  // A closed case takes no more evidence, but an officer may still annotate it.
  out.push(await attempt(r, recordContactSteps({ caseRef: REF, method: 'letter', summary: 'Closing letter', by: 'jsmith' }, r.now())));
  out.push(await attempt(r, addPlanNoteSteps({ caseRef: REF, text: 'Nothing more to do', by: 'jsmith' }, r.now())));
  out.push(await attempt(r, addDiaryEntrySteps(REF, entry, r.now())));
  out.push(await attempt(r, correctDiaryEntrySteps(REF, { entryId: 3, reason: 'too late', by: 'jsmith', replacement: entry }, r.now())));
  out.push(await attempt(r, annotateSteps({ caseRef: REF, officer: 'jsmith', text: 'Closed after the monitoring' }, r.now())));
  out.push(await attempt(r, listContactsSteps(REF), false));
  out.push(await attempt(r, listPlanNotesSteps(REF), false));
  out.push(await attempt(r, listDiarySteps(REF), false));
  out.push(await attempt(r, diaryCorrectionsSteps(REF), false));
  out.push(await attempt(r, getDiaryEntrySteps(3), false));
  return out;
}

describe('contacts, plan notes, annotations and diary corrections on both stores', () => {
  it('give the same answers, refusals and evidence leaves on SQLite and on PostgreSQL', async () => {
    const { onSqlite, onPostgres, sqliteLeaves, postgresLeaves } = await runOnBoth(stores, T0, scenario);
    expect(onPostgres).toEqual(onSqlite);
    // The scenario did what it says: spot checks, so two stores wrong alike still fail.
    const refusals = refusalsOf(onSqlite);
    expect(refusals).toEqual([
      'EARSHOT_E_CASE_INPUT_INVALID', 'EARSHOT_E_CASE_INPUT_INVALID', 'EARSHOT_E_CASE_NOT_FOUND', 'EARSHOT_E_CASE_INPUT_INVALID',
      'EARSHOT_E_ANNOTATION_INVALID', 'EARSHOT_E_CASE_NOT_FOUND', 'EARSHOT_E_DIARY_INVALID', 'EARSHOT_E_DIARY_INVALID', 'EARSHOT_E_DIARY_INVALID',
      'EARSHOT_E_CASE_STATUS', 'EARSHOT_E_CASE_STATUS', 'EARSHOT_E_CASE_STATUS', 'EARSHOT_E_CASE_STATUS',
    ]);
    expect(onSqlite[1]).toMatchObject({ id: 1, at: '2026-03-02T10:00:00.000Z', method: 'phone', summary: 'Spoke to the resident' });
    expect(onSqlite[12]).toEqual({ ok: true, imported: [2], skipped: [{ line: 3, duplicateOf: { entryId: 1 } }] });
    expect(onSqlite[13]).toMatchObject({ correctedId: 1, replacementId: 3, at: '2026-03-03T11:00:00.000Z' });
    const [contacts, notes, diary, corrections, replacement] = onSqlite.slice(-5) as [{ method: string }[], { text: string }[], { id: number }[], unknown[], { endedAt: string }];
    expect(contacts.map((x) => x.method)).toEqual(['visit', 'phone']);
    expect(notes.map((n) => n.text)).toEqual(['Install a monitor; call weekly']);
    expect(diary.map((d) => d.id)).toEqual([2, 1, 3]);
    expect(corrections).toHaveLength(1);
    expect(replacement).toMatchObject({ source: 'officer', startedAt: '2026-03-01T23:40:00.000Z', endedAt: '2026-03-02T01:30:00.000Z' });
    const leaves = sqliteLeaves;
    expect(postgresLeaves).toEqual(leaves);
    expect(leaves.map((l) => (l as { kind: string }).kind)).toEqual([
      'case', 'case', 'case', 'case', 'annotation', 'diary', 'diary', 'diary', 'correction', 'case', 'annotation',
    ]);
  }, 60_000);
});
