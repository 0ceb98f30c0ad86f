/**
 * The files of the data folder's clips/ (DESIGN §7): content-addressed
 * `<sha256>.<ext>` — the monitors' WAV clips and the residents' phone
 * recordings. Anything else there (a half-written temporary file) is not a clip.
 */
import { readdirSync } from 'node:fs';

export const CLIP_FILE = /^[0-9a-f]{64}\.[a-z0-9]{1,8}$/;

export function clipFiles(clipsDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(clipsDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.filter((n) => CLIP_FILE.test(n)).sort();
}
