/**
 * Entry point of the bundled monitor (`npm run build:device` → firmware/dist/earshot-device.mjs):
 * what runs on the Pi, without compiling TypeScript at start.
 */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
