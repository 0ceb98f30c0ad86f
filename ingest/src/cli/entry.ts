/**
 * The `earshot` command run straight from its TypeScript (`node --import tsx ingest/src/cli/entry.ts …`),
 * as bench/startup.ts measures it against the compiled command that bin/earshot.js starts.
 */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
