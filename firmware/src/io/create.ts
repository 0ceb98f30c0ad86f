/** The one place an io config becomes device controls; the Firmata board is injected (shared, or a mock), the Pi's GPIO tools found on PATH. */
import type { ErrorInfo } from '@earshot/shared';
import type { IoConfig } from './config.ts';
import type { FirmataBoard } from './firmata-board.ts';
import { KeyIo, NoIo, SignalIo } from './no-hardware.ts';
import type { DeviceIo } from './types.ts';

export interface IoDeps {
  firmataBoard?: (port: string) => Promise<FirmataBoard>;
  /** Input for `key` (default process.stdin). */
  input?: NodeJS.ReadableStream;
  /** Environment of the GPIO tools (default this process's; tests put simulated tools on PATH). */
  gpioEnv?: NodeJS.ProcessEnv;
  /** A button/LED fault after start (a GPIO tool died and is restarted). */
  onFault?: (error: ErrorInfo) => void;
}

export async function createDeviceIo(config: IoConfig, deps: IoDeps = {}): Promise<DeviceIo> {
  switch (config.type) {
    case 'firmata': {
      // johnny-five is loaded only when a Firmata board is fitted.
      const [{ openFirmataBoard }, { FirmataIo }] = await Promise.all([import('./firmata-board.ts'), import('./firmata-io.ts')]);
      const board = await (deps.firmataBoard ?? ((port: string) => openFirmataBoard({ port })))(config.port);
      return new FirmataIo({ board, buttonPin: config.buttonPin, ledPin: config.ledPin, pullup: config.pullup, debounceMs: config.debounceMs, minGapMs: config.minGapMs });
    }
    case 'gpio': {
      const { openGpioIo } = await import('./gpio/gpio-io.ts');
      return openGpioIo({
        buttonLine: config.buttonLine, ledLine: config.ledLine, pullup: config.pullup, debounceMs: config.debounceMs, minGapMs: config.minGapMs,
        gpiomon: config.gpiomon, gpioset: config.gpioset, ...(config.chip === undefined ? {} : { chip: config.chip }),
        ...(deps.gpioEnv === undefined ? {} : { env: deps.gpioEnv }), ...(deps.onFault === undefined ? {} : { onFault: deps.onFault }),
      });
    }
    case 'signal':
      return new SignalIo(config.signal);
    case 'key':
      return new KeyIo(deps.input ?? process.stdin, config.key);
    case 'none':
      return new NoIo();
  }
}
