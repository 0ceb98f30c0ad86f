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

export function cliFailure(program: string, e: unknown): CliFailure {
  const err = isEarshotError(e)
    ? e
    : isStoreBusy(e)
      ? new EarshotError('EARSHOT_E_STORE_BUSY', 'nothing was changed; run the command again')
      : new EarshotError('EARSHOT_E_INTERNAL', e instanceof Error ? e.message : String(e));
  let line = `${program}: ${err.code}: ${err.message}`;
  if (!isEarshotError(e) && process.env['EARSHOT_DEBUG'] === '1' && e instanceof Error && e.stack !== undefined) line += `\n${e.stack}`;
  return { line, exit: errors[err.code].exit };
}
