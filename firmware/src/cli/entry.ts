/**
 * Entry point of the bundled monitor (`npm run build:device` → firmware/dist/earshot-device.mjs):
 * what runs on the Pi, without compiling TypeScript at start.
 */
import { main } from './main.ts';

const code = await main(process.argv.slice(2));
// A failure is reported by then; exit at once rather than wait on whatever it left open (the broker
// listening when the HTTP port turned out to be taken, a timer of a half-started service).
if (code !== 0) process.exit(code);
process.exitCode = code;
