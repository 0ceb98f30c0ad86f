/**
 * One process per folder (issue 17): `earshot serve` holds its data folder and
 * `earshot-device run` its state folder; a second one exits 2 naming the first;
 * a crashed holder's lock (SIGKILL, or a pid now used by an unrelated process)
 * is taken over; of several starters at one instant exactly one wins. Real
 * child processes throughout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEVICE, EARSHOT, type Sandbox, cli, cliOk, sandbox, slamWav, startIngest, stop } from './harness.ts';

const HOLDER = join(dirname(fileURLToPath(import.meta.url)), 'lock-holder.ts');
const children: ChildProcess[] = [];
const boxes: Sandbox[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => stop(c, 'SIGKILL')));
  for (const b of boxes.splice(0)) b.cleanup();
});

function box(): Sandbox {
  const b = sandbox();
  boxes.push(b);
  return b;
}

interface Outcome {
  child: ChildProcess;
  /** "held", or the exit code and the line printed on refusal. */
  result: Promise<{ held: true } | { held: false; code: number | null; line: string }>;
}

interface Racer extends Outcome {
  ready: Promise<void>;
}

function holder(lockFile: string, wait = false): Racer {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, lockFile, ...(wait ? ['--wait'] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const ready = new Promise<void>((resolve) => child.stdout!.on('data', () => {
    if (out.includes('ready')) resolve();
  }));
  const result = new Promise<{ held: true } | { held: false; code: number | null; line: string }>((resolve) => {
    child.stdout!.on('data', () => {
      if (out.includes('held')) resolve({ held: true });
    });
    child.once('exit', (code) => resolve({ held: false, code, line: err.trim() }));
  });
  return { child, result, ready };
}

/** /proc/<pid>/stat field 22 (proc(5)). */
function startTicks(pid: number): string {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[19]!;
}

function lockRecord(pid: number, ticks: string | null): string {
  return `${JSON.stringify({ v: 1, pid, startTicks: ticks, host: hostname(), since: '2026-11-30T22:00:00.000Z', command: 'earshot serve', token: 'a'.repeat(24) })}\n`;
}

describe('earshot serve: one service per data folder', () => {
  it('refuses a second serve on the same data folder with one line naming the first, and lets other commands write beside it', async () => {
    const b = box();
    const first = await startIngest(b);
    children.push(first.child);
    const second = cli(EARSHOT, ['serve', '--data-dir', b.dataDir, '--config', b.settings, '--mqtt-port', '0', '--http-port', '0'], { cwd: b.dir });
    expect(second.code).toBe(2);
    const lines = second.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^earshot: EARSHOT_E_ALREADY_RUNNING: already running: the data folder .+ is in use by pid (\d+) \(earshot serve --data-dir .+\), running since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    expect(lines[0]).toContain(`pid ${first.child.pid} `);
    // Commands that write keep working beside the running service.
    cliOk(EARSHOT, ['device', 'add', 'beside-serve', '--data-dir', b.dataDir, '--config', b.settings, '--json'], { cwd: b.dir });
    expect(cliOk(EARSHOT, ['device', 'list', '--data-dir', b.dataDir], { cwd: b.dir })).toContain('beside-serve');
    // A clean stop releases the folder.
    expect(await stop(first.child)).toBe(0);
    expect(existsSync(join(b.dataDir, 'serve.lock'))).toBe(false);
  }, 60_000);

  it('takes over the lock of a serve killed with SIGKILL', async () => {
    const b = box();
    const first = await startIngest(b);
    children.push(first.child);
    await stop(first.child, 'SIGKILL');
    expect(existsSync(join(b.dataDir, 'serve.lock'))).toBe(true);
    const next = await startIngest(b);
    children.push(next.child);
    expect(JSON.parse(readFileSync(join(b.dataDir, 'serve.lock'), 'utf8'))).toMatchObject({ pid: next.child.pid });
  }, 60_000);
});

describe('earshot-device run: one monitor per state folder', () => {
  it('refuses a second run on the same state folder, and takes over after the first is killed', async () => {
    const b = box();
    const wav = join(b.dir, 'room.wav');
    slamWav(wav, 4, 2);
    const details = cliOk(EARSHOT, ['device', 'add', 'lock-monitor', '--data-dir', b.dataDir, '--config', b.settings, '--server', 'mqtt://127.0.0.1:9', '--json'], { cwd: b.dir });
    writeFileSync(join(b.dir, 'details.json'), details);
    const config = join(b.dir, 'monitor.json');
    cliOk(DEVICE, ['provision', '--details', join(b.dir, 'details.json'), '--config', config, '--state-dir', join(b.dir, 'state'), '--capture', `wav:${wav}`], { cwd: b.dir });
    const run = (): { child: ChildProcess; running: Promise<void> } => {
      const child = spawn(process.execPath, [DEVICE, 'run', '--config', config], { cwd: b.dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EARSHOT_LOG_LEVEL: 'info' } });
      children.push(child);
      let out = '';
      const running = new Promise<void>((resolve, reject) => {
        child.stdout!.setEncoding('utf8').on('data', (c: string) => {
          out += c;
          if (out.includes('monitor running')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`earshot-device run exited ${code}`)));
      });
      running.catch(() => undefined);
      return { child, running };
    };
    const first = run();
    await first.running;
    const second = cli(DEVICE, ['run', '--config', config], { cwd: b.dir });
    expect(second.code).toBe(2);
    const lines = second.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^earshot-device: EARSHOT_E_ALREADY_RUNNING: already running: the monitor's state folder .+ is in use by pid \d+ \(earshot-device run --config .+\), running since /);
    expect(lines[0]).toContain(`pid ${first.child.pid} `);
    await stop(first.child, 'SIGKILL');
    const next = run();
    await next.running;
    expect(JSON.parse(readFileSync(join(b.dir, 'state', 'run.lock'), 'utf8'))).toMatchObject({ pid: next.child.pid });
  }, 60_000);
});

