#!/usr/bin/env node
// `earshot`: the compiled command (ingest/dist/cli/, built by `npm ci` through the root `prepare` script,
// scripts/build.js) while it matches the sources; the TypeScript sources through tsx when there is no
// build or a source was edited since (scripts/build-state.js), so an edit is never hidden by an old build.
import { runCommand } from '../../scripts/build-state.js';

await runCommand(new URL('../dist/cli/', import.meta.url), new URL('../src/cli/main.ts', import.meta.url));
