/**
 * Whether a compiled command (scripts/build.js → <package>/dist/cli/) still matches its sources.
 *
 * The build records every TypeScript file it bundled, with its modification time and size, in
 * dist/cli/inputs.json. The `earshot` and `earshot-device` launchers (bin/) run the compiled
 * main.js when every recorded file is unchanged, and the sources through tsx otherwise (no build
 * yet, `npm ci --ignore-scripts`, or a source edited since the last build), so an edit is never
 * hidden behind an old build. The check is one small JSON read and a stat per source file: a few
 * milliseconds for the few hundred files of a command.
 */
import module from 'node:module';
import { readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MANIFEST = 'inputs.json';
export const ENTRY = 'main.js';
const VERSION = 1;

/** What the manifest records of one source file: [mtimeMs, size], or null for a file that is gone. */
export function fingerprint(file) {
  const s = statSync(file, { throwIfNoEntry: false });
  return s === undefined ? null : [s.mtimeMs, s.size];
}

/** The manifest's text for `inputs`: paths relative to the build's folder, so a copied tree (cp -a) stays current. */
export function manifestText(inputs) {
  return `${JSON.stringify({ v: VERSION, inputs })}\n`;
}

/**
 * The file URL of the compiled entry in `distDir` (a URL or path ending in dist/cli/) when its build
 * matches the sources; null when the sources must be run instead.
 */
export function compiledEntry(distDir) {
  const dir = distDir instanceof URL ? fileURLToPath(distDir) : distDir;
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
  } catch {
    return null;
  }
  if (manifest === null || typeof manifest !== 'object' || manifest.v !== VERSION || typeof manifest.inputs !== 'object' || manifest.inputs === null) return null;
  // `dir/` + the relative path, resolved by the file system rather than path.join: normalising some four hundred
  // paths in not yet compiled JavaScript cost more than all their stat calls.
  const base = dir.endsWith(sep) ? dir : dir + sep;
  for (const rel of Object.keys(manifest.inputs)) {
    const recorded = manifest.inputs[rel];
    const now = statSync(base + rel, { throwIfNoEntry: false });
    if (now === undefined || !Array.isArray(recorded) || now.mtimeMs !== recorded[0] || now.size !== recorded[1]) return null;
  }
  return pathToFileURL(join(dir, ENTRY)).href;
}

/**
 * What both launchers (bin/earshot.js, bin/earshot-device.js) do: run a command's `main` from its
 * compiled build in `distDir` while that matches the sources, else `sourceMain` through tsx, and set
 * the exit code from what it returns.
 */
export async function runCommand(distDir, sourceMain) {
  // Node 22.1+ keeps V8's compiled code of each module between runs (in the OS temp folder): a faster start.
  module.enableCompileCache?.();
  const compiled = compiledEntry(distDir);
  let main;
  if (compiled !== null) ({ main } = await import(compiled));
  else {
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import(sourceMain instanceof URL ? sourceMain.href : sourceMain));
  }
  const code = await main(process.argv.slice(2));
  // A failure is reported by then; exit at once rather than wait on whatever it left open (the broker
  // listening when the HTTP port turned out to be taken, a timer of a half-started service).
  if (code !== 0) process.exit(code);
  process.exitCode = code;
}
