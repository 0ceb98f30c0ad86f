/** The earshot command as an administrator runs it: real child processes on a real data folder. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../../bin/earshot.js');
const dir = mkdtempSync(join(tmpdir(), 'earshot-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, EARSHOT_DATA_DIR: join(dir, 'data') } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('earshot command', () => {
  it('adds a device and prints provisioning details the monitor can read', () => {
    const r = run('device', 'add', 'flat-3', '--server', 'mqtt://ingest.example:1883', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out) as Record<string, string>;
    expect(d).toMatchObject({ v: 1, deviceId: 'flat-3', server: 'mqtt://ingest.example:1883' });
    expect(d['secret']!.length).toBeGreaterThanOrEqual(32);
    expect(d['serverPublicKeyPem']).toMatch(/BEGIN PUBLIC KEY/);
    const list = run('device', 'list');
    expect(list.out).toMatch(/flat-3\s+yes\s+not pinned/);
    expect(run('device', 'add', 'flat-3').err).toMatch(/^earshot: EARSHOT_E_DEVICE_EXISTS: /);
  });

  it('runs a case from opening to its diary, every change in the evidence log', () => {
    // The officer is an account, named by its username: a person's name is refused with a sentence and a code.
    expect(run('user', 'add', 'jsmith', '--name', 'Jo Smith', '--initials', 'JS', '--role', 'officer').code).toBe(0);
    const byName = run('case', 'open', '--category', 'general', '--officer', 'Jo Smith', '--address', '3 Test Road, Leeds');
    expect(byName.code).toBe(2);
    expect(byName.err).toBe('earshot: EARSHOT_E_CASE_OFFICER_UNKNOWN: the assigned officer must be the username of an enabled officer or supervisor account (see earshot user list): "Jo Smith" is a name; the account is jsmith\n');
    const opened = run('case', 'open', '--category', 'general', '--officer', 'jsmith', '--address', '3 Test Road, Leeds', '--complainant-name', 'A Resident', '--complainant-contact', '07700 900000');
    expect(opened.code).toBe(0);
    const ref = /Case (\S+) opened/.exec(opened.out)![1]!;
    expect(run('case', 'list').out).not.toMatch(/A Resident/);
    expect(run('case', 'show', ref).out).not.toMatch(/A Resident/);
    expect(run('case', 'show', ref, '--complainant').out).toMatch(/complainant: A Resident/);
    expect(run('deploy', 'start', '--case', ref, '--device', 'flat-3', '--installed-by', 'Jo Smith', '--reading', '94.1', '--full-scale-db', '120').code).toBe(0);
    writeFileSync(join(dir, 'diary.csv'), 'started_at,ended_at,heard,effect,recorded_by\n2026-11-20 23:40,2026-11-21 01:10,Bass music through the wall,Could not sleep,\n');
    expect(run('diary', 'import', '--case', ref, 'diary.csv').out).toMatch(/Imported 1 diary entry/);
    writeFileSync(join(dir, 'bad.csv'), 'started_at,ended_at,heard,effect,recorded_by\nyesterday,,Shouting,,\n2026-11-21 02:00,2026-11-21 01:00,Door slams,,\n');
    const bad = run('diary', 'import', '--case', ref, 'bad.csv');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bad\.csv:2: /);
    expect(bad.err).toMatch(/bad\.csv:3: /);
    expect(bad.err).toMatch(/EARSHOT_E_DIARY_CSV_INVALID/);
    const verify = run('log', 'verify');
    expect(verify.code).toBe(0);
    expect(verify.out).toMatch(/^OK: [4-9] leaves/m);
  }, 120_000);

  it('log verify catches a leaf edited behind its back with the sqlite3 CLI', () => {
    const db = join(dir, 'data', 'earshot.db');
    // The append-only triggers refuse the edit; someone with file access drops them first.
    execFileSync('sqlite3', [db, "DROP TRIGGER IF EXISTS evidence_leaves_no_update; UPDATE evidence_leaves SET leaf = CAST(replace(CAST(leaf AS TEXT), 'general', 'GENERAL') AS BLOB) WHERE leaf_index = 0;"]);
    const r = run('log', 'verify');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL EARSHOT_E_LEAF_HASH_MISMATCH leaf 0/);
  });

  it('answers bad usage and unknown things with exit 2, one line and a stable code', () => {
    for (const [args, code] of [
      [['nonsense'], 'EARSHOT_E_USAGE'],
      [['case', 'frobnicate'], 'EARSHOT_E_USAGE'],
      [['case', 'show', 'ASB-2026-9999'], 'EARSHOT_E_CASE_NOT_FOUND'],
      [['case', 'show', 'not a ref'], 'EARSHOT_E_CASE_REF_INVALID'],
      [['device', 'add', 'Bad_Id'], 'EARSHOT_E_DEVICE_ID_INVALID'],
      [['verify', 'missing.zip'], 'EARSHOT_E_BUNDLE_NOT_ZIP'],
      [['bundle', 'export', 'ASB-2026-0001', '--from', 'yesterday'], 'EARSHOT_E_BUNDLE_PERIOD_INVALID'],
    ] as const) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(new RegExp(`^earshot: ${code}: `));
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});
