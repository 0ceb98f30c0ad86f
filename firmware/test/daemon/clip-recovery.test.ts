/**
 * A power cut between writing a clip and journaling it: at the next start the
 * daemon queues the clip from the manifest kept beside it; a WAV without a
 * manifest is kept, not sent and not deleted.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/audio/index.ts';
import { clipManifest, writeClipFile, writeManifestFile } from '../../src/clips/index.ts';
import { Daemon } from '../../src/daemon/daemon.ts';
import { type Cleanups, Ingest, brokerAndDevice, waitFor } from './peers.ts';
import { FORMAT, RATE } from './signals.ts';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const quiet = { info: () => undefined, warn: () => undefined };

describe('clips left by a power cut', () => {
  it('queues a finished clip that was never journaled, and keeps one with no manifest', async () => {
    const { broker, dev } = await brokerAndDevice(cleanups, { version: 1, rules: [], audio: { mode: 'on-event' }, heartbeatSeconds: 10 });
    const clipsDir = join(dev.dir, 'state', 'clips');
    mkdirSync(clipsDir, { recursive: true });
    const audio = new Float64Array(RATE * 2).map((_, i) => 0.1 * Math.sin(i / 5));
    const data = encodeWav(audio, { encoding: 'int', bitsPerSample: 16, sampleRate: RATE }).subarray(44);
    const format = { ...FORMAT, bitsPerSample: 16 as const };
    const written = await writeClipFile(clipsDir, 'clip-before-the-cut', format, Buffer.from(data), data.length);
    const manifest = clipManifest({ clipId: 'clip-before-the-cut', eventId: 'flat-9-monitor-1-slam', written, format, fullScaleDb: 120, startedAtMs: Date.now() - 60_000, frames: audio.length, preFrames: RATE, postFrames: 0 });
    await writeManifestFile(written.path, manifest);
    writeFileSync(join(clipsDir, 'stray.wav'), encodeWav(audio, { encoding: 'int', bitsPerSample: 16, sampleRate: RATE }));

    const ingest = new Ingest(dev.publicKey);
    await ingest.connect(broker.url);
    cleanups.push(() => ingest.close());
    const daemon = await Daemon.start({ configFile: dev.configFile, log: quiet });
    cleanups.push(() => daemon.stop());
    await waitFor('the recovered clip delivered', () => ingest.manifests().some((m) => m.clipId === 'clip-before-the-cut'), 15_000);
    expect(ingest.manifests().find((m) => m.clipId === 'clip-before-the-cut')).toEqual(manifest);
    await waitFor('the manifest file removed once journaled', () => !existsSync(join(clipsDir, 'clip-before-the-cut.manifest.json')));
    expect(existsSync(join(clipsDir, 'stray.wav'))).toBe(true);
    expect(ingest.manifests().map((m) => m.clipId)).not.toContain('stray');
  }, 30_000);
});
