/**
 * The one place a capture config becomes a source. Hardware access is injected
 * (serial port opener, Firmata board), so the daemon builds the same sources on
 * a Pi, on mocks and on files. The serial and Firmata stacks (serialport,
 * johnny-five) are loaded only when configured: a monitor on a microphone does
 * not carry them in memory.
 */
import type { FirmataBoard } from '../io/firmata-board.ts';
import { AlsaSource } from './alsa.ts';
import type { CaptureConfig } from './config.ts';
import type { OpenSerialPort } from './serial-meter.ts';
import type { CaptureSource, Clock } from './types.ts';
import { WavReplaySource } from './wav-replay.ts';

export interface CaptureDeps {
  now?: Clock;
  /** Serial opener (default: serialport's native binding). */
  openSerialPort?: OpenSerialPort;
  /** Gives the Firmata board on a port (shared with the button/LED), e.g. a memoised openFirmataBoard. */
  firmataBoard?: (port: string) => Promise<FirmataBoard>;
}

/** Builds the configured source. Throws EarshotError for a file or format problem found up front. */
export async function createCaptureSource(config: CaptureConfig, deps: CaptureDeps = {}): Promise<CaptureSource> {
  const now = deps.now;
  const withNow = now === undefined ? {} : { now };
  switch (config.type) {
    case 'alsa':
      return new AlsaSource({
        device: config.device, sampleRate: config.sampleRate, sampleFormat: config.sampleFormat, channels: config.channels, channel: config.channel,
        blockFrames: Math.round((config.sampleRate * config.blockMs) / 1000), command: config.command, commandArgs: config.commandArgs,
        extraArgs: config.extraArgs, backoff: config.restart, ...withNow,
      });
    case 'wav':
      return new WavReplaySource({
        files: config.files, loop: config.loop, pace: config.pace, channel: config.channel,
        ...(config.startAt === undefined ? {} : { startAtMs: Date.parse(config.startAt) }), ...withNow,
      });
    case 'serial': {
      const { SerialMeterSource } = await import('./serial-meter.ts');
      return new SerialMeterSource({
        path: config.path, baudRate: config.baudRate, pattern: config.pattern, intervalSeconds: config.intervalSeconds, delimiter: config.delimiter,
        backoff: config.reopen, ...(deps.openSerialPort === undefined ? {} : { openPort: deps.openSerialPort }), ...withNow,
      });
    }
    case 'firmata': {
      const [{ openFirmataBoard }, { FirmataAnalogSource }] = await Promise.all([import('../io/firmata-board.ts'), import('./firmata-analog.ts')]);
      const board = await (deps.firmataBoard ?? ((port: string) => openFirmataBoard({ port })))(config.port);
      return new FirmataAnalogSource({
        board, pin: config.pin, sampleHz: config.sampleHz, intervalSeconds: config.intervalSeconds,
        slopeDbPerVolt: config.slopeDbPerVolt, offsetDb: config.offsetDb, vrefVolts: config.vrefVolts, adcBits: config.adcBits, ...withNow,
      });
    }
  }
}
