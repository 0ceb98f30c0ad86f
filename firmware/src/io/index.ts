export { type DeviceIo, type LedState, type LedPattern, LED_PATTERNS } from './types.ts';
export { FirmataIo, type FirmataIoOptions } from './firmata-io.ts';
export { NoIo, SignalIo, KeyIo } from './no-hardware.ts';
export { PressDebouncer, type DebounceOptions } from './press-debouncer.ts';
export { openFirmataBoard, type FirmataBoard, type FirmataBoardOptions } from './firmata-board.ts';
export { IoConfig } from './config.ts';
export { createDeviceIo, type IoDeps } from './create.ts';
export { sharedFirmataBoards, type OpenBoard } from './shared-boards.ts';
export { GpioIo, openGpioIo, type GpioIoOptions } from './gpio/gpio-io.ts';
