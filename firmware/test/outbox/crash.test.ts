/**
 * A process appending to the outbox is killed with SIGKILL at arbitrary points;
 * on reopen every batch whose enqueue had returned is there, in order, and a
 * torn tail is cut off without crashing.
 */
import { spawn } from 'node:child_process';
import { statSync, truncateSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LevelsBody } from '@earshot/shared';
import { drain, makeKeys, openOutbox, openSigned, tempDir } from './helpers.ts';

const keys = makeKeys();
const tmp = tempDir('crash');
afterAll(() => tmp.cleanup());
const journal = join(tmp.dir, 'outbox');
const keyPath = join(tmp.dir, 'key.pem');
writeFileSync(keyPath, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
const child = join(import.meta.dirname, 'append-child.ts');

/** Runs the child until it has reported `atLeast` appends, then SIGKILLs it; returns the reported batch starts. */
function runAndKill(start: number, atLeast: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, journal, keyPath, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const reported: number[] = [];
    let partial = '';
    let stderr = '';
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.stdout.on('data', (b: Buffer) => {
      const lines = (partial + b.toString()).split('\n');
      partial = lines.pop()!;
      for (const l of lines) reported.push(Number(l));
      if (reported.length >= atLeast && p.exitCode === null) p.kill('SIGKILL');
    });
    p.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(reported) : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
}

describe('outbox under SIGKILL', () => {
  it('keeps every batch whose append returned, across repeated kills', async () => {
    const reported: number[] = [];
    let next = 0;
    for (let round = 0; round < 3; round++) {
      const got = await runAndKill(next, 200 + round * 150);
      reported.push(...got);
      // Resume after the last batch the reopened journal holds (the child may have appended one more than it reported).
      const o = openOutbox(journal, keys);
      const starts = queuedStarts(o);
      o.close();
      for (const s of reported) expect(starts.has(s)).toBe(true);
      next = Math.max(...starts.values()) + 100;
    }
    // Finally: everything drains in order and signs with consecutive seqs.
    const o = openOutbox(journal, keys);
    const parts = drain(o, 64);
    o.close();
    const opened = parts.map((p) => openSigned(p.payload, keys.publicKey));
    expect(opened.map((x) => x.seq)).toEqual([...opened.keys()]);
    const firsts = opened.map((x) => Date.parse((x.body as LevelsBody).records[0]!.t));
    expect([...firsts].sort((a, b) => a - b)).toEqual(firsts);
    expect(opened.length).toBeGreaterThanOrEqual(reported.length);
  }, 60_000);

  it('cuts a journal torn in its last record and carries on', () => {
    const torn = join(tmp.dir, 'torn');
    const o = openOutbox(torn, keys);
    for (let i = 0; i < 3; i++) o.enqueue('levels', { fullScaleDb: 120, records: [{ t: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), d: 1, LAeq: 40, LCeq: 41, LZeq: 42, LAFmax: 43, LAFmin: 39, LASmax: 42, LCpeak: 60 }] });
    o.close();
    const last = readdirSync(torn).filter((f) => f.endsWith('.journal')).sort().at(-1)!;
    const path = join(torn, last);
    truncateSync(path, statSync(path).size - 20);
    const again = openOutbox(torn, keys);
    expect(again.stats().tornTailBytes).toBeGreaterThan(0);
    expect(again.stats().errors).toEqual([]);
    expect(again.stats().depth).toBe(2);
    again.enqueue('levels', { fullScaleDb: 120, records: [{ t: '2026-01-01T00:00:09.000Z', d: 1, LAeq: 40, LCeq: 41, LZeq: 42, LAFmax: 43, LAFmin: 39, LASmax: 42, LCpeak: 60 }] });
    expect(again.stats().depth).toBe(3);
    again.close();
  });
});

/** Start seconds of every queued levels batch (takes and releases them, so nothing is signed twice). */
function queuedStarts(o: ReturnType<typeof openOutbox>): Set<number> {
  const starts = new Set<number>();
  const T0 = Date.parse('2026-11-20T22:00:00.000Z');
  for (const p of o.take(1_000_000)) starts.add((Date.parse((openSigned(p.payload, keys.publicKey).body as LevelsBody).records[0]!.t) - T0) / 1000);
  o.releaseAll();
  return starts;
}