describe('stale locks', () => {
  it('takes over a lock whose pid now belongs to an unrelated process (another start time), and refuses one whose holder runs', async () => {
    const b = box();
    const lockFile = join(b.dir, 'x.lock');
    // This test process is alive, but did not write the lock: its start time differs from the recorded one.
    writeFileSync(lockFile, lockRecord(process.pid, String(Number(startTicks(process.pid)) + 12345)));
    const taker = holder(lockFile);
    expect(await taker.result).toEqual({ held: true });
    await stop(taker.child, 'SIGKILL');
    // The same pid with its real start time is a running holder.
    writeFileSync(lockFile, lockRecord(process.pid, startTicks(process.pid)));
    const refused = await holder(lockFile).result;
    expect(refused).toMatchObject({ held: false, code: 2 });
    expect(refused.held === false && refused.line).toMatch(new RegExp(`^lock-holder: EARSHOT_E_ALREADY_RUNNING: .* pid ${process.pid} \\(earshot serve\\), running since 2026-11-30T22:00:00Z`));
  }, 60_000);

  it('takes over a lock left by a process killed with SIGKILL, and an unreadable one', async () => {
    const b = box();
    const lockFile = join(b.dir, 'x.lock');
    const first = holder(lockFile);
    expect(await first.result).toEqual({ held: true });
    await stop(first.child, 'SIGKILL');
    const second = holder(lockFile);
    expect(await second.result).toEqual({ held: true });
    await stop(second.child, 'SIGKILL');
    writeFileSync(lockFile, '');
    expect(await holder(lockFile).result).toEqual({ held: true });
  }, 60_000);

  it('of several starters at one instant on a stale lock, exactly one wins', async () => {
    const b = box();
    for (let round = 0; round < 3; round++) {
      const lockFile = join(b.dir, `race-${round}.lock`);
      // A stale lock: its holder was killed.
      const dead = holder(lockFile);
      expect(await dead.result).toEqual({ held: true });
      await stop(dead.child, 'SIGKILL');
      // Started one by one, the starters all take the lock at one signal.
      const racers = Array.from({ length: 4 }, () => holder(lockFile, true));
      await Promise.all(racers.map((r) => r.ready));
      for (const r of racers) r.child.stdin!.write('go\n');
      const results = await Promise.all(racers.map((r) => r.result));
      expect(results.filter((r) => r.held)).toHaveLength(1);
      for (const r of results) if (!r.held) expect(r).toMatchObject({ code: 2, line: expect.stringMatching(/EARSHOT_E_ALREADY_RUNNING/) as unknown as string });
      await Promise.all(racers.map((r) => stop(r.child, 'SIGKILL')));
    }
  }, 90_000);
});
