/** The bundle the Pi runs (`npm run build:device`) is the same program as the sources. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = mkdtempSync(join(tmpdir(), 'earshot-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run build:device', () => {
  it('builds a bundle whose analyze output equals the sources\'', () => {
    const out = join(dir, 'earshot-device.mjs');
    const built = spawnSync('npm', ['run', '--silent', 'build:device', '--', `--outdir=${dir}`], { cwd: root, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    const wav = join(root, 'firmware/test/golden/recordings/voices-48k-s16.wav');
    const fromBundle = spawnSync(process.execPath, [out, 'analyze', wav], { encoding: 'utf8' });
    const fromSources = spawnSync(process.execPath, [join(root, 'firmware/bin/earshot-device.js'), 'analyze', wav], { encoding: 'utf8' });
    expect(fromBundle.stderr).toBe('');
    expect(fromBundle.status).toBe(0);
    expect(fromBundle.stdout).toBe(fromSources.stdout);
    expect(fromBundle.stdout.split('\n')).toHaveLength(5);
  }, 60_000);
});
