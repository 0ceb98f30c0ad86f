/** `earshot-device` as a real child process, its output collected. */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../bin/earshot-device.js');

export interface Child {
  proc: ChildProcess;
  out: string[];
  err: string[];
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function device(...args: string[]): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => out.push(d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => err.push(d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return { proc, out, err, exited };
}
