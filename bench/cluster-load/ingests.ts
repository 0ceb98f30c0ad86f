/**
 * `earshot serve` ingest processes of one fleet (docs/fleet.md "Several
 * `earshot serve` processes"), as an administrator runs them: each on the
 * PostgreSQL store (EARSHOT_STORE_URL), consuming the shared subscription of
 * the external broker under a client id of its own (EARSHOT_BROKER_CLIENT_ID),
 * sharing the data folder's server key. Each is started once the one before it
 * is up (the first makes the key the others load) and counts as ready when its
 * /readyz answers 200: connected to the store and to the broker, subscribed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopChild } from '../ingest-load/peers.ts';

export interface Ingest {
  readonly name: string;
  readonly pid: number;
  readonly readyz: string;
}

export interface IngestFleet {
  readonly processes: readonly Ingest[];
  stop(): Promise<void>;
}

export interface IngestFleetOptions {
  readonly root: string;
  readonly dir: string;
  readonly storeUrl: string;
  readonly brokerUrl: string;
  readonly accountFile: string;
  readonly count: number;
}

const READY_TIMEOUT_MS = 120_000;
/** The line `earshot serve` prints on PostgreSQL once it runs (ingest/src/cli/serve.ts startOnPostgres). */
const RUNNING = /ingest service running on postgres:\/\/\S+ — devices: mqtts?:\/\/\S+, officers: (http:\/\/\S+\/)/;


async function waitReady(url: string, child: ChildProcess, name: string): Promise<void> {
  const until = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before it was ready`);
    const status = await fetch(url).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > until) throw new Error(`${name}: ${url} still answers ${status} after ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function startOne(o: IngestFleetOptions, config: string, n: number, children: ChildProcess[]): Promise<Ingest> {
  const name = `earshot-ingest-${n}`;
  const log = join(o.dir, `${name}.log`);
  const child = spawn(process.execPath, [join(o.root, 'ingest/bin/earshot.js'), 'serve', '--data-dir', join(o.dir, 'data'), '--config', config, '--http-port', '0'], {
    cwd: o.root,
    stdio: ['ignore', openSync(log, 'a'), 'pipe'],
    env: { ...process.env, EARSHOT_STORE_URL: o.storeUrl, EARSHOT_BROKER_CLIENT_ID: name },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    const onExit = (code: number | null): void => reject(new Error(`${name} exited (${code}) before it was ready: ${err.trim()} (log: ${log})`));
    child.once('exit', onExit);
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      if (err.length < 64_000) err += s;
      const m = RUNNING.exec(err);
      if (m === null) return;
      child.off('exit', onExit);
      child.stderr!.removeAllListeners('data');
      child.stderr!.resume();
      waitReady(`${m[1]!}readyz`, child, name).then(() => resolve({ name, pid: child.pid!, readyz: `${m[1]!}readyz` }), reject);
    });
  });
}

/** `count` ingest processes on one store and broker, each ready; stopped (SIGTERM, as systemd stops them) together. */
export async function startIngests(o: IngestFleetOptions): Promise<IngestFleet> {
  const config = join(o.dir, 'earshot.json');
  writeFileSync(config, JSON.stringify({
    mqtt: { host: '127.0.0.1', port: 0, brokerUrl: o.brokerUrl, brokerAccountFile: o.accountFile },
    http: { host: '127.0.0.1', port: 0 },
  }));
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((c) => stopChild(c)));
  };
  const processes: Ingest[] = [];
  try {
    for (let n = 1; n <= o.count; n++) processes.push(await startOne(o, config, n, children));
  } catch (e) {
    await stop();
    throw e;
  }
  return { processes, stop };
}
