/**
 * Faults across real processes (issue 6): the ingest killed and restarted during
 * a stream, the monitor's network down for a while, and devices that must be
 * refused — with nothing lost and the service unaffected.
 */
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { connect } from 'mqtt';
import { signEnvelope, topics } from '@earshot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy } from './proxy.ts';
import {
  EARSHOT, cliOk, freePort, openCaseWithDeployment, provisionDevice, query, type Sandbox, sandbox, slamWav, startDevice, startIngest, stop, waitFor,
} from './harness.ts';
import type { ChildProcess } from 'node:child_process';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function track<T extends ChildProcess>(child: T): T {
  cleanups.push(() => stop(child));
  return child;
}

function newBox(): Sandbox {
  const box = sandbox();
  cleanups.push(() => box.cleanup());
  return box;
}

/** Seconds covered by stored 1 s records of a device, and the seqs of its signed messages. */
function coverage(box: Sandbox, device: string): { seconds: number[]; seqs: number[] } {
  const seconds = query<{ t: number }>(box, 'SELECT t FROM levels WHERE device = ? ORDER BY t', device).map((r) => r.t);
  const seqs = query<{ seq: number }>(box, 'SELECT seq FROM messages WHERE device = ? ORDER BY seq', device).map((r) => r.seq);
  return { seconds, seqs };
}

function expectNoGaps(c: { seconds: number[]; seqs: number[] }): void {
  // Every signed message from seq 0 up, exactly once.
  expect(c.seqs).toEqual(c.seqs.map((_, i) => i));
  // 1 s records back to back: no second missing.
  for (let i = 1; i < c.seconds.length; i++) expect(c.seconds[i]! - c.seconds[i - 1]!, `gap after record ${i - 1}`).toBeLessThan(1_500);
}

