import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentity, loadIdentity, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from '../../src/identity/index.ts';
import { tempDir } from '../outbox/helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dir(): string {
  const t = tempDir('identity');
  cleanups.push(t.cleanup);
  return join(t.dir, 'keys');
}

describe('device identity', () => {
  it('makes an Ed25519 key pair in 0600 PEM files and loads it back', () => {
    const d = dir();
    const made = generateIdentity(d);
    expect(statSync(join(d, PRIVATE_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(d, PUBLIC_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(made.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const loaded = loadIdentity(d);
    expect(loaded.privateKey.asymmetricKeyType).toBe('ed25519');
    const msg = Buffer.from('envelope bytes');
    expect(verify(null, msg, made.publicKey, sign(null, msg, loaded.privateKey))).toBe(true);
  });

  it('never overwrites an existing identity', () => {
    const d = dir();
    generateIdentity(d);
    expect(() => generateIdentity(d)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_IDENTITY_EXISTS' }));
  });

  it('refuses a private key others can read, a missing pair and a mismatched pair', () => {
    const d = dir();
    generateIdentity(d);
    chmodSync(join(d, PRIVATE_KEY_FILE), 0o644);
    expect(() => loadIdentity(d)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_IDENTITY_PERMISSIONS' }));
    chmodSync(join(d, PRIVATE_KEY_FILE), 0o600);
    writeFileSync(join(d, PUBLIC_KEY_FILE), generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    expect(() => loadIdentity(d)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_IDENTITY_INVALID' }));
    expect(() => loadIdentity(dir())).toThrow(expect.objectContaining({ code: 'EARSHOT_E_IDENTITY_MISSING' }));
  });
});
