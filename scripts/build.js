#!/usr/bin/env node
/**
 * Compiles the `earshot` and `earshot-device` commands to JavaScript: ingest/dist/cli/ and
 * firmware/dist/cli/ (main.js plus one chunk per lazily loaded subcommand). Run by the root
 * `prepare` script, so a fresh clone's `npm ci` (or `npm install`) leaves commands that start
 * without compiling TypeScript; `npm run build` does it again by hand. Nothing it writes is
 * committed (dist/ is in .gitignore).
 *
 * Why esbuild bundling rather than `tsc` emit: the sources import each other with `.ts`
 * extensions and @earshot/shared exports its TypeScript, which tsc would have to rewrite
 * package by package; esbuild compiles all three workspaces in well under a second, and one
 * bundle per command loads far fewer files at start. Only our own TypeScript is bundled:
 * every npm dependency stays an ordinary import resolved from node_modules at run time
 * (native modules — better-sqlite3, serialport — must, and the others then behave exactly as
 * under tsx). `import.meta.url` is rewritten to the URL of the source file it was written in,
 * so paths found from it (web/, package.json, fonts) are the same as from the sources.
 *
 * Without esbuild (`npm ci --omit=dev`) it says so and exits 0: the commands then run the
 * sources through tsx, as they do whenever a source is newer than its build (build-state.js).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directImports } from './build-imports.js';
import { ENTRY, MANIFEST, fingerprint, manifestText } from './build-state.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The commands: each package's CLI dispatcher, compiled to <package>/dist/cli/main.js. */
const TARGETS = [
  { entry: 'ingest/src/cli/main.ts', outdir: 'ingest/dist/cli' },
  { entry: 'firmware/src/cli/main.ts', outdir: 'firmware/dist/cli' },
];

/** The oldest Node the project supports (package.json "engines"). */
const NODE_TARGET = 'node20';

/**
 * npm packages compiled into the commands rather than loaded from node_modules: zod is imported by nearly every
 * module and is some thirty ES module files, whose resolution and loading alone took longer than the rest of
 * `earshot --help`. Pure JavaScript with no files of its own, so bundling it changes nothing else. Everything
 * else stays external: native modules (better-sqlite3, serialport) must, and pino, fastify and pdfkit find
 * worker or data files beside their own code.
 */
const BUNDLED_PACKAGES = ['zod'];

/** Our packages imported by name, and the index file each name stands for (their package.json "exports"). */
const WORKSPACE_INDEXES = { '@earshot/shared': join(root, 'shared/src/index.ts') };

/** A source edited while it was being built: the build is done again, this many times at most. */
const MAX_ATTEMPTS = 3;

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  process.stderr.write('earshot build: esbuild is not installed (npm ci --omit=dev?): the commands will run their TypeScript sources through tsx\n');
  process.exit(0);
}

const toUrlPath = (p) => p.split(sep).join('/');

/** 'zod' of 'zod/v4/core', '@scope/name' of '@scope/name/sub'. */
const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/**
 * `import { z } from 'zod'` names zod's namespace as one value, which esbuild cannot shake: every schema type,
 * the JSON-schema converters and all fifty locales (some 750 kB) were compiled and run at each start. The same
 * bindings imported as `import * as z from 'zod'` are shaken member by member (some 170 kB). Only the import
 * changes: zod's index re-exports every one of those members (`export * from "./v4/classic/external.js"`).
 */
const ZOD_NAMED_IMPORT = /^import \{ z \} from 'zod';$/gm;

/**
 * Bare imports other than our workspaces and BUNDLED_PACKAGES stay imports of node_modules; `import.meta.url` keeps
 * meaning the source file. Our own sources are marked free of import side effects (as shared/package.json says of
 * shared/; none is imported for its effects alone, no bare `import './x.ts'`), and imports from index files go
 * straight to the defining modules (build-imports.js): so a command's chunks hold the modules it uses, not all
 * that sit behind an index it imports one name from (the rest of cases/ for `case list`).
 */
function sourcePlugin(outdir) {
  return {
    name: 'earshot-sources',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@earshot/') || BUNDLED_PACKAGES.includes(packageName(args.path)) ? undefined : { path: args.path, external: true }));
      build.onResolve({ filter: /^\.\.?\/.*\.ts$/ }, (args) => (args.importer.endsWith('.ts') ? { path: resolve(args.resolveDir, args.path), sideEffects: false } : undefined));
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        let text = directImports(readFileSync(args.path, 'utf8').replace(ZOD_NAMED_IMPORT, "import * as z from 'zod';"), args.path, WORKSPACE_INDEXES);
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
        const here = JSON.stringify(toUrlPath(relative(outdir, args.path)));
        text = text.replaceAll('import.meta.url', `new URL(${here}, import.meta.url).href`);
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

/** `--out-base DIR`: the same builds under DIR (DIR/ingest/dist/cli, …), as the tests inspect them. */
const baseAt = process.argv.indexOf('--out-base');
const outBase = baseAt < 0 ? root : resolve(process.argv[baseAt + 1] ?? '.');

async function buildOne({ entry, outdir }) {
  const finalDir = join(outBase, outdir);
  for (let attempt = 1; ; attempt++) {
    const startedAt = Date.now();
    // Built beside the final folder (same depth, so the relative source URLs hold), then swapped in whole:
    // a command starting meanwhile sees either the old build or the new one, never half of each.
    const tmpDir = `${finalDir}.tmp-${process.pid}`;
    rmSync(tmpDir, { recursive: true, force: true });
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: { main: join(root, entry) },
      outdir: tmpDir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: NODE_TARGET,
      keepNames: true,
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'warning',
      plugins: [sourcePlugin(finalDir)],
    });
    const inputs = {};
    let touched = false;
    for (const input of Object.keys(result.metafile.inputs)) {
      const file = resolve(root, input);
      const print = fingerprint(file);
      if (print === null || print[0] >= startedAt) touched = true;
      inputs[toUrlPath(relative(finalDir, file))] = print;
    }
    if (touched && attempt < MAX_ATTEMPTS) continue;
    // Still being edited after the last attempt: keep the build, but recorded as stale (the sources run).
    if (touched) for (const k of Object.keys(inputs)) inputs[k] = null;
    writeFileSync(join(tmpDir, MANIFEST), manifestText(inputs));
    mkdirSync(dirname(finalDir), { recursive: true });
    const oldDir = `${finalDir}.old-${process.pid}`;
    rmSync(oldDir, { recursive: true, force: true });
    try {
      renameSync(finalDir, oldDir);
    } catch {
      // No previous build.
    }
    renameSync(tmpDir, finalDir);
    rmSync(oldDir, { recursive: true, force: true });
    return `${toUrlPath(relative(root, join(finalDir, ENTRY)))} (${Object.keys(inputs).length} sources)`;
  }
}

try {
  const built = await Promise.all(TARGETS.map(buildOne));
  if (!process.argv.includes('--quiet')) process.stdout.write(`earshot build: ${built.join(', ')}\n`);
} catch (e) {
  process.stderr.write(`earshot build: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
