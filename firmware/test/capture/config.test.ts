import { SerialPortMock } from 'serialport';
import { describe, expect, it } from 'vitest';
import { AlsaSource } from '../../src/capture/alsa.ts';
import { CaptureConfig } from '../../src/capture/config.ts';
import { createCaptureSource } from '../../src/capture/create.ts';
import { FirmataAnalogSource } from '../../src/capture/firmata-analog.ts';
import { SerialMeterSource } from '../../src/capture/serial-meter.ts';
import { WavReplaySource } from '../../src/capture/wav-replay.ts';
import { describeIssues } from '@earshot/shared';
import { mockBoard } from '../io/mock-board.ts';
import { tempDir, writeRampWav } from './helpers.ts';

describe('capture config', () => {
  it('fills the defaults of an ALSA capture', () => {
    expect(CaptureConfig.parse({ type: 'alsa', device: 'plughw:CARD=sndrpii2scard' })).toEqual({
      type: 'alsa', device: 'plughw:CARD=sndrpii2scard', sampleRate: 48_000, sampleFormat: 'S32_LE', channels: 2, channel: 0, blockMs: 100,
      command: 'arecord', commandArgs: [], extraArgs: [], restart: { initialMs: 1_000, maxMs: 60_000 },
    });
  });

  it('rejects what cannot work, naming the problem', () => {
    const bad = (v: unknown): string => {
      const r = CaptureConfig.safeParse(v);
      if (r.success) throw new Error('accepted');
      return describeIssues(r.error);
    };
    expect(bad({ type: 'alsa', channels: 1, channel: 1 })).toMatch(/channel: channel must be below channels/);
    expect(bad({ type: 'alsa', sampleFormat: 'S24_3LE' })).toMatch(/sampleFormat/);
    expect(bad({ type: 'alsa', sampleRate: 4000 })).toMatch(/sampleRate/);
    expect(bad({ type: 'serial', path: '/dev/ttyUSB0', pattern: String.raw`(?<dBA>\d+)` })).toMatch(/pattern: serial meter pattern names dBA/);
    expect(bad({ type: 'firmata', port: '/dev/ttyACM0', sampleHz: 5 })).toMatch(/sampleHz/);
    expect(bad({ type: 'wav', files: [] })).toMatch(/files/);
    expect(bad({ type: 'mic' })).toMatch(/type/);
    expect(bad({ type: 'alsa', devcie: 'hw:1,0' })).toMatch(/devcie/);
  });

  it('builds the source each type names', async () => {
    const alsa = await createCaptureSource(CaptureConfig.parse({ type: 'alsa', device: 'hw:1,0', sampleFormat: 'S16_LE', channels: 1 }));
    expect(alsa).toBeInstanceOf(AlsaSource);
    expect(alsa.kind === 'pcm' && (alsa as AlsaSource).args).toEqual(['-q', '-D', 'hw:1,0', '-t', 'raw', '-f', 'S16_LE', '-r', '48000', '-c', '1']);

    const file = writeRampWav(tempDir('cfg'), 'a.wav', 100, 16_000, () => 0);
    const wav = await createCaptureSource(CaptureConfig.parse({ type: 'wav', files: [file], startAt: '2026-01-01T00:00:00.000Z' }));
    expect(wav).toBeInstanceOf(WavReplaySource);
    await wav.stop();

    const serial = await createCaptureSource(CaptureConfig.parse({ type: 'serial', path: '/dev/ttyUSB0', pattern: String.raw`(?<LAeq>\d+\.\d)` }), {
      openSerialPort: (path, baudRate) => new SerialPortMock({ path, baudRate, autoOpen: false }),
    });
    expect(serial).toBeInstanceOf(SerialMeterSource);
    expect(serial.kind).toBe('levels');

    const m = await mockBoard();
    const firmata = await createCaptureSource(CaptureConfig.parse({ type: 'firmata', port: '/dev/ttyACM0' }), { firmataBoard: async () => m.board });
    expect(firmata).toBeInstanceOf(FirmataAnalogSource);
  });
});
