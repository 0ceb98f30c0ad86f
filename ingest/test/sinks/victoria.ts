/** A real VictoriaMetrics (Debian's victoria-metrics) on a loopback port, for the Influx sink tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian package victoria-metrics; the tests need it (they fail, not skip, without it). */
export const VICTORIA_BIN = '/usr/bin/victoria-metrics';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Victoria {
  readonly url: string;
  /** Makes everything written so far searchable (VictoriaMetrics /internal/force_flush). */
  forceFlush(): Promise<void>;
  /** Lines of /api/v1/export for a series selector. */
  exportSeries(match: string): Promise<{ metric: Record<string, string>; values: number[]; timestamps: number[] }[]>;
  stop(): Promise<void>;
}

export async function startVictoria(port: number): Promise<Victoria> {
  if (!existsSync(VICTORIA_BIN)) throw new Error(`${VICTORIA_BIN} is missing: apt-get install victoria-metrics`);
  const dir = mkdtempSync(join(tmpdir(), 'earshot-vm-'));
  const child: ChildProcess = spawn(
    VICTORIA_BIN,
    [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dir}`, '-search.latencyOffset=0s', '-loggerLevel=ERROR', '-retentionPeriod=100y', '-memory.allowedPercent=10'],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('victoria-metrics did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    async forceFlush() {
      await (await fetch(`${url}/internal/force_flush`)).arrayBuffer();
    },
    async exportSeries(match) {
      const res = await fetch(`${url}/api/v1/export?match[]=${encodeURIComponent(match)}`);
      const text = await res.text();
      return text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { metric: Record<string, string>; values: number[]; timestamps: number[] });
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
