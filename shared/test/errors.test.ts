import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EarshotError, cliFailure, errors } from '../src/index.ts';

const doc = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../docs/errors.md'), 'utf8');
const rows = new Map<string, { exit: number; http: number }>();
for (const m of doc.matchAll(/^\| `(EARSHOT_E_[A-Z0-9_]+)` \| (\d) \| (\d{3}) \|/gm)) {
  rows.set(m[1]!, { exit: Number(m[2]), http: Number(m[3]) });
}

describe('error registry', () => {
  it('documents every code in docs/errors.md with its exit code and HTTP status', () => {
    for (const [code, spec] of Object.entries(errors)) {
      expect(rows.get(code), `${code} in docs/errors.md`).toEqual({ exit: spec.exit, http: spec.http });
    }
  });

  it('documents no code that does not exist', () => {
    for (const code of rows.keys()) expect(Object.keys(errors)).toContain(code);
  });

  it('every code is EARSHOT_E_ and every message takes the detail', () => {
    for (const [code, spec] of Object.entries(errors)) {
      expect(code).toMatch(/^EARSHOT_E_[A-Z0-9_]+$/);
      expect(spec.message).toContain('%s');
    }
  });

  it('formats a CLI failure as one line with the code, and a non-Earshot error as internal', () => {
    expect(cliFailure('earshot', new EarshotError('EARSHOT_E_USAGE', 'no case'))).toEqual({ line: 'earshot: EARSHOT_E_USAGE: bad usage: no case', exit: 2 });
    const internal = cliFailure('earshot', new TypeError('x is undefined'));
    expect(internal.line).toBe('earshot: EARSHOT_E_INTERNAL: internal error: x is undefined');
    expect(internal.exit).toBe(2);
  });

  it('reports a database still locked after its busy wait as EARSHOT_E_STORE_BUSY, not as a bug', () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    expect(cliFailure('earshot', busy)).toEqual({ line: 'earshot: EARSHOT_E_STORE_BUSY: the database stayed locked by another Earshot process: nothing was changed; run the command again', exit: 2 });
  });
});
