/**
 * A process that takes a folder lock (shared/src/process-lock/) for the lock tests:
 * `node --import tsx lock-holder.ts LOCKFILE [--wait]`. With --wait it prints
 * "ready" and waits for a line on standard input (so several, started one by
 * one, take the lock at the same instant); then it takes the lock, prints
 * "held" and waits to be killed; on refusal prints the one-line CLI failure
 * and exits with its code.
 */
import { acquireProcessLock, cliFailure } from '@earshot/shared';

const [path, wait] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: lock-holder.ts LOCKFILE [--wait]');
if (wait === '--wait') {
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  process.stdin.pause();
}
try {
  acquireProcessLock(path, { what: `the folder of ${path}`, command: 'lock-holder' });
  process.stdout.write('held\n');
  setInterval(() => undefined, 60_000);
} catch (e) {
  const f = cliFailure('lock-holder', e);
  process.stderr.write(`${f.line}\n`);
  process.exit(f.exit);
}
