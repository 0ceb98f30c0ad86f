/**
 * Clips finished but not yet in the outbox when the monitor stopped (a power cut
 * between writing a clip and journaling it): each WAV in the clips folder that
 * the outbox does not hold, with its manifest beside it, is handed back to be
 * queued. A WAV without a manifest is reported and kept, never deleted: it may
 * still be evidence.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ClipManifest } from '@earshot/shared';
import { manifestPathOf } from './clip-writer.ts';

export interface OrphanClip {
  path: string;
  manifest: ClipManifest | null;
}

export function findOrphanClips(dir: string, heldByOutbox: ReadonlySet<string>): OrphanClip[] {
  if (!existsSync(dir)) return [];
  const out: OrphanClip[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.wav')) continue;
    const path = resolve(join(dir, name));
    if (heldByOutbox.has(path)) continue;
    let manifest: ClipManifest | null = null;
    try {
      const parsed = ClipManifest.safeParse(JSON.parse(readFileSync(manifestPathOf(path), 'utf8')));
      if (parsed.success) manifest = parsed.data;
    } catch {
      manifest = null;
    }
    out.push({ path, manifest });
  }
  return out;
}
