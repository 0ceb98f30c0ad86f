/**
 * Is a process still the one that wrote a lock? A pid alone does not say: after
 * a crash and a reboot (or many starts) the number is reused by an unrelated
 * process. Linux keeps each process's start time, in clock ticks since boot, as
 * field 22 of /proc/<pid>/stat (proc(5)); a lock records it, and a process with
 * the same pid but another start time is not its writer. Without /proc (macOS)
 * only the pid can be checked.
 */
import { readFileSync } from 'node:fs';

/** proc(5): field 3 is the state, field 22 the start time; both follow the parenthesised command name. */
const STATE_FIELD = 3;
const STARTTIME_FIELD = 22;

interface ProcStat {
  readonly state: string;
  readonly startTicks: string;
}

function procStat(pid: number): ProcStat | 'gone' | 'unavailable' {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') {
      // No entry for the pid: gone, unless this system has no /proc at all.
      try {
        readFileSync('/proc/self/stat');
        return 'gone';
      } catch {
        return 'unavailable';
      }
    }
    return 'unavailable';
  }
  // The command name (field 2) may hold spaces and parentheses: the fields after it start after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[STATE_FIELD - 3];
  const startTicks = rest[STARTTIME_FIELD - 3];
  if (state === undefined || startTicks === undefined) return 'unavailable';
  return { state, startTicks };
}

/** This process's start time as /proc records it (null without /proc). */
export function ownStartTicks(): string | null {
  const s = procStat(process.pid);
  return typeof s === 'string' ? null : s.startTicks;
}

/**
 * Whether the process `pid`, started at `startTicks` (null: not recorded),
 * still runs. A zombie (exited, not yet reaped by its parent) has gone.
 */
export function processAlive(pid: number, startTicks: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const s = procStat(pid);
  if (s === 'gone') return false;
  if (s === 'unavailable') return true;
  // proc(5): Z zombie, X dead.
  if (s.state === 'Z' || s.state === 'X') return false;
  return startTicks === null || s.startTicks === startTicks;
}
