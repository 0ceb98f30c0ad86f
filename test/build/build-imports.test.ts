/** scripts/build-imports.js: imports from index files become imports from the defining modules, the same bindings. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { directImports } from '../../scripts/build-imports.js';

const root = mkdtempSync(join(tmpdir(), 'earshot-build-imports-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const put = (rel: string, text: string): string => {
  const file = join(root, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
};

put('lib/a.ts', 'export function a(): number {\n  return 1;\n}\nexport const a2 = 2;\n');
put('lib/s.ts', 'export const g = 1;\nexport class C {}\nexport async function f(): Promise<void> {}\nexport type T = number;\n');
put('lib/sub/x.ts', 'const inner = 3;\nexport { inner as x };\n');
put('lib/sub/index.ts', "export { x } from './x.ts';\n");
put('lib/index.ts', ["export { a as b, a2 } from './a.ts';", "export type { T } from './s.ts';", "export * from './s.ts';", "export { x as y } from './sub/index.ts';", 'export const own = 4;', ''].join('\n'));
put('pkg/src/index.ts', "export * from './p.ts';\n");
put('pkg/src/p.ts', 'export const p = 5;\n');
put('lib/envelope.ts', "export { g as G } from './s.ts';\nexport const sign = 6;\n");
const importer = join(root, 'app/main.ts');

describe('directImports', () => {
  it('imports each name from its defining module, renames and re-export chains followed, types dropped', () => {
    const out = directImports("import { b, a2, type T, g, C, f, y, own } from '../lib/index.ts';\nb();\n", importer);
    expect(out).toBe(
      "import { a as b, a2 } from '../lib/a.ts'; import { g, C, f } from '../lib/s.ts'; import { inner as y } from '../lib/sub/x.ts'; import { own } from '../lib/index.ts';\nb();\n",
    );
  });

  it('leaves on the index the names it cannot trace, and keeps the line count of a multi-line import', () => {
    const text = "import {\n  a2,\n  unknownName as u,\n} from '../lib/index.ts';\nconst line5 = 1;\n";
    const out = directImports(text, importer);
    expect(out).toBe("import { a2 } from '../lib/a.ts'; import { unknownName as u } from '../lib/index.ts';\n\n\n\nconst line5 = 1;\n");
    expect(out.split('\n')).toHaveLength(text.split('\n').length);
  });

  it('follows a re-export in any module, and leaves an import of a module\'s own names exactly as written', () => {
    expect(directImports("import { G, sign } from '../lib/envelope.ts';\n", importer)).toBe("import { g as G } from '../lib/s.ts'; import { sign } from '../lib/envelope.ts';\n");
    const own = "import { type T, g } from '../lib/s.ts';\nimport { sign } from '../lib/envelope.ts';\n";
    expect(directImports(own, importer)).toBe(own);
  });

  it('follows a workspace package imported by name, and leaves other packages and plain modules alone', () => {
    const packages = { '@earshot/pkg': join(root, 'pkg/src/index.ts') };
    expect(directImports("import { p } from '@earshot/pkg';\n", importer, packages)).toBe("import { p } from '../pkg/src/p.ts';\n");
    const untouched = "import { z } from 'zod';\nimport { a } from '../lib/a.ts';\nimport type { T } from '../lib/index.ts';\nimport { q } from '@earshot/other';\n";
    expect(directImports(untouched, importer, packages)).toBe(untouched);
  });
});
