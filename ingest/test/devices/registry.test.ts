import { generateKeyPairSync } from 'node:crypto';
import { EarshotError } from '@earshot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYED_HASH_N } from '../../src/devices/secret.ts';
import { type Fixture, makeFixture } from '../pipeline/support/ingest-fixture.ts';
import { codeOf } from '../support/error-code.ts';

let f: Fixture;
beforeEach(() => {
  f = makeFixture();
});
afterEach(() => f.close());

const edPem = () => generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();

describe('device registry', () => {
  it('gives a 32-byte base64url secret once and stores only its keyed hash with a per-device salt', () => {
    const a = f.registry.add('dev-a');
    const b = f.registry.add('dev-b');
    expect(a.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.secret, 'base64url')).toHaveLength(32);
    const rows = f.db.prepare('SELECT * FROM devices ORDER BY id').all() as { secret_salt: Buffer; secret_hash: Buffer; scrypt_n: number }[];
    expect(rows[0]!.secret_salt.equals(rows[1]!.secret_salt)).toBe(false);
    expect(rows[0]!.scrypt_n).toBe(KEYED_HASH_N);
    const dump = JSON.stringify(f.db.prepare('SELECT * FROM devices').all());
    expect(dump).not.toContain(a.secret);
    expect(dump).not.toContain(b.secret);
  });

  it('checks credentials: ok, wrong secret, unknown, disabled', async () => {
    const { secret } = f.registry.add('dev-a');
    expect(await f.registry.checkCredentials('dev-a', Buffer.from(secret))).toBe('ok');
    expect(await f.registry.checkCredentials('dev-a', Buffer.from(`${secret}x`))).toBe('bad-secret');
    expect(await f.registry.checkCredentials('dev-a', undefined)).toBe('bad-secret');
    expect(await f.registry.checkCredentials('dev-zz', Buffer.from(secret))).toBe('unknown');
    f.registry.disable('dev-a');
    expect(await f.registry.checkCredentials('dev-a', Buffer.from(secret))).toBe('disabled');
    expect(await f.registry.checkCredentials('dev-a', Buffer.from('wrong'))).toBe('bad-secret'); // a disabled device is not revealed without its secret
    f.registry.enable('dev-a');
    expect(await f.registry.checkCredentials('dev-a', Buffer.from(secret))).toBe('ok');
  });

  it('refuses bad ids, duplicates and unknown devices with codes', () => {
    expect(codeOf(() => f.registry.add('Bad_Id'))).toBe('EARSHOT_E_DEVICE_ID_INVALID');
    f.registry.add('dev-a');
    expect(codeOf(() => f.registry.add('dev-a'))).toBe('EARSHOT_E_DEVICE_EXISTS');
    expect(codeOf(() => f.registry.disable('dev-q'))).toBe('EARSHOT_E_DEVICE_UNKNOWN');
  });

  it('pins an Ed25519 key at provisioning or once later, never replacing it silently', () => {
    const pem = edPem();
    f.registry.add('dev-a', { publicKeyPem: pem });
    expect(f.registry.publicKey('dev-a')?.asymmetricKeyType).toBe('ed25519');
    expect(codeOf(() => f.registry.pinPublicKey('dev-a', edPem()))).toBe('EARSHOT_E_DEVICE_KEY_PINNED');
    f.registry.add('dev-b');
    expect(f.registry.publicKey('dev-b')).toBeNull();
    f.registry.pinPublicKey('dev-b', pem);
    expect(f.registry.get('dev-b')?.publicKeyPem).toBe(pem);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(codeOf(() => f.registry.add('dev-c', { publicKeyPem: rsa }))).toBe('EARSHOT_E_DEVICE_KEY_INVALID');
    expect(codeOf(() => f.registry.add('dev-d', { publicKeyPem: 'nonsense' }))).toBe('EARSHOT_E_DEVICE_KEY_INVALID');
    expect(f.registry.list().map((d) => d.id)).toEqual(['dev-a', 'dev-b']);
  });

  it('lists devices disabled since a time, for a broker in another process', () => {
    f.registry.add('dev-a');
    f.registry.add('dev-b');
    f.registry.disable('dev-a', 5_000);
    f.registry.disable('dev-b', 1_000);
    expect(f.registry.disabledSince(2_000)).toEqual(['dev-a']);
  });
});
