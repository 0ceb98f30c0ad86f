/**
 * `earshot-device selftest --config FILE [--seconds 3] [--button-seconds 30]`: what an installer runs
 * before leaving a monitor in a home. Checks the config, the device key, the
 * state folder and its free space, the microphone (audio arrives, not silent,
 * not clipping, a plausible level), the button and LED (it blinks the LED and
 * asks for a press), the clock, and that the ingest accepts the device's
 * credentials. Prints one line per check; exit 0 when all pass, 1 if any fails.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { DEFAULT_FULL_SCALE_DB, parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { createCaptureSource } from '../capture/create.ts';
import { loadDeviceConfig } from '../daemon/config.ts';
import { readCalibration } from '../daemon/state-files.ts';
import { loadIdentity } from '../identity/index.ts';
import { checkControls } from '../io/controls-check.ts';
import { createDeviceIo } from '../io/create.ts';
import { sharedFirmataBoards } from '../io/shared-boards.ts';
import { LevelEngine } from '../measure/index.ts';
import { readClockSync } from '../status/clock-sync.ts';
import { diskSpace } from '../status/host.ts';
import { clientOptions } from '../uplink/index.ts';
import { captureFor } from './capture-for.ts';
import { SELFTEST_USAGE } from './usage.ts';

/** Below this the state folder cannot hold a week's outbox backlog and clips. */
const MIN_FREE_BYTES = 512 * 1024 * 1024;
/**
 * No working microphone reads below its own self-noise (94 dB − SNR): about 29 dB(A)
 * for the ICS-43434 (SNR 65 dBA) and 33 dB(A) for the INMP441 (SNR 61 dBA) per their
 * datasheets, and 14.6 dB(A) even for a laboratory Brüel & Kjær Type 4189. A reading
 * below 10 dB is a wrong fullScaleDb or a dead input, not a quiet room.
 */
const MIN_PLAUSIBLE_LAEQ_DB = 10;

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

async function attempt(name: string, f: () => Promise<string> | string): Promise<Check> {
  try {
    return { name, ok: true, detail: await f() };
  } catch (e) {
    return { name, ok: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

function brokerAccepts(url: string, deviceId: string, secret: string, caPem: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = connect(url, { ...clientOptions({ url, deviceId, secret, ...(caPem === undefined ? {} : { caPem }) }, 0), clean: true, clientId: deviceId, reconnectPeriod: 0, connectTimeout: 5_000 });
    const done = (err: Error | null): void => {
      client.end(true);
      if (err === null) resolve(`${url} accepted ${deviceId}`);
      else reject(err);
    };
    client.once('connect', () => done(null));
    client.once('error', (e) => done(e));
    client.once('close', () => done(new Error(`${url}: connection closed before CONNACK`)));
  });
}

export async function selftestCommand(args: readonly string[], out: (line: string) => void): Promise<number> {
  const a = parseCommand(args, { config: { type: 'string' }, seconds: { type: 'string' }, 'button-seconds': { type: 'string' } }, z.object({
    positionals: z.array(z.string()).max(0), config: z.string().min(1, `--config FILE is required: ${SELFTEST_USAGE}`), seconds: z.coerce.number().min(1).max(30).default(3),
    'button-seconds': z.coerce.number().min(1).max(300).default(30),
  }));
  // The analog module and the button/LED may share one Firmata board: open it once.
  const firmataBoard = sharedFirmataBoards();
  const { config, stateDir } = loadDeviceConfig(a.config);
  const fullScaleDb = readCalibration(stateDir)?.fullScaleDb ?? config.fullScaleDb ?? DEFAULT_FULL_SCALE_DB;
  const checks: Check[] = [];
  checks.push(await attempt('device key', () => `${loadIdentity(join(stateDir, 'keys')).publicKeyPem.split('\n')[1]?.slice(0, 16)}… (0600)`));
  checks.push(await attempt('state folder', async () => {
    accessSync(stateDir, constants.W_OK);
    const d = await diskSpace(stateDir);
    if (d !== null && d.freeBytes < MIN_FREE_BYTES) throw new Error(`only ${(d.freeBytes / 1e6).toFixed(0)} MB free in ${stateDir}`);
    return `${stateDir} writable${d === null ? '' : `, ${(d.freeBytes / 1e9).toFixed(1)} GB free`}`;
  }));
  checks.push(await attempt('calibration', () => (readCalibration(stateDir) === null ? `never calibrated: using fullScaleDb ${fullScaleDb} from the config (run earshot-device calibrate)` : `fullScaleDb ${fullScaleDb.toFixed(2)}`)));
  checks.push(await attempt('microphone', async () => {
    const source = await createCaptureSource(config.capture, { firmataBoard });
    if (source.kind !== 'pcm') return `${source.name} delivers levels (no audio to test here)`;
    const audio = await captureFor(source, a.seconds);
    let laeq: number | null = null;
    let clipped = 0;
    let silent = true;
    const engine = new LevelEngine({ sampleRate: audio.sampleRate, fullScaleDb, intervalSeconds: a.seconds, onInterval: (r) => {
      laeq = r.LAeq;
      clipped += r.clippedSamples;
      silent &&= r.silent;
    } });
    engine.process(audio.samples);
    engine.flush();
    if (silent) throw new Error(`${source.name}: digital silence — the microphone is not delivering sound`);
    if (clipped > 0) throw new Error(`${source.name}: ${clipped} samples at full scale — lower the capture gain`);
    const level = laeq as number | null;
    if (level !== null && level < MIN_PLAUSIBLE_LAEQ_DB) {
      throw new Error(`${source.name}: LAeq ${level.toFixed(1)} dB is below any microphone's self-noise — check fullScaleDb (${fullScaleDb}) and the input`);
    }
    return `${source.name}: ${audio.sampleRate} Hz, LAeq ${level?.toFixed(1) ?? '–'} dB over ${a.seconds} s`;
  }));
  checks.push(await attempt('button, LED', async () => {
    if (config.io.type === 'none') return 'none configured (io: none): no incident button on this monitor';
    const io = await createDeviceIo(config.io, { firmataBoard });
    try {
      const c = await checkControls(io, a['button-seconds'], out);
      if (!c.ok) throw new Error(c.detail);
      return c.detail;
    } finally {
      await io.close();
    }
  }));
  checks.push(await attempt('clock', async () => {
    const c = await readClockSync();
    if (c.synced === false) throw new Error(`not synchronised (${c.source}): evidence times would be flagged`);
    return c.synced === null ? 'sync state unknown (no chrony or timedatectl): evidence times will be flagged' : `synchronised (${c.source}${c.offsetMs === null ? '' : `, offset ${c.offsetMs} ms`})`;
  }));
  const caPem = config.server.caFile === undefined ? undefined : readFileSync(config.server.caFile, 'utf8');
  checks.push(await attempt('ingest', () => brokerAccepts(config.server.url, config.deviceId, config.secret, caPem)));
  for (const c of checks) out(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(12)} ${c.detail}`);
  const failed = checks.filter((c) => !c.ok).length;
  out(failed === 0 ? 'selftest passed' : `selftest: ${failed} check(s) failed`);
  return failed === 0 ? 0 : 1;
}
