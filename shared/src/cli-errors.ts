/**
 * How every Earshot command reports a failure (DESIGN §1): one line naming the
 * problem with its stable code, the exit code from the registry, no stack trace.
 * An error that is not an EarshotError is a bug: it is reported as
 * EARSHOT_E_INTERNAL (set EARSHOT_DEBUG=1 to see the stack).
 */
import { EarshotError, errors, isEarshotError } from './errors.ts';

export interface CliFailure {
  line: string;
  exit: 1 | 2;
}

/** SQLite's "database is locked" once its busy wait ran out (better-sqlite3's SqliteError codes). */
function isStoreBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY_'));
}

/** A listener's EADDRINUSE (Node's net errors carry `address` and `port`). */
function portInUse(e: unknown): string | null {
  const x = e as { code?: unknown; address?: unknown; port?: unknown } | null;
  if (x?.code !== 'EADDRINUSE') return null;
  return typeof x.address === 'string' && typeof x.port === 'number' ? `${x.address}:${x.port}` : 'an address this command listens on';
}

export function cliFailure(program: string, e: unknown): CliFailure {
  const inUse = isEarshotError(e) ? null : portInUse(e);
  const err = isEarshotError(e)
    ? e
    : isStoreBusy(e)
      ? new EarshotError('EARSHOT_E_STORE_BUSY', 'nothing was changed; run the command again')
      : inUse !== null
        ? new EarshotError('EARSHOT_E_PORT_IN_USE', `${inUse}: another program is listening there; choose another port or stop it`)
        : new EarshotError('EARSHOT_E_INTERNAL', e instanceof Error ? e.message : String(e));
  let line = `${program}: ${err.code}: ${err.message}`;
  if (!isEarshotError(e) && process.env['EARSHOT_DEBUG'] === '1' && e instanceof Error && e.stack !== undefined) line += `\n${e.stack}`;
  return { line, exit: errors[err.code].exit };
}
