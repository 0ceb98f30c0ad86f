/**
 * A real mosquitto 2.0 (Debian's /usr/sbin/mosquitto; `.ci/run` installs it) for tests, on a
 * free port, configured by `earshot broker config mosquitto` (DESIGN §8): its
 * accounts and rights are the ones an installation gets. Stopped and started
 * again on the same port and persistence folder, as an operator restarts it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';

const EARSHOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'ingest', 'bin', 'earshot.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  /** The ingest's account file (mode 0600), for EARSHOT_BROKER_ACCOUNT / mqtt.brokerAccountFile. */
  readonly accountFile: string;
  readonly account: { username: string; password: string };
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** What mosquitto wrote on standard output (its log). */
  log(): string;
}

export async function mosquitto(dir: string): Promise<Mosquitto> {
  const port = await freePort();
  const out = join(dir, 'broker');
  execFileSync(process.execPath, [EARSHOT, 'broker', 'config', 'mosquitto', '--port', String(port), '--host', '127.0.0.1', '--out', out], { cwd: dir, stdio: 'pipe' });
  const accountFile = join(out, 'ingest-account.json');
  const account = JSON.parse(readFileSync(accountFile, 'utf8')) as { username: string; password: string };
  const url = `mqtt://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let log = '';
  const m: Mosquitto = {
    port,
    url,
    accountFile,
    account,
    async start() {
      const c = spawn(MOSQUITTO, ['-c', join(out, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      c.stdout!.setEncoding('utf8').on('data', (s: string) => { log += s; });
      c.stderr!.setEncoding('utf8').on('data', (s: string) => { log += s; });
      const until = Date.now() + 15_000;
      for (;;) {
        try {
          const probe = await mqtt.connectAsync(url, { clientId: `probe-${process.pid}`, username: account.username, password: account.password, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2_000 }, false);
          await probe.endAsync();
          return;
        } catch (e) {
          if (c.exitCode !== null || Date.now() > until) throw new Error(`mosquitto did not start: ${(e as Error).message}\n${log}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    async stop(signal = 'SIGTERM') {
      const c = child;
      child = null;
      if (c === null || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise((resolve) => {
        c.once('exit', resolve);
        c.kill(signal);
      });
    },
    log: () => log,
  };
  await m.start();
  return m;
}