describe('faults across real processes', () => {
  it('loses nothing when the ingest is killed (SIGKILL) and restarted during a stream', async () => {
    const box = newBox();
    const ports = { mqtt: await freePort(), http: await freePort() };
    let ingest = await startIngest(box, ports);
    track(ingest.child);
    slamWav(join(box.dir, 'room.wav'), 10, 5);
    const config = provisionDevice(box, 'flat-1', ports.mqtt, join(box.dir, 'room.wav'));
    openCaseWithDeployment(box, 'flat-1');
    track(startDevice(config, box.dir));
    await waitFor('levels stored', () => coverage(box, 'flat-1').seconds.length >= 10);
    await stop(ingest.child, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 4_000));
    ingest = await startIngest(box, ports);
    track(ingest.child);
    const before = Date.now();
    // The device's backlog (the seconds measured while the ingest was dead) arrives, then live records again.
    const c = await waitFor('records measured after the restart', () => {
      const cov = coverage(box, 'flat-1');
      return cov.seconds.length > 0 && cov.seconds.at(-1)! > before ? cov : undefined;
    }, 60_000);
    expectNoGaps(c);
    expect(query<{ n: number }>(box, 'SELECT count(*) AS n FROM quarantine')[0]!.n).toBe(0);
  }, 120_000);

  it('delivers the backlog after the monitor was offline for a while (network cut)', async () => {
    const box = newBox();
    const ingest = await startIngest(box);
    track(ingest.child);
    const proxy = await startProxy(ingest.mqttPort);
    cleanups.push(() => proxy.close());
    slamWav(join(box.dir, 'room.wav'), 10, 5);
    const config = provisionDevice(box, 'flat-2', proxy.port, join(box.dir, 'room.wav'));
    openCaseWithDeployment(box, 'flat-2');
    track(startDevice(config, box.dir));
    await waitFor('levels stored', () => coverage(box, 'flat-2').seconds.length >= 10);
    proxy.cut();
    const cutAt = Date.now();
    await new Promise((r) => setTimeout(r, 15_000));
    const during = coverage(box, 'flat-2').seconds.filter((t) => t > cutAt + 2_000).length;
    expect(during).toBe(0); // nothing could arrive while the network was down
    proxy.restore();
    const c = await waitFor('the backlog and live records', () => {
      const cov = coverage(box, 'flat-2');
      return cov.seconds.filter((t) => t > cutAt + 15_000).length > 0 ? cov : undefined;
    }, 90_000);
    expectNoGaps(c);
    // The events of the slams measured while offline arrived too, attached to the case.
    const events = query<{ n: number }>(box, "SELECT count(*) AS n FROM events WHERE kind = 'ended' AND case_ref IS NOT NULL AND device_time > ?", cutAt)[0]!.n;
    expect(events).toBeGreaterThanOrEqual(2);
  }, 150_000);

  it('refuses unknown and disabled devices, quarantines garbage, and keeps serving', async () => {
    const box = newBox();
    const ingest = await startIngest(box);
    track(ingest.child);
    slamWav(join(box.dir, 'room.wav'), 10, 5);
    const config = provisionDevice(box, 'good-one', ingest.mqttPort, join(box.dir, 'room.wav'));
    track(startDevice(config, box.dir));
    const details = JSON.parse(cliOk(EARSHOT, ['device', 'add', 'noisy-one', '--data-dir', box.dataDir, '--json'], { cwd: box.dir })) as { secret: string };
    const url = `mqtt://127.0.0.1:${ingest.mqttPort}`;
    const tryConnect = (id: string, password: string): Promise<string> => new Promise((resolve) => {
      const c = connect(url, { protocolVersion: 4, clientId: id, username: id, password, reconnectPeriod: 0, connectTimeout: 5_000 });
      c.once('connect', () => resolve('connected'));
      c.once('error', (e) => resolve(`refused: ${e.message}`));
      cleanups.push(() => c.endAsync(true));
    });
    expect(await tryConnect('stranger', 'x'.repeat(40))).toMatch(/^refused/);
    expect(await tryConnect('noisy-one', 'wrong-secret-wrong-secret')).toMatch(/^refused/);

    // A registered device publishing garbage and forgeries: quarantined, the connection survives.
    const noisy = connect(url, { protocolVersion: 4, clientId: 'noisy-one', username: 'noisy-one', password: details.secret, clean: false, reconnectPeriod: 0 });
    cleanups.push(() => noisy.endAsync(true));
    await new Promise<void>((resolve, reject) => { noisy.once('connect', () => resolve()); noisy.once('error', reject); });
    const forger = generateKeyPairSync('ed25519').privateKey;
    await noisy.publishAsync(topics.levels('noisy-one'), Buffer.from('not an envelope at all'), { qos: 1 });
    await noisy.publishAsync(topics.event('noisy-one'), signEnvelope({ v: 1, device: 'noisy-one', seq: 0, sentAt: new Date().toISOString(), type: 'event', body: { kind: 'nonsense' } }, forger), { qos: 1 });
    const q = query<{ code: string; device: string }>(box, 'SELECT code, device FROM quarantine ORDER BY id');
    expect(q.map((r) => r.code)).toEqual(['EARSHOT_E_ENVELOPE_MALFORMED', 'EARSHOT_E_KEY_NOT_PINNED']);

    // Disabled: an open connection is cut and a new one refused.
    const closed = new Promise<void>((resolve) => noisy.once('close', () => resolve()));
    cliOk(EARSHOT, ['device', 'disable', 'noisy-one', '--data-dir', box.dataDir], { cwd: box.dir });
    await closed;
    expect(await tryConnect('noisy-one', details.secret)).toMatch(/^refused/);

    // The good device was never disturbed.
    const before = Date.now();
    await waitFor('the good device still stored', () => query<{ t: number }>(box, 'SELECT t FROM levels WHERE device = ? AND t > ?', 'good-one', before - 1_000).length > 0, 30_000);
    expect(ingest.child.exitCode).toBeNull();
  }, 90_000);
});
