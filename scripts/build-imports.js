/**
 * A build step of scripts/build.js: an import of names from one of our index files (`import { listCases } from
 * '../cases/index.ts'`, `import { IsoUtcMs } from '@earshot/shared'`) is rewritten to import each name from the
 * module that defines it (`import { listCases } from '../cases/case-queries.ts'`).
 *
 * Why: esbuild splits the commands into chunks by which entry (command) reaches each module, and an index file
 * that re-exports by name (`export { a } from './a.ts'`) passes on every command that imports it to every module
 * it names. So `case list`, importing one function from cases/index.ts, loaded all of cases/ (and, through the
 * migration list, users/, timeline/ and evidence/) because other commands use them. Importing from the defining
 * module gives each command exactly the modules it uses.
 *
 * The same bindings are imported either way (an index only re-exports), and the sources import nothing for its
 * side effects, so nothing but what is loaded changes. A name this cannot trace (a re-export of a form it does
 * not read) is left importing from the index, as written.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * `import { a, b as c, type T } from './x/index.ts';` or `… from '@earshot/shared'` (one line or several);
 * `import type …` is left alone. Any of our modules may re-export (envelope.ts re-exports IsoUtcMs), so every
 * import of ours is followed; a name its module declares itself stays as it is.
 */
const IMPORT_FROM_INDEX = /^import\s*\{([^}]*)\}\s*from\s*'(\.\.?\/[^']*\.ts|@earshot\/[a-z-]+)';$/gm;
const NAMED_REEXPORT = /^export\s*\{([^}]*)\}\s*from\s*'(\.\.?\/[^']+\.ts)';$/gm;
const STAR_REEXPORT = /^export\s*\*\s*from\s*'(\.\.?\/[^']+\.ts)';$/gm;
const LOCAL_DECLARATION = /^export\s+(?:declare\s+)?(?:async\s+)?(?:function\s*\*?|const|let|var|class|abstract\s+class|enum)\s+([A-Za-z_$][\w$]*)/gm;
const LOCAL_LIST = /^export\s*\{([^}]*)\};?$/gm;

/** `a`, `b as c`, `type T` of a brace list: [name there, name here] for values, types dropped. */
function specifiers(list) {
  const out = [];
  for (const raw of list.split(',')) {
    const s = raw.trim();
    if (s === '' || /^type\s/.test(s)) continue;
    const [there, here = there] = s.split(/\s+as\s+/).map((x) => x.trim());
    out.push([there, here]);
  }
  return out;
}

const exportsCache = new Map();

/**
 * What `file` exports as values: name → [defining file, name there], followed through re-exports. Names it
 * declares are its own; `export *` gives what its targets give, explicit exports first (as ES modules do).
 */
function valueExports(file, depth = 0) {
  const cached = exportsCache.get(file);
  if (cached !== undefined) return cached;
  const map = new Map();
  exportsCache.set(file, map);
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return map;
  }
  for (const m of text.matchAll(LOCAL_DECLARATION)) map.set(m[1], [file, m[1]]);
  for (const m of text.matchAll(LOCAL_LIST)) for (const [there, here] of specifiers(m[1])) map.set(here, [file, there]);
  for (const m of text.matchAll(NAMED_REEXPORT)) {
    const target = resolve(dirname(file), m[2]);
    const theirs = depth < 8 ? valueExports(target, depth + 1) : new Map();
    for (const [there, here] of specifiers(m[1])) map.set(here, theirs.get(there) ?? [target, there]);
  }
  for (const m of text.matchAll(STAR_REEXPORT)) {
    if (depth >= 8) break;
    for (const [name, where] of valueExports(resolve(dirname(file), m[1]), depth + 1)) if (!map.has(name) && name !== 'default') map.set(name, where);
  }
  return map;
}

const specifierFor = (from, file) => {
  const rel = relative(dirname(from), file).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
};

/**
 * `text` (the source of `file`) with its imports from index files made imports from the defining modules; line
 * numbers kept. `packages` names the index file of each workspace package imported by name ('@earshot/shared').
 */
export function directImports(text, file, packages = {}) {
  return text.replace(IMPORT_FROM_INDEX, (whole, list, from) => {
    const index = from.startsWith('.') ? resolve(dirname(file), from) : packages[from];
    if (index === undefined) return whole;
    const known = valueExports(index);
    const byFile = new Map();
    const left = [];
    let moved = false;
    for (const [there, here] of specifiers(list)) {
      const where = known.get(there);
      if (where === undefined || where[0] === index) {
        left.push(there === here ? there : `${there} as ${here}`);
        continue;
      }
      moved = true;
      const names = byFile.get(where[0]) ?? [];
      names.push(where[1] === here ? here : `${where[1]} as ${here}`);
      byFile.set(where[0], names);
    }
    // Nothing re-exported (a module's own names): the import stays exactly as written.
    if (!moved) return whole;
    const lines = [...byFile].map(([target, names]) => `import { ${names.join(', ')} } from '${specifierFor(file, target)}';`);
    if (left.length > 0) lines.push(`import { ${left.join(', ')} } from '${from}';`);
    // As many line breaks as the import had, so that the rest of the file keeps its line numbers (source maps, stacks).
    return lines.join(' ') + '\n'.repeat(whole.split('\n').length - 1);
  });
}
