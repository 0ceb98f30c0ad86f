/**
 * MANIFEST.sha256 (DESIGN §6), in the format `sha256sum` writes and `sha256sum -c`
 * reads (GNU coreutils manual, "md5sum invocation"): per file, the lower-case hex
 * digest, a space, a mode character (' ' text, '*' binary), the path, "\n".
 * Bundle paths are plain ASCII without '\' or line breaks, so no escaping arises.
 */
import type { ErrorInfo } from '@earshot/shared';

export const MANIFEST_FILE = 'MANIFEST.sha256';

export interface ManifestEntry {
  readonly path: string;
  readonly sha256: string;
}

const LINE = /^([0-9a-f]{64}) [ *](.+)$/;
const SAFE_PATH = /^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

export function isSafeBundlePath(path: string): boolean {
  return SAFE_PATH.test(path) && !path.split('/').some((p) => p === '.' || p === '..');
}

export function formatManifest(entries: readonly ManifestEntry[]): Buffer {
  return Buffer.from(entries.map((e) => `${e.sha256}  ${e.path}\n`).join(''), 'utf8');
}

export type ParsedManifest = { ok: true; entries: ManifestEntry[] } | { ok: false; error: ErrorInfo };

export function parseManifest(bytes: Uint8Array): ParsedManifest {
  const text = Buffer.from(bytes).toString('latin1');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const entries: ManifestEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const m = LINE.exec(lines[i]!.replace(/\r$/, ''));
    if (m === null || !isSafeBundlePath(m[2]!)) return { ok: false, error: { code: 'EARSHOT_E_BUNDLE_MANIFEST_MALFORMED', detail: `line ${i + 1} is not "<sha256>  <path>"` } };
    if (seen.has(m[2]!)) return { ok: false, error: { code: 'EARSHOT_E_BUNDLE_MANIFEST_MALFORMED', detail: `line ${i + 1} lists ${m[2]} again` } };
    seen.add(m[2]!);
    entries.push({ sha256: m[1]!, path: m[2]! });
  }
  if (entries.length === 0) return { ok: false, error: { code: 'EARSHOT_E_BUNDLE_MANIFEST_MALFORMED', detail: 'lists no files' } };
  return { ok: true, entries };
}
