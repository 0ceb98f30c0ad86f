/**
 * The demo's night (issue 17): the first `npm start` fills in last night
 * (22:00–07:00 UK time) through the real chain — monitor core, rules, clips,
 * uplink, ingest, evidence log — as demonstration data, faster than real time;
 * its bundle says DEMONSTRATION on every page and every CSV row, the mark sits
 * in a proved deployment leaf, and demonstration data never mixes with a real
 * monitor or case. A second `npm start` while one runs says where it is and
 * exits. Issue 10: the case is opened before the monitor's installation (its
 * first contact the installation visit), and the resident writes last night's
 * diary through the diary link, beside the night's noise; `npm start` again on
 * the same data adds neither twice. Real processes throughout
 * (scripts/demo/start.ts as a child).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastNight } from '../../firmware/src/demo/last-night.ts';
import { NIGHT_SCENE } from '../../firmware/src/demo/night-scene.ts';
import { DEMONSTRATION_VALUE } from '../../ingest/src/bundle/demonstration.ts';
import { EARSHOT, cli, cliOk, freePort, stop } from './harness.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const START = join(root, 'scripts', 'demo', 'start.ts');

let base = '';
let demo: ChildProcess | null = null;
let out = '';
let env: NodeJS.ProcessEnv = {};
let caseRef = '';
const night = lastNight(Date.now());

function startDemo(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', START], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (text += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (text += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

function db(): Database.Database {
  return new Database(join(base, 'data', 'earshot.db'), { readonly: true, fileMustExist: true });
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'earshot-demo-'));
  env = { ...process.env, EARSHOT_DEMO_DIR: base, EARSHOT_DEMO_HTTP_PORT: String(await freePort()), EARSHOT_DEMO_MQTT_PORT: String(await freePort()), EARSHOT_LOG_LEVEL: 'warn' };
  const d = startDemo();
  demo = d.child;
  // A few minutes on a small machine (much of it the journal's and the database's fsyncs); more on a busy one.
  const until = Date.now() + 600_000;
  while (!/Last night is in|could not be filled in|Last night was stopped/.test(d.output()) && Date.now() < until && d.child.exitCode === null) await new Promise((r) => setTimeout(r, 500));
  out = d.output();
  caseRef = /Case (\S+),/.exec(out)?.[1] ?? '';
}, 660_000);

afterAll(async () => {
  if (demo !== null) await stop(demo, 'SIGINT');
  rmSync(base, { recursive: true, force: true });
}, 120_000);

describe('npm start: the demonstration night', () => {
  it('prints the login before the night is filled in, then says the night is in', () => {
    expect(out).toMatch(/Last night is in \(\d+ events, \d+ clips/);
    expect(out.indexOf('log in as "officer"')).toBeLessThan(out.indexOf('Filling in last night'));
    expect(caseRef).toMatch(/^ASB-/);
  });

  it('opens the case before the installation, with the installation visit as its first contact', () => {
    const d = db();
    try {
      const c = d.prepare('SELECT opened_at FROM cases WHERE ref = ?').get(caseRef) as { opened_at: string };
      const dep = d.prepare('SELECT installed_ms FROM deployments WHERE case_ref = ?').get(caseRef) as { installed_ms: number };
      expect(Date.parse(c.opened_at)).toBeLessThan(dep.installed_ms);
      expect(dep.installed_ms).toBeLessThan(night.startMs);
      const contacts = d.prepare('SELECT at_ms, method FROM case_contacts WHERE case_ref = ?').all(caseRef) as { at_ms: number; method: string }[];
      expect(contacts).toEqual([{ at_ms: expect.any(Number), method: 'visit' }]);
      expect(contacts[0]!.at_ms).toBeGreaterThanOrEqual(dep.installed_ms);
      expect(contacts[0]!.at_ms).toBeLessThan(Date.parse(c.opened_at) + 86_400_000);
    } finally {
      d.close();
    }
  });

  it("the resident writes last night's diary through the diary link, each entry over some of the night's noise", () => {
    expect(out).toMatch(/The resident wrote 3 diary entries about last night through their diary link \(their page: http:\/\/127\.0\.0\.1:\d+\/r\/#[A-Za-z0-9_-]{43}\)/);
    const d = db();
    try {
      const rows = d.prepare(`SELECT e.started_ms, e.ended_ms, e.source, e.written_ms, r.client_id FROM diary_entries e
        JOIN resident_entries r ON r.diary_id = e.id JOIN resident_links l ON l.id = r.link_id WHERE e.case_ref = ? ORDER BY e.started_ms`).all(caseRef) as
        { started_ms: number; ended_ms: number; source: string; written_ms: number; client_id: string }[];
      expect(rows).toHaveLength(3);
      expect(d.prepare('SELECT count(*) AS n FROM diary_entries').get()).toEqual({ n: 3 });
      // The night's sounds, seconds after 22:00 (firmware/src/demo/night-scene.ts): each entry spans one of them.
      const sounds = [...NIGHT_SCENE.music.map((m) => [m.from, m.to]), ...NIGHT_SCENE.slams.map((x) => [x.at, x.at + 1]), ...NIGHT_SCENE.voices.map((v) => [v.from, v.to])];
      for (const r of rows) {
        expect(r.source).toBe('resident');
        expect(r.started_ms).toBeGreaterThanOrEqual(night.startMs);
        expect(r.ended_ms).toBeLessThanOrEqual(night.endMs);
        const overlaps = sounds.some(([from, to]) => night.startMs + from! * 1000 < r.ended_ms && night.startMs + to! * 1000 > r.started_ms);
        expect(overlaps, `entry ${new Date(r.started_ms).toISOString()}`).toBe(true);
      }
      // A door slam after midnight is in one of them.
      const slam = night.startMs + NIGHT_SCENE.slams[1].at * 1000;
      expect(rows.some((r) => r.started_ms <= slam && r.ended_ms >= slam)).toBe(true);
    } finally {
      d.close();
    }
  });

  it('a second npm start says the demo is already running, where, and exits', async () => {
    const second = startDemo();
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain(`The Earshot demo is already running (npm start, pid ${demo!.pid}`);
    expect(second.output()).toContain(`open http://127.0.0.1:${env['EARSHOT_DEMO_HTTP_PORT']}/`);
    expect(second.output()).toContain(`its data is in ${join(base, 'data')}`);
  }, 60_000);

  it('stores every second of last night, and events of several rules, a button press and clips, on the case', () => {
    const d = db();
    try {
      const levels = d.prepare('SELECT count(*) AS n FROM levels WHERE device = ? AND t >= ? AND t < ?').get('demo-monitor', night.startMs, night.endMs) as { n: number };
      expect(levels.n).toBe((night.endMs - night.startMs) / 1000);
      const rows = d.prepare('SELECT kind, body FROM events WHERE device = ? AND case_ref = ? AND device_time >= ? AND device_time < ?').all('demo-monitor', caseRef, night.startMs, night.endMs) as { kind: string; body: string }[];
      const rules = new Set(rows.filter((r) => r.kind === 'started').map((r) => (JSON.parse(r.body) as { ruleId: string }).ruleId));
      expect([...rules].sort()).toEqual(expect.arrayContaining(['bass', 'impulsive', 'noise-act-night', 'voices']));
      const press = rows.filter((r) => r.kind === 'incident').map((r) => JSON.parse(r.body) as { source: string; at: string; clipIds: string[] });
      expect(press).toHaveLength(1);
      expect(press[0]).toMatchObject({ source: 'button' });
      expect(press[0]!.clipIds).toHaveLength(1);
      // 00:24:30 UK time, 8,670 s after 22:00 (firmware/src/demo/night-scene.ts).
      expect(Date.parse(press[0]!.at)).toBe(night.startMs + 8_670_000);
      const clips = d.prepare('SELECT count(*) AS n FROM clips WHERE case_ref = ?').get(caseRef) as { n: number };
      expect(clips.n).toBeGreaterThan(1);
      // What `npm start` said: each event once (a started…ended pair, a press), and the clips.
      const said = /Last night is in \((\d+) events, (\d+) clips/.exec(out)!;
      expect(Number(said[1])).toBe(rows.filter((r) => r.kind === 'started' || r.kind === 'incident').length);
      expect(Number(said[2])).toBe(clips.n);
      const quarantined = d.prepare('SELECT count(*) AS n FROM quarantine').get() as { n: number };
      expect(quarantined.n).toBe(0);
    } finally {
      d.close();
    }
  });

  it('exports a bundle that verifies and says DEMONSTRATION on every page and every CSV row, with the night summary', () => {
    const outDir = join(base, 'bundle');
    const file = cliOk(EARSHOT, ['bundle', 'export', caseRef, '--data-dir', join(base, 'data'), '--from', new Date(night.startMs).toISOString(), '--to', new Date(night.endMs).toISOString(), '--out', outDir], { cwd: base }).trim();
    expect(cli(EARSHOT, ['verify', file], { cwd: base }).code).toBe(0);
    const x = join(base, 'x');
    expect(spawnSync('unzip', ['-q', '-o', file, '-d', x]).status).toBe(0);
    for (const csv of readdirSync(join(x, 'data'))) {
      const lines = readFileSync(join(x, 'data', csv), 'utf8').split('\r\n').filter((l) => l !== '');
      expect(lines[0], csv).toMatch(/,demonstration$/);
      for (const l of lines.slice(1)) expect(l.endsWith(`,${DEMONSTRATION_VALUE}`), `${csv}: ${l}`).toBe(true);
    }
    // The resident's entries, marked as demonstration data like every other row, with the levels measured over them.
    const diary = readFileSync(join(x, 'data', 'diary.csv'), 'utf8');
    expect(diary).toContain('Bass through the bedroom wall');
    expect(diary.match(/,resident,/g)).toHaveLength(3);
    const nights = readFileSync(join(x, 'data', 'nights.csv'), 'utf8').split('\r\n');
    const header = nights[0]!.split(',');
    const row = nights[1]!.split(',');
    expect(Number(row[header.indexOf('noise_act_exceedances')])).toBeGreaterThan(0);
    expect(Number(row[header.indexOf('events')])).toBeGreaterThan(3);
    expect(Number(row[header.indexOf('diary_entries')])).toBe(3);
    const whole = spawnSync('pdftotext', ['-layout', join(x, 'bundle.pdf'), '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
    const section = whole.slice(whole.lastIndexOf('Diary corroboration'));
    for (const n of ['D1', 'D2', 'D3']) expect(section).toMatch(new RegExp(`${n}\\s+\\d{4}-\\d{2}-\\d{2}[\\s\\S]*?LAeq \\d`));
    expect(section).toContain('Resident, at the time');
    const pages = spawnSync('pdfinfo', [join(x, 'bundle.pdf')], { encoding: 'utf8' }).stdout.match(/Pages:\s+(\d+)/)![1]!;
    for (let p = 1; p <= Number(pages); p++) {
      const text = spawnSync('pdftotext', ['-f', String(p), '-l', String(p), '-layout', join(x, 'bundle.pdf'), '-'], { encoding: 'utf8' }).stdout;
      expect(text, `page ${p}`).toContain('DEMONSTRATION DATA');
    }
    // The mark is a proved leaf: the deployment's own record says so.
    const leaves = readFileSync(join(x, 'evidence', 'leaves.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(Buffer.from((JSON.parse(l) as { leaf: string }).leaf, 'base64').toString('utf8')) as { kind: string; data: Record<string, unknown> });
    expect(leaves.find((l) => l.kind === 'deployment')?.data).toMatchObject({ action: 'installed', demonstration: true });
  }, 180_000);

  it('never mixes demonstration data with a real monitor or case', () => {
    const dataDir = join(base, 'data');
    const run = (args: string[]): { code: number | null; err: string } => cli(EARSHOT, [...args, '--data-dir', dataDir], { cwd: base });
    cliOk(EARSHOT, ['device', 'add', 'real-monitor', '--data-dir', dataDir, '--json'], { cwd: base });
    const realCase = /Case (\S+) opened/.exec(cliOk(EARSHOT, ['case', 'open', '--data-dir', dataDir, '--category', 'general', '--officer', 'officer', '--address', '2 Real Road'], { cwd: base }))![1]!;
    // A real monitor on the demonstration case: refused.
    const onDemoCase = run(['deploy', 'start', '--case', caseRef, '--device', 'real-monitor', '--installed-by', 'Jo Smith']);
    expect(onDemoCase.code).toBe(2);
    expect(onDemoCase.err).toMatch(/EARSHOT_E_DEMONSTRATION_MIXED: .*case .* holds demonstration data/);
    // Deployed for real, a monitor can never be a demonstration one.
    expect(run(['deploy', 'start', '--case', realCase, '--device', 'real-monitor', '--installed-by', 'Jo Smith']).code).toBe(0);
    const otherCase = /Case (\S+) opened/.exec(cliOk(EARSHOT, ['case', 'open', '--data-dir', dataDir, '--category', 'general', '--officer', 'officer', '--address', '3 Other Road'], { cwd: base }))![1]!;
    expect(run(['deploy', 'end', '--deployment', '2', '--removed-by', 'Jo Smith']).code).toBe(0);
    const marked = run(['deploy', 'start', '--case', otherCase, '--device', 'real-monitor', '--installed-by', 'Jo Smith', '--demonstration']);
    expect(marked.code).toBe(2);
    expect(marked.err).toMatch(/EARSHOT_E_DEMONSTRATION_MIXED: .*monitor real-monitor already has a real deployment/);
  }, 120_000);

  it('npm start again on the same data fills in neither the night nor the diary twice', async () => {
    const count = (): { levels: number; diary: number; cases: number; links: number } => {
      const d = db();
      try {
        const n = (sql: string, ...p: unknown[]): number => (d.prepare(sql).get(...p) as { n: number }).n;
        return {
          levels: n('SELECT count(*) AS n FROM levels WHERE device = ? AND t >= ? AND t < ?', 'demo-monitor', night.startMs, night.endMs),
          diary: n('SELECT count(*) AS n FROM diary_entries WHERE case_ref = ?', caseRef),
          cases: n('SELECT count(*) AS n FROM cases'),
          links: n('SELECT count(*) AS n FROM resident_links'),
        };
      } finally {
        d.close();
      }
    };
    expect(await stop(demo!, 'SIGINT')).toBe(0);
    const before = count();
    const again = startDemo();
    demo = again.child;
    const until = Date.now() + 90_000;
    while (!again.output().includes('Press its incident button') && Date.now() < until && again.child.exitCode === null) await new Promise((r) => setTimeout(r, 300));
    expect(again.output()).toContain(`Case ${caseRef}, monitor "demo-monitor"`);
    expect(again.output()).not.toMatch(/Filling in last night|The resident wrote/);
    expect(count()).toEqual(before);
    expect(before.diary).toBe(3);
  }, 150_000);
});
