/**
 * The monitor software's version for its heartbeat (StatusBody.firmwareVersion):
 * the `version` of firmware/package.json, found by walking up from this module,
 * so it is the same from the sources (firmware/src/daemon/) and from the
 * single-file build (firmware/dist/). Read once, at the daemon's start.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = '@earshot/firmware';
/** StatusBody.firmwareVersion's bound. */
const MAX_LENGTH = 64;

/** The version in the nearest package.json named @earshot/firmware at or above `from`; null if none is found or it is unreadable. */
export function readFirmwareVersion(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = from;
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === PACKAGE_NAME) return typeof pkg.version === 'string' && pkg.version.length > 0 ? pkg.version.slice(0, MAX_LENGTH) : null;
    } catch {
      // No package.json here (or not JSON): look further up.
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}
