import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openEnvelope, signEnvelope, verifyEnvelope } from '../src/index.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

const envelope = {
  v: 1 as const,
  device: 'flat-12b',
  seq: 41,
  sentAt: '2026-11-24T22:15:03.120Z',
  type: 'event' as const,
  body: { kind: 'incident', eventId: 'btn-1', at: '2026-11-24T22:15:02.000Z', source: 'button', clipIds: [] },
};

function open(payload: Buffer) {
  const o = openEnvelope(payload);
  if (!o.ok) throw new Error(o.error.detail);
  return o;
}

describe('signed envelope (DESIGN §4)', () => {
  it('is the JSON, one newline, then the base64 Ed25519 signature of exactly those bytes', () => {
    const payload = signEnvelope(envelope, privateKey);
    const text = payload.toString('utf8');
    const [json, sig, ...rest] = text.split('\n');
    expect(rest).toEqual([]);
    expect(JSON.parse(json!)).toEqual(envelope);
    expect(Buffer.from(sig!, 'base64')).toHaveLength(64);
    const o = open(payload);
    expect(verifyEnvelope(o.envelopeBytes, o.signature, publicKey)).toBe(true);
    expect(o.envelope.seq).toBe(41);
  });

  it('verifies over the received bytes, never a re-serialisation', () => {
    // Same object, other key order and spacing, signed as sent: must verify as is.
    const json = Buffer.from(`{ "type":"event", "v":1, "seq":41, "device":"flat-12b", "sentAt":"2026-11-24T22:15:03.120Z", "body":{"clipIds":[],"source":"button","at":"2026-11-24T22:15:02.000Z","eventId":"btn-1","kind":"incident"} }`);
    const payload = Buffer.concat([json, Buffer.from('\n'), Buffer.from(sign(null, json, privateKey).toString('base64'))]);
    const o = open(payload);
    expect(verifyEnvelope(o.envelopeBytes, o.signature, publicKey)).toBe(true);
  });

  it('fails on any flipped byte, and on another key', () => {
    const payload = signEnvelope(envelope, privateKey);
    const o = open(payload);
    expect(verifyEnvelope(o.envelopeBytes, o.signature, other.publicKey)).toBe(false);
    for (const at of [0, 10, 60, payload.indexOf(0x0a) - 2]) {
      const bad = Buffer.from(payload);
      bad[at] = bad[at]! ^ 0x01;
      const ob = openEnvelope(bad);
      if (ob.ok) expect(verifyEnvelope(ob.envelopeBytes, ob.signature, publicKey)).toBe(false);
    }
  });

  it('rejects malformed payloads with a code and a reason', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from(''), /no signature/],
      [Buffer.from('{"v":1}'), /no signature/],
      [Buffer.from('{"v":1}\nnot-base64'), /signature/],
      [Buffer.from(`not json\n${'A'.repeat(86)}==`), /not JSON/],
      [Buffer.from(`{"v":2,"device":"x"}\n${'A'.repeat(86)}==`), /v|device/],
    ];
    for (const [payload, why] of cases) {
      const o = openEnvelope(payload);
      expect(o.ok).toBe(false);
      if (!o.ok) {
        expect(o.error.code).toBe('EARSHOT_E_ENVELOPE_MALFORMED');
        expect(o.error.detail).toMatch(why);
      }
    }
  });
});
