/**
 * Clip files when the disk is full (issue 18): the real pipeline and SQLite,
 * the clips folder on a 2 MiB tmpfs. Mounting needs root, as CI runs; without
 * it these tests fail, they are not skipped.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CLIP_CHUNK_BYTES, topics } from '@earshot/shared';
import { type Logger, pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { removeStaleTemporaries, STALE_TEMPORARY_MS, writeClipFile } from '../../src/store/clip-file.ts';
import { ASSEMBLY_HEADROOM_BYTES, clipsToTry, startClipAssemblyRetry, type ClipRetry } from '../../src/store/clip-retry.ts';
import { addDevice, type Fixture, incoming, makeFixture, type TestDevice } from '../pipeline/support/ingest-fixture.ts';

let f: Fixture;
let clipsDir: string;
let retry: ClipRetry | null = null;

beforeEach(() => {
  if (process.getuid?.() !== 0) throw new Error('these tests mount a tmpfs and must run as root (CI does); they are not skipped');
  f = makeFixture();
  clipsDir = join(f.dir, 'clips');
  mkdirSync(clipsDir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', clipsDir]);
});
afterEach(() => {
  retry?.stop();
  retry = null;
  execFileSync('umount', [clipsDir]);
  f.close();
});

/** Fills the clips folder's file system, leaving `leave` bytes; returns the filler's path. */
function fill(leave = 0): string {
  const path = join(clipsDir, 'filler.bin');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      const s = statfsSync(clipsDir);
      const room = s.bavail * s.bsize - leave;
      if (room <= 0) break;
      writeSync(fd, block, 0, Math.min(block.length, room));
    }
  } catch {
    // ENOSPC: full
  } finally {
    closeSync(fd);
  }
  return path;
}

interface Clip {
  id: string;
  bytes: Buffer;
  sha256: string;
  chunks: number;
}

function newClip(size: number, id = 'clip-1'): Clip {
  const bytes = randomBytes(size);
  return { id, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), chunks: Math.ceil(size / CLIP_CHUNK_BYTES) };
}

/** Manifest and every chunk through the real pipeline, in one batch (one transaction); assembly runs after it. */
async function upload(d: TestDevice, c: Clip): Promise<void> {
  const manifest = {
    clipId: c.id, eventId: 'ev-1', sha256: c.sha256, bytes: c.bytes.length, chunks: c.chunks, chunkBytes: CLIP_CHUNK_BYTES, sampleRate: 48_000, channels: 1,
    bitsPerSample: 16, fullScaleDb: 120, startedAt: '2026-11-24T22:00:00.000Z', durationSeconds: 5, preTriggerSeconds: 2, postTriggerSeconds: 2,
  };
  const msgs = [incoming(topics.clip(d.id), d.sign('clip', manifest), d.id)];
  for (let n = 0; n < c.chunks; n++) msgs.push(incoming(topics.clipChunk(d.id, c.id, n), c.bytes.subarray(n * CLIP_CHUNK_BYTES, (n + 1) * CLIP_CHUNK_BYTES), d.id));
  const out = f.pipeline.processBatch(msgs);
  expect(out.map((o) => o.status)).toEqual(['stored', ...Array<string>(c.chunks).fill('chunk-stored')]);
  await new Promise((r) => setImmediate(r)); // the after-commit assembly
}

const chunkCount = (d: TestDevice, c: Clip): number => (f.db.prepare('SELECT count(*) AS n FROM clip_chunks WHERE device = ? AND clip_id = ?').get(d.id, c.id) as { n: number }).n;
const temporaries = (): string[] => readdirSync(clipsDir).filter((n) => n.endsWith('.tmp'));

function memoryLogger(): { logger: Logger; lines: () => { msg: string; problem?: string }[] } {
  const chunks: string[] = [];
  const sink = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c.toString()); cb(); } });
  return { logger: pino({ level: 'info' }, sink), lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { msg: string; problem?: string }) };
}

