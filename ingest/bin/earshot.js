#!/usr/bin/env node
// `earshot`: the compiled command (ingest/dist/cli/, built by `npm ci` through the root `prepare` script,
// scripts/build.js) while it matches the sources; the TypeScript sources through tsx when there is no
// build or a source was edited since (scripts/build-state.js), so an edit is never hidden by an old build.
import module from 'node:module';
import { compiledEntry } from '../../scripts/build-state.js';

// Node 22.1+ keeps V8's compiled code of each module between runs (in the OS temp folder): a faster start.
module.enableCompileCache?.();
const compiled = compiledEntry(new URL('../dist/cli/', import.meta.url));
let main;
if (compiled !== null) ({ main } = await import(compiled));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
