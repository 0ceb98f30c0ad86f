/**
 * Writes a finished clip: the WAV header — with a Broadcast Wave `bext` chunk
 * giving the clip's start time and calibration (audio/bext.ts), so the signed
 * SHA-256 covers them — and the encoded samples to a temp file in the clip folder, computing SHA-256 over exactly the bytes written,
 * then fsync, rename to <clipId>.wav and fsync the folder, so a clip on disk is
 * either whole or absent. (The header's sizes are known only when the clip ends,
 * which is why the audio is held encoded in memory until then: SHA-256 cannot be
 * prepended to.)
 */
import { type Hash, createHash } from 'node:crypto';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CLIP_CHUNK_BYTES, type ClipManifest, EarshotError } from '@earshot/shared';
import { type PcmFormat, encodeBext, wavHeader } from '../audio/index.ts';

export interface WrittenClip {
  path: string;
  sha256: string;
  bytes: number;
}

const PAD = Buffer.alloc(1);

/** Temp files end in this; any left by a crash are removed at start (see ClipRecorder). */
export const PART_SUFFIX = '.wav.part';

/** What the clip's `bext` chunk records (EBU Tech 3285): when its first sample was taken, and the calibration in force. */
export interface ClipStamp {
  readonly eventId: string;
  readonly fullScaleDb: number;
  readonly startedAtMs: number;
}

export async function writeClipFile(dir: string, clipId: string, format: PcmFormat, data: Buffer, dataBytes: number, stamp?: ClipStamp): Promise<WrittenClip> {
  const path = join(dir, `${clipId}.wav`);
  const temp = join(dir, `.${clipId}${PART_SUFFIX}`);
  const bext =
    stamp === undefined
      ? undefined
      : encodeBext({ ...stamp, clipId, sampleRate: format.sampleRate, bitsPerSample: format.bitsPerSample, encoding: format.encoding });
  const header = wavHeader(format, dataBytes, bext);
  const hash = createHash('sha256');
  const body = data.subarray(0, dataBytes);
  try {
    const fh = await open(temp, 'wx');
    try {
      await writeAll(fh, header, hash);
      await writeAll(fh, body, hash);
      // RIFF: a chunk of odd size is followed by a pad byte (wavHeader counts it in the RIFF size).
      if ((dataBytes & 1) === 1) await writeAll(fh, PAD, hash);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, path);
    await syncDir(dir);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw new EarshotError('EARSHOT_E_CLIP_WRITE', `${path}: ${(e as Error).message}`);
  }
  return { path, sha256: hash.digest('hex'), bytes: header.length + dataBytes + (dataBytes & 1) };
}

async function writeAll(fh: FileHandle, buf: Buffer, hash: Hash): Promise<void> {
  hash.update(buf);
  let at = 0;
  while (at < buf.length) {
    const { bytesWritten } = await fh.write(buf, at, buf.length - at);
    at += bytesWritten;
  }
}

/** fsync of the folder makes the rename durable (POSIX: the directory entry lives in the folder). */
async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

export interface ManifestFields {
  clipId: string;
  eventId: string;
  written: WrittenClip;
  format: PcmFormat & { bitsPerSample: 16 | 24 | 32 };
  fullScaleDb: number;
  startedAtMs: number;
  frames: number;
  preFrames: number;
  postFrames: number;
}

/** The ClipManifest body (DESIGN §4) of a written clip. */
export function clipManifest(f: ManifestFields): ClipManifest {
  const rate = f.format.sampleRate;
  return {
    clipId: f.clipId,
    eventId: f.eventId,
    sha256: f.written.sha256,
    bytes: f.written.bytes,
    chunks: Math.ceil(f.written.bytes / CLIP_CHUNK_BYTES),
    chunkBytes: CLIP_CHUNK_BYTES,
    sampleRate: rate,
    channels: 1,
    bitsPerSample: f.format.bitsPerSample,
    fullScaleDb: f.fullScaleDb,
    startedAt: new Date(Math.round(f.startedAtMs)).toISOString(),
    durationSeconds: f.frames / rate,
    preTriggerSeconds: f.preFrames / rate,
    postTriggerSeconds: f.postFrames / rate,
  };
}

/** The manifest kept beside a finished clip until the outbox has it: `<clip>.wav` → `<clip>.manifest.json`. */
export function manifestPathOf(clipPath: string): string {
  return clipPath.replace(/\.wav$/, '.manifest.json');
}

/** Writes the manifest beside its clip, atomically (temp file, fsync, rename, fsync of the folder). */
export async function writeManifestFile(clipPath: string, manifest: ClipManifest): Promise<void> {
  const path = manifestPathOf(clipPath);
  const temp = `${path}.part`;
  const fh = await open(temp, 'w');
  try {
    await fh.writeFile(`${JSON.stringify(manifest)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(temp, path);
  await syncDir(dirname(path));
}
