/** The pinned key as a prepare worker gets it (workers/key-form.ts): the raw Ed25519 key verifies exactly as the PEM does. */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyFromWorkerForm, workerKeyForm } from '../../src/pipeline/workers/key-form.ts';

describe('pinned keys for the prepare workers', () => {
  it('sends an Ed25519 key as its 32 raw bytes and makes the same key of them', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const form = workerKeyForm(pem);
    expect(Buffer.from(form, 'base64url')).toHaveLength(32);
    const key = keyFromWorkerForm(form);
    expect(key.export({ format: 'pem', type: 'spki' }).toString()).toBe(pem);
    const data = Buffer.from('{"v":1}');
    expect(verify(null, data, key, sign(null, data, privateKey))).toBe(true);
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(verify(null, data, key, sign(null, data, other))).toBe(false);
  });

  it('sends anything that is not an Ed25519 SubjectPublicKeyInfo as the PEM it was', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(workerKeyForm(ec)).toBe(ec);
    expect(keyFromWorkerForm(ec).asymmetricKeyType).toBe('ec');
    expect(workerKeyForm('not a key')).toBe('not a key');
  });
});
