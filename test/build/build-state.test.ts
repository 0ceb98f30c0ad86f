/** The launchers run the compiled command only while it matches its sources (scripts/build-state.js). */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENTRY, MANIFEST, compiledEntry, fingerprint, manifestText } from '../../scripts/build-state.js';

let root: string;
let dist: string;
let source: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'earshot-build-state-'));
  dist = join(root, 'pkg', 'dist', 'cli');
  mkdirSync(dist, { recursive: true });
  mkdirSync(join(root, 'pkg', 'src'));
  source = join(root, 'pkg', 'src', 'main.ts');
  writeFileSync(source, 'export const a = 1;\n');
  writeFileSync(join(dist, ENTRY), 'export const a = 1;\n');
  writeFileSync(join(dist, MANIFEST), manifestText({ '../../src/main.ts': fingerprint(source) }));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('compiledEntry', () => {
  it('gives the compiled entry while every source is as it was built', () => {
    expect(compiledEntry(dist)).toBe(pathToFileURL(join(dist, ENTRY)).href);
    expect(compiledEntry(pathToFileURL(`${dist}/`))).toBe(pathToFileURL(join(dist, ENTRY)).href);
  });

  it('gives null once a source is edited, even to the same length', () => {
    writeFileSync(source, 'export const a = 2;\n');
    utimesSync(source, new Date(), new Date(Date.now() + 5_000));
    expect(compiledEntry(dist)).toBeNull();
  });

  it('gives null when a source was put back with an old time but another size', () => {
    const [mtimeMs] = fingerprint(source)!;
    writeFileSync(source, 'export const a = 10;\n');
    utimesSync(source, new Date(mtimeMs), new Date(mtimeMs));
    expect(compiledEntry(dist)).toBeNull();
  });

  it('gives null when a source is gone, the build recorded it as stale, or there is no usable record', () => {
    rmSync(source);
    expect(compiledEntry(dist)).toBeNull();
    writeFileSync(source, 'export const a = 1;\n');
    writeFileSync(join(dist, MANIFEST), manifestText({ '../../src/main.ts': null }));
    expect(compiledEntry(dist)).toBeNull();
    writeFileSync(join(dist, MANIFEST), '{"v":1');
    expect(compiledEntry(dist)).toBeNull();
    writeFileSync(join(dist, MANIFEST), '{"v":99,"inputs":{}}');
    expect(compiledEntry(dist)).toBeNull();
    rmSync(join(dist, MANIFEST));
    expect(compiledEntry(dist)).toBeNull();
  });
});
