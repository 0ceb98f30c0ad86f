/** The stored receipt's wire form (DESIGN §4): exact JSON bytes, "\n", base64 Ed25519 signature over them. */
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeReceipt, openReceipt, topics } from '../src/index.ts';

const server = generateKeyPairSync('ed25519');
const AT = new Date('2026-11-20T22:00:00.123Z');

describe('stored receipt', () => {
  it('writes the contract bytes and reads them back', () => {
    const p = encodeReceipt('flat-12', 41, AT, server.privateKey);
    const [json, sig] = p.toString('utf8').split('\n');
    expect(json).toBe('{"v":1,"device":"flat-12","stored":41,"at":"2026-11-20T22:00:00.123Z"}');
    expect(Buffer.from(sig!, 'base64')).toHaveLength(64);
    expect(openReceipt(p, server.publicKey, 'flat-12')).toEqual({ ok: true, receipt: { v: 1, device: 'flat-12', stored: 41, at: '2026-11-20T22:00:00.123Z' } });
    expect(topics.receipt('flat-12')).toBe('earshot/v1/flat-12/receipt');
  });

  it('refuses another key, another device, changed bytes and malformed bodies, as EARSHOT_E_RECEIPT_INVALID', () => {
    const other = generateKeyPairSync('ed25519');
    const p = encodeReceipt('flat-12', 41, AT, server.privateKey);
    const changed = Buffer.from(p);
    changed[changed.indexOf('41')] = 0x39; // 41 → 91 after signing
    const signed = (json: string): Buffer => Buffer.from(`${json}\n${sign(null, Buffer.from(json), server.privateKey).toString('base64')}`);
    const cases: [string, Buffer, string][] = [
      ['another key', encodeReceipt('flat-12', 41, AT, other.privateKey), 'signature'],
      ['another device', p, 'names device'],
      ['changed bytes', changed, 'signature'],
      ['no signature', Buffer.from('{"v":1}'), 'no signature'],
      ['a negative stored', signed('{"v":1,"device":"flat-12","stored":-1,"at":"2026-11-20T22:00:00.123Z"}'), 'stored'],
      ['an extra field', signed('{"v":1,"device":"flat-12","stored":1,"at":"2026-11-20T22:00:00.123Z","all":true}'), 'all'],
      ['not JSON', signed('{"v":1,'), 'not JSON'],
    ];
    for (const [name, payload, says] of cases) {
      const r = openReceipt(payload, server.publicKey, name === 'another device' ? 'flat-13' : 'flat-12');
      expect(r.ok, name).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('EARSHOT_E_RECEIPT_INVALID');
        expect(r.error.detail).toContain(says);
      }
    }
  });
});
