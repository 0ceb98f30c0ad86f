/**
 * The `earshot` command run straight from its TypeScript (`node --import tsx ingest/src/cli/entry.ts …`),
 * as bench/startup.ts measures it against the compiled command that bin/earshot.js starts.
 */
import { main } from './main.ts';

const code = await main(process.argv.slice(2));
// A failure is reported by then; exit at once rather than wait on whatever it left open (the broker
// listening when the HTTP port turned out to be taken, a timer of a half-started service).
if (code !== 0) process.exit(code);
process.exitCode = code;
