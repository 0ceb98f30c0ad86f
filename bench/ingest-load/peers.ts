/**
 * The servers under load, each in its own process: the ingest service
 * (`earshot serve`, as an administrator runs it) and, as the ratio anchor,
 * Debian's mosquitto. CPU time of a process from /proc (proc(5)).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Peer {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** proc(5): utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (USER_HZ = 100 on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The soft limit on open files of this process (children inherit it). */
export function openFilesLimit(): string {
  const line = readFileSync('/proc/self/limits', 'latin1').split('\n').find((l) => l.startsWith('Max open files'));
  const m = line === undefined ? null : /(\d+|unlimited)\s+(\d+|unlimited)\s+files/.exec(line);
  return m === null ? 'unknown' : `soft ${m[1]}, hard ${m[2]}`;
}

/**
 * Raises this process's open-files limit (soft and hard) to `want` with prlimit(1) (util-linux; setrlimit(2)
 * RLIMIT_NOFILE, which raising the hard limit needs CAP_SYS_RESOURCE for), or the soft one up to the hard one
 * when that is refused; children inherit it. Returns what was done, for the bench's header.
 */
/** The soft open-files limit of this process, as a number. */
export function openFilesSoft(): number {
  const line = readFileSync('/proc/self/limits', 'latin1').split('\n').find((l) => l.startsWith('Max open files'));
  const m = line === undefined ? null : /(\d+|unlimited)\s+(\d+|unlimited)/.exec(line);
  return m === null ? 0 : m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1]);
}

export function raiseOpenFiles(want: number): string {
  const soft = openFilesSoft;
  if (soft() >= want) return `open files limit already ${openFilesLimit()}`;
  for (const spec of [`${want}:${want}`, `${want}:`]) {
    const r = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${spec}`], { encoding: 'utf8' });
    if (r.status === 0 && soft() >= want) return `open files limit raised with \`prlimit --pid ${process.pid} --nofile=${spec}\`: ${openFilesLimit()}`;
  }
  return `open files limit could not be raised to ${want} (prlimit refused: raising the hard limit needs CAP_SYS_RESOURCE; or set it in limits.conf(5) / systemd LimitNOFILE=): ${openFilesLimit()}`;
}

/** capabilities(7): CAP_SYS_RESOURCE is bit 24 of the effective set in /proc/<pid>/status (proc(5) CapEff). */
const CAP_SYS_RESOURCE = 24n;

/**
 * Why the hard open-files limit cannot be raised here, in words: setrlimit(2) raises RLIMIT_NOFILE's
 * hard limit only with CAP_SYS_RESOURCE (and never past /proc/sys/fs/nr_open).
 */
export function openFilesRaiseRefusal(): string {
  const cap = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'latin1'));
  const has = cap !== null && ((BigInt(`0x${cap[1]}`) >> CAP_SYS_RESOURCE) & 1n) === 1n;
  const nrOpen = readFileSync('/proc/sys/fs/nr_open', 'latin1').trim();
  return has
    ? `this process has CAP_SYS_RESOURCE, yet prlimit(1) did not raise the hard limit (fs.nr_open is ${nrOpen})`
    : `raising the hard limit needs CAP_SYS_RESOURCE (setrlimit(2)), which this process lacks (CapEff ${cap?.[1] ?? 'unknown'} in /proc/self/status: bit 24 clear), `
      + 'so it is the machine\'s to raise (limits.conf(5), systemd LimitNOFILE=, or a container run with that capability)';
}

/** Stops a child with `signal`, then SIGKILL after 30 s; resolves once it has exited. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const hard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill(signal);
  });
}

/** `earshot serve` on the data folder; resolves once it prints its MQTT address. Logs go to `logFile`. */
export function startIngest(root: string, dataDir: string, logFile: string, nodeArgs: readonly string[] = []): Promise<Peer> {
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'ingest/bin/earshot.js'), 'serve', '--data-dir', dataDir, '--mqtt-port', '0', '--http-port', '0'], {
    cwd: root,
    stdio: ['ignore', openSync(logFile, 'a'), 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    const onExit = (code: number | null): void => reject(new Error(`earshot serve exited (${code}) before it was ready: ${err.trim()} (log: ${logFile})`));
    child.once('exit', onExit);
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      err += s;
      // A start that failed after the broker was listening leaves the process up: it is stopped, not waited for.
      if (/^earshot: EARSHOT_E_\w+:/m.test(err)) {
        child.kill('SIGTERM');
        return;
      }
      const m = /devices: mqtts?:\/\/[^\s:]+:(\d+)/.exec(err);
      if (m !== null && err.includes('\n')) {
        child.off('exit', onExit);
        resolve({ name: 'earshot serve', port: Number(m[1]), pid: child.pid!, stop: () => stopChild(child, 'SIGTERM') });
      }
    });
  });
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Resolves once a child's server accepts on 127.0.0.1:port; throws when it exits or never listens. */
export async function waitListening(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      }).once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('mosquitto did not start listening');
}

/** mosquitto on a free loopback port with a minimal config; null when it is not installed. */
export async function startMosquitto(workDir: string): Promise<Peer | null> {
  if (!existsSync(MOSQUITTO)) return null;
  const port = await freePort();
  const conf = join(workDir, 'mosquitto.conf');
  // mosquitto.conf(5). Unlimited queue and in-flight window for the one subscriber, so the broker itself drops nothing.
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'max_queued_messages 0', 'max_inflight_messages 0', 'log_dest stderr', 'log_type error', ''].join('\n'));
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitListening(port, child);
  return { name: 'mosquitto', port, pid: child.pid!, stop: () => stopChild(child, 'SIGTERM') };
}
