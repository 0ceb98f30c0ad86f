/**
 * The compiled commands load each subcommand's modules only when it runs: what `--help` (and, for the
 * monitor, `analyze`) imports at start, followed through every static import of the build, holds none
 * of the heavy or native packages. Built by the real scripts/build.js into a temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const base = mkdtempSync(join(tmpdir(), 'earshot-build-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

beforeAll(() => {
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.js'), '--quiet', '--out-base', base], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}, 60_000);

/** Every module a file of the build loads before its code runs: its static imports, followed through the build's own chunks. */
function staticImports(dir: string, file: string, seen = new Set<string>()): Set<string> {
  const text = readFileSync(join(dir, file), 'utf8');
  // Static imports only: `import … from "x"` and bare `import "x"`; `import("x")` is left to when it runs.
  for (const m of text.matchAll(/^\s*(?:import|export)\s*(?:[^'"()]*?\sfrom\s*)?["']([^"']+)["'];?\s*$/gm)) {
    const spec = m[1]!;
    if (seen.has(spec)) continue;
    seen.add(spec);
    if (spec.startsWith('./')) staticImports(dir, spec.slice(2), seen);
  }
  return seen;
}

const packagesOf = (mods: Set<string>): string[] => [...mods].filter((m) => !m.startsWith('./') && !m.startsWith('node:')).sort();

/** The source files compiled into `file` and the chunks it loads statically (esbuild heads each with `// path`). */
function sourcesOf(dir: string, file: string): string[] {
  const chunks = [file, ...[...staticImports(dir, file)].filter((m) => m.startsWith('./')).map((m) => m.slice(2))];
  const sources = new Set<string>();
  for (const c of chunks) for (const m of readFileSync(join(dir, c), 'utf8').matchAll(/^\/\/ (?:\.\.\/)*((?:ingest|shared|firmware)\/src\/\S+\.ts)$/gm)) sources.add(m[1]!);
  return [...sources].sort();
}

describe('the compiled commands (npm ci → scripts/build.js)', () => {
  it('earshot starts with no npm package loaded: SQLite, fastify, pdfkit, aedes, mqtt come with their command', () => {
    const dir = join(base, 'ingest/dist/cli');
    expect(packagesOf(staticImports(dir, 'main.js'))).toEqual([]);
    expect(sourcesOf(dir, 'main.js')).not.toContain('ingest/src/db/open.ts');
    const caseChunk = readdirSync(dir).find((f) => /^case-read-.*\.js$/.test(f))!;
    // SQLite is required (CommonJS) by db/open.ts when case list loads it.
    expect(sourcesOf(dir, caseChunk)).toContain('ingest/src/db/open.ts');
    const forCaseList = packagesOf(staticImports(dir, caseChunk));
    for (const heavy of ['fastify', 'pdfkit', 'aedes', 'mqtt', 'playwright-core']) expect(forCaseList).not.toContain(heavy);
  });

  it('`earshot case list` loads the modules it uses, not all that sit behind the index files it imports from', () => {
    const dir = join(base, 'ingest/dist/cli');
    const sources = sourcesOf(dir, readdirSync(dir).find((f) => /^case-read-.*\.js$/.test(f))!);
    expect(sources).toEqual(expect.arrayContaining(['ingest/src/cases/case-queries.ts', 'ingest/src/db/open.ts', 'ingest/src/evidence/server-key.ts', 'ingest/src/service/migrations.ts']));
    for (const unused of ['ingest/src/cases/cases.ts', 'ingest/src/cases/diary.ts', 'ingest/src/evidence/evidence-log.ts', 'ingest/src/users/users.ts', 'ingest/src/timeline/case-timeline.ts', 'ingest/src/service/open-ingest.ts', 'shared/src/envelope.ts', 'shared/src/schemas/levels.ts']) {
      expect(sources).not.toContain(unused);
    }
  });

  it('earshot-device starts with no npm package loaded, and analyze loads none either (zod is compiled in)', () => {
    const dir = join(base, 'firmware/dist/cli');
    expect(packagesOf(staticImports(dir, 'main.js'))).toEqual([]);
    const analyzeChunk = readdirSync(dir).find((f) => /^analyze-.*\.js$/.test(f))!;
    expect(packagesOf(staticImports(dir, analyzeChunk))).toEqual([]);
    const runChunk = readdirSync(dir).find((f) => /^run-.*\.js$/.test(f))!;
    expect(packagesOf(staticImports(dir, runChunk))).toEqual(expect.arrayContaining(['mqtt', 'pino']));
  });
});
