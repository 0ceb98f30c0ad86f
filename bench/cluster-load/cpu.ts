/**
 * CPU time of the processes under load, from /proc (proc(5)), and of the whole
 * machine. PostgreSQL is a tree of processes (the postmaster forks a backend
 * per connection, and its background workers), so its time is the tree's: each
 * live process's own utime + stime, plus cutime + cstime, the time of children
 * it has already reaped (a backend or autovacuum worker that ended in the window).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** proc(5): USER_HZ, the unit of /proc's times, is 100 on Linux. */
const TICKS_PER_S = 100;

interface Stat {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in ticks. */
  readonly ticks: number;
}

/** /proc/<pid>/stat: comm in parentheses (field 2), then ppid (4), utime, stime, cutime, cstime (14–17). */
function stat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  return { pid, comm: text.slice(text.indexOf('(') + 1, close), ppid: Number(f[1]), ticks };
}

function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s !== null) out.push(s);
  }
  return out;
}

/** CPU seconds of a process and every live descendant, their reaped children included. */
export function treeCpuSeconds(root: number): number {
  const all = allStats();
  const children = new Map<number, Stat[]>();
  for (const s of all) {
    const list = children.get(s.ppid);
    if (list === undefined) children.set(s.ppid, [s]);
    else list.push(s);
  }
  const self = all.find((s) => s.pid === root);
  if (self === undefined) return 0;
  let ticks = 0;
  const stack = [self];
  while (stack.length > 0) {
    const s = stack.pop()!;
    ticks += s.ticks;
    stack.push(...(children.get(s.pid) ?? []));
  }
  return ticks / TICKS_PER_S;
}

/** The direct children of this process with the given command name (the postmaster test/support/postgres.ts starts). */
export function childrenNamed(comm: string): number[] {
  return allStats().filter((s) => s.ppid === process.pid && s.comm === comm).map((s) => s.pid);
}

/** proc(5) /proc/stat "cpu" line: busy (everything but idle and iowait) and total seconds of every core since boot. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = f[3]! + f[4]!;
  return { busy: (total - idle) / TICKS_PER_S, total: total / TICKS_PER_S };
}
