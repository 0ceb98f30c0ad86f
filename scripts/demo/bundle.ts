/**
 * `npm run demo:bundle`: exports the demo case's court bundle into .demo/ and
 * checks it with `earshot verify`, as the other side's expert would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// EARSHOT_DEMO_DIR: where `npm start` keeps data/ and .demo/ (default the repository).
const base = resolve(process.env['EARSHOT_DEMO_DIR'] ?? root);
const statePath = join(base, '.demo', 'demo.json');
if (!existsSync(statePath)) {
  process.stderr.write('no demo yet: run `npm start` first\n');
  process.exit(2);
}
const { caseRef } = JSON.parse(readFileSync(statePath, 'utf8')) as { caseRef: string };
const earshot = join(root, 'ingest', 'bin', 'earshot.js');
const exported = spawnSync(process.execPath, [earshot, 'bundle', 'export', caseRef, '--data-dir', join(base, 'data'), '--out', join(base, '.demo')], { cwd: base, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (exported.status !== 0) process.exit(exported.status ?? 1);
const file = exported.stdout.trim();
process.stdout.write(`bundle: ${file}\n`);
const verified = spawnSync(process.execPath, [earshot, 'verify', file], { cwd: base, stdio: 'inherit' });
process.exit(verified.status ?? 1);