describe('clip files on a full disk', () => {
  it('a failed write removes its temporary file', () => {
    const filler = fill(256 * 1024);
    expect(() => writeClipFile(clipsDir, 'a'.repeat(64), [randomBytes(512 * 1024)])).toThrow(/ENOSPC/);
    expect(temporaries()).toEqual([]);
    rmSync(filler);
  });

  it('keeps every stored chunk when the file cannot be written, and completes the clip once the retry finds room', async () => {
    const d = addDevice(f, 'dev-1');
    const clip = newClip(CLIP_CHUNK_BYTES * 5 + 1234);
    const filler = fill(128 * 1024);
    await upload(d, clip);
    const after = f.pipeline.clips.report(d.id, clip.id);
    expect(after.state).toBe('incomplete');
    expect(chunkCount(d, clip)).toBe(clip.chunks);
    expect(temporaries()).toEqual([]);
    expect(f.pipeline.clips.ready()).toEqual([{ device: d.id, clipId: clip.id, bytes: clip.bytes.length }]);
    // Tried again directly: still no room, still nothing lost, and a reason instead of an exception.
    const again = f.pipeline.clips.assemble(d.id, clip.id, Date.now());
    expect(again.state).toBe('incomplete');
    expect(again.problem).toMatch(/^file not written: .*ENOSPC/);
    expect(chunkCount(d, clip)).toBe(clip.chunks);

    const log = memoryLogger();
    retry = startClipAssemblyRetry({ clips: f.pipeline.clips, clipsDir, logger: log.logger, checkMs: 20, everyMs: 60_000 });
    await new Promise((r) => setTimeout(r, 300)); // many checks while the disk is full: one try, one warning
    expect(log.lines().filter((l) => l.msg.startsWith('clip not reassembled'))).toHaveLength(1);
    expect(f.pipeline.clips.report(d.id, clip.id).state).toBe('incomplete');

    rmSync(filler); // space returns
    const freed = Date.now();
    await vi.waitFor(() => expect(f.pipeline.clips.report(d.id, clip.id).state).toBe('complete'), { timeout: 5_000, interval: 10 });
    expect(Date.now() - freed).toBeLessThan(1_000);
    const r = f.pipeline.clips.report(d.id, clip.id);
    expect(createHash('sha256').update(readFileSync(r.file!)).digest('hex')).toBe(clip.sha256);
    expect(chunkCount(d, clip)).toBe(0);
    expect(temporaries()).toEqual([]);
    expect(f.pipeline.clips.ready()).toEqual([]);
    expect(log.lines().filter((l) => l.msg === 'clip reassembled')).toHaveLength(1);
  });

  it('tries on the timer even when free space looks short (a quota statfs cannot see)', () => {
    const waiting = [{ device: 'd', clipId: 'big', bytes: 50 << 20 }, { device: 'd', clipId: 'small', bytes: 1 << 20 }];
    const room = (1 << 20) + ASSEMBLY_HEADROOM_BYTES;
    expect(clipsToTry(waiting, room, 1_000, 15_000).map((c) => c.clipId)).toEqual(['small']);
    expect(clipsToTry(waiting, 0, 1_000, 15_000)).toEqual([]);
    expect(clipsToTry(waiting, 0, 15_000, 15_000).map((c) => c.clipId)).toEqual(['big', 'small']);
  });
});

describe('temporary clip files at start', () => {
  it('removes those of writers that no longer run or are stale, and keeps a running writer’s', () => {
    const sha = (c: string): string => c.repeat(64);
    const name = (c: string, pid: number): string => `${sha(c)}.wav.${pid}.tmp`;
    const now = Date.now();
    const files = {
      dead: name('a', 4_000_001),
      mine: name('b', process.pid),
      running: name('c', process.ppid),
      stale: name('d', process.ppid),
      clip: `${sha('e')}.wav`,
      other: 'notes.txt',
    };
    for (const n of Object.values(files)) writeFileSync(join(clipsDir, n), 'x');
    const old = (now - STALE_TEMPORARY_MS - 1_000) / 1000;
    utimesSync(join(clipsDir, files.stale), old, old);
    const removed = removeStaleTemporaries(clipsDir, now, (pid) => pid === process.ppid);
    expect(removed.sort()).toEqual([files.dead, files.mine, files.stale].sort());
    expect(readdirSync(clipsDir).sort()).toEqual([files.running, files.clip, files.other].sort());
    expect(existsSync(join(clipsDir, files.clip))).toBe(true);
  });
});
