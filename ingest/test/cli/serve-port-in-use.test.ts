/** `earshot serve` on a port another program holds: one line with its code, and the process exits (nothing it opened keeps it alive). */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../../bin/earshot.js');
const dir = mkdtempSync(join(tmpdir(), 'earshot-port-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function serve(...args: string[]): Promise<{ code: number | null; err: string; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'serve', '--data-dir', join(dir, 'data'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => child.on('exit', (code) => {
    clearTimeout(timer);
    resolve({ code, err, ms: performance.now() - started });
  }));
}

describe('earshot serve on a port in use', () => {
  it('names the address with EARSHOT_E_PORT_IN_USE and exits 2, for the HTTP port and for the MQTT port', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as AddressInfo).port;
    try {
      // The broker is listening by the time the HTTP port fails: it must not keep the process alive.
      const http = await serve('--mqtt-port', '0', '--http-port', String(port));
      expect(http.err.trim().split('\n').filter((l) => l.startsWith('earshot: '))).toEqual([
        `earshot: EARSHOT_E_PORT_IN_USE: the port is already in use: 127.0.0.1:${port}: another program is listening there; choose another port or stop it`,
      ]);
      expect(http.code).toBe(2);
      const mqtt = await serve('--mqtt-port', String(port), '--http-port', '0');
      expect(mqtt.err).toMatch(new RegExp(`earshot: EARSHOT_E_PORT_IN_USE: the port is already in use: .*:${port}: `));
      expect(mqtt.code).toBe(2);
    } finally {
      holder.close();
    }
  }, 90_000);
});
