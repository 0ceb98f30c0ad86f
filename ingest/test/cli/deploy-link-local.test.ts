/**
 * `earshot deploy link` and `deploy sheet` with an address only this machine can open (issue 10), through the
 * real command on a real data folder: the link is still printed as stdout's one line (DESIGN §6b) with a
 * one-sentence warning on stderr; a sheet whose address merely fell back to http.host:port is refused
 * (exit 2, no sheet, no link issued, the resident's link still working) unless the address was chosen
 * (--base-url, http.publicUrl) or --allow-local is given.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLink, listLinks } from '../../src/resident/index.ts';
import { type ResidentFixture, makeResidentFixture } from '../resident/fixture.ts';

const EARSHOT = fileURLToPath(new URL('../../bin/earshot.js', import.meta.url));
const WARNING = /^earshot: warning: EARSHOT_E_RESIDENT_LINK_LOCAL_ONLY: the diary link works only on this machine, not on a resident's phone: .+; give the address phones reach the service at with --base-url or the settings' http\.publicUrl\n$/;

let f: ResidentFixture;

beforeAll(async () => {
  f = await makeResidentFixture();
}, 60_000);

afterAll(async () => {
  await f?.close();
});

function earshot(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [EARSHOT, 'deploy', ...args, '--data-dir', f.ingest.dir.root], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function settings(name: string, http: Record<string, unknown>): string {
  const file = join(f.dir, name);
  writeFileSync(file, JSON.stringify({ http }));
  return file;
}

const token = (url: string): string => url.trim().split('#')[1]!;

describe('deploy link with a local-only address', () => {
  it('prints the URL as its one line and warns on stderr, for the default address and a chosen one', () => {
    for (const [args, host] of [
      [[], '127.0.0.1 is a loopback address'],
      [['--base-url', 'http://localhost:8080'], 'localhost names this machine'],
      [['--base-url', 'http://[::1]:8080'], '[::1] is a loopback address'],
      [['--config', settings('any.json', { host: '0.0.0.0', port: 8080, publicUrl: 'http://0.0.0.0:8080' })], '0.0.0.0 is the unspecified address'],
    ] as const) {
      const r = earshot(['link', '--deployment', String(f.deploymentId), ...args]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/^http:\/\/[^\n]+\/r\/#[A-Za-z0-9_-]{43}\n$/);
      expect(r.err).toMatch(WARNING);
      expect(r.err).toContain(host);
      // The link printed is the live one.
      expect(findLink(f.ingest.db, token(r.out), Date.now()).ok).toBe(true);
    }
  });

  it('says nothing on stderr for a public address', () => {
    const r = earshot(['link', '--deployment', String(f.deploymentId), '--base-url', 'https://ingest.example.org']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^https:\/\/ingest\.example\.org\/r\/#[A-Za-z0-9_-]{43}\n$/);
    expect(r.err).toBe('');
    const viaSettings = earshot(['link', '--deployment', String(f.deploymentId), '--config', settings('public.json', { publicUrl: 'https://ingest.example.org/' })]);
    expect(viaSettings.err).toBe('');
  });
});

describe('deploy sheet with a local-only address', () => {
  it('refuses a sheet whose address fell back to http.host:port, writing nothing and leaving the live link working', () => {
    const live = earshot(['link', '--deployment', String(f.deploymentId), '--base-url', 'https://ingest.example.org']);
    const links = listLinks(f.ingest.db, f.deploymentId).length;
    const out = join(f.dir, 'refused.pdf');
    for (const args of [[], ['--config', settings('fallback.json', { host: 'localhost', port: 8080 })]]) {
      const r = earshot(['sheet', '--deployment', String(f.deploymentId), '--out', out, ...args]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^earshot: EARSHOT_E_RESIDENT_LINK_LOCAL_ONLY: the diary link works only on this machine, not on a resident's phone: .+, or --allow-local to write it anyway for a test on this machine; no sheet was written\n$/);
    }
    expect(existsSync(out)).toBe(false);
    expect(listLinks(f.ingest.db, f.deploymentId)).toHaveLength(links);
    expect(findLink(f.ingest.db, token(live.out), Date.now()).ok).toBe(true);
  });

  it('writes the sheet with the warning when the local address was chosen, or with --allow-local', () => {
    for (const [name, args] of [
      ['chosen.pdf', ['--base-url', 'http://127.0.0.1:8080']],
      ['settings.pdf', ['--config', settings('local-public.json', { publicUrl: 'http://localhost:8080' })]],
      ['allowed.pdf', ['--allow-local']],
    ] as const) {
      const out = join(f.dir, name);
      const r = earshot(['sheet', '--deployment', String(f.deploymentId), '--out', out, ...args]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/^Install sheet for deployment \d+ written to .+\n$/);
      expect(r.err).toMatch(WARNING);
      expect(existsSync(out)).toBe(true);
    }
  });

  it('writes a sheet for a public address with nothing on stderr', () => {
    const out = join(f.dir, 'public.pdf');
    const r = earshot(['sheet', '--deployment', String(f.deploymentId), '--out', out, '--base-url', 'https://ingest.example.org']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(existsSync(out)).toBe(true);
  });

  it('--help says what each does with a local address', () => {
    const sheet = earshot(['sheet', '--help']);
    expect(sheet.code).toBe(0);
    expect(sheet.out).toContain('--allow-local');
    expect(sheet.out).toContain('no sheet is\nwritten and no link issued (exit 2, EARSHOT_E_RESIDENT_LINK_LOCAL_ONLY)');
    const link = earshot(['link', '--help']);
    expect(link.code).toBe(0);
    expect(link.out).toContain('the URL is still printed and stderr says so');
  });
});
