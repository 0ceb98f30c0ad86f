/**
 * Phone recordings, content-addressed beside the clips (DESIGN §7):
 * clips/<sha256>.<webm|ogg|m4a|wav>, written whole or not at all as the
 * monitor's clips are (store/clip-file.ts).
 */
import { createHash } from 'node:crypto';
import { writeContentFile } from '../store/clip-file.ts';
import type { AudioType } from './audio-type.ts';

export interface StoredRecording {
  readonly sha256: string;
  /** Name in the clips folder. */
  readonly file: string;
  readonly path: string;
  readonly bytes: number;
}

export function writeRecording(clipsDir: string, bytes: Buffer, type: AudioType): StoredRecording {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = `${sha256}.${type.ext}`;
  const path = writeContentFile(clipsDir, file, [bytes]);
  return { sha256, file, path, bytes: bytes.length };
}
