import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_KEY_FILE, loadOrCreateServerKey } from '../../src/evidence/server-key.ts';
import { tempDir } from './helpers.ts';

describe('server key', () => {
  it('is created on first start, owner-only, and the same key is loaded afterwards', () => {
    const dir = join(tempDir(), 'data');
    const first = loadOrCreateServerKey(dir);
    const file = join(dir, SERVER_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadOrCreateServerKey(dir);
    expect(again.logId).toBe(first.logId);
    expect(again.publicKeyPem).toBe(first.publicKeyPem);
    expect(first.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it('has logId = SHA-256 of the SubjectPublicKeyInfo DER, as openssl computes it', () => {
    const dir = tempDir();
    const key = loadOrCreateServerKey(dir);
    const der = execFileSync('openssl', ['pkey', '-in', join(dir, SERVER_KEY_FILE), '-pubout', '-outform', 'DER']);
    expect(key.logId).toBe(createHash('sha256').update(der).digest('hex'));
    const pem = execFileSync('openssl', ['pkey', '-in', join(dir, SERVER_KEY_FILE), '-pubout']).toString();
    expect(key.publicKeyPem).toBe(pem);
  });

  it('refuses a key file others can read, and one that is not a key', () => {
    const dir = tempDir();
    loadOrCreateServerKey(dir);
    const file = join(dir, SERVER_KEY_FILE);
    chmodSync(file, 0o644);
    expect(() => loadOrCreateServerKey(dir)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_SERVER_KEY_INVALID' }));
    writeFileSync(file, 'not a key', { mode: 0o600 });
    chmodSync(file, 0o600);
    expect(() => loadOrCreateServerKey(dir)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_SERVER_KEY_INVALID' }));
    expect(readFileSync(file, 'utf8')).toBe('not a key');
  });

  it('refuses a key that is not Ed25519', () => {
    const dir = tempDir();
    const file = join(dir, SERVER_KEY_FILE);
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], { stdio: 'ignore' });
    chmodSync(file, 0o600);
    expect(() => loadOrCreateServerKey(dir)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_SERVER_KEY_INVALID' }));
  });
});
