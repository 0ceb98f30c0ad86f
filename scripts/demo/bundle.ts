/**
 * `npm run demo:bundle`: exports the demo case's court bundle into .demo/ and
 * checks it with `earshot verify`, as the other side's expert would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const statePath = join(root, '.demo', 'demo.json');
if (!existsSync(statePath)) {
  process.stderr.write('no demo yet: run `npm start` first\n');
  process.exit(2);
}
const { caseRef } = JSON.parse(readFileSync(statePath, 'utf8')) as { caseRef: string };
const earshot = join(root, 'ingest', 'bin', 'earshot.js');
const exported = spawnSync(process.execPath, [earshot, 'bundle', 'export', caseRef, '--data-dir', join(root, 'data'), '--out', join(root, '.demo')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (exported.status !== 0) process.exit(exported.status ?? 1);
const file = exported.stdout.trim();
process.stdout.write(`bundle: ${file}\n`);
const verified = spawnSync(process.execPath, [earshot, 'verify', file], { cwd: root, stdio: 'inherit' });
process.exit(verified.status ?? 1);
