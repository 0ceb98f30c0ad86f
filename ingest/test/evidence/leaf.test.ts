import { describe, expect, it } from 'vitest';
import { type EvidenceLeaf, decodeLeaf, deviceMessageLeaf, encodeLeaf } from '../../src/evidence/leaf.ts';

const payload = Buffer.from('{"v":1,"device":"pi-0042","seq":7}\nAAAA').toString('base64');

const eventLeaf: EvidenceLeaf = {
  v: 1,
  kind: 'event',
  recordedAt: '2026-03-01T23:14:05.123Z',
  caseRef: 'ASB-2026-0001',
  data: {
    signedPayload: payload,
    seq: 7,
    deviceId: 'pi-0042',
    deviceTime: '2026-03-01T23:14:04.900Z',
    receivedAt: '2026-03-01T23:14:05.100Z',
    clockOffsetMs: -200,
    clockFlag: null,
    eventId: 'ev-1',
    stats: { z: 1, a: [3, { y: 2, b: 1 }] },
  },
};

describe('evidence leaf encoding', () => {
  it('writes the DESIGN §5 key order at the top and sorted keys inside data', () => {
    const text = encodeLeaf(eventLeaf).toString('utf8');
    expect(text).toBe(
      '{"v":1,"kind":"event","recordedAt":"2026-03-01T23:14:05.123Z","caseRef":"ASB-2026-0001","data":{' +
        '"clockFlag":null,"clockOffsetMs":-200,"deviceId":"pi-0042","deviceTime":"2026-03-01T23:14:04.900Z","eventId":"ev-1",' +
        `"receivedAt":"2026-03-01T23:14:05.100Z","seq":7,"signedPayload":"${payload}","stats":{"a":[3,{"b":1,"y":2}],"z":1}}}`,
    );
  });

  it('gives the same bytes however the object was built, and decodes back', () => {
    const shuffled = { data: { ...eventLeaf.data }, caseRef: eventLeaf.caseRef, recordedAt: eventLeaf.recordedAt, kind: eventLeaf.kind, v: 1 } as EvidenceLeaf;
    const bytes = encodeLeaf(eventLeaf);
    expect(encodeLeaf(shuffled).equals(bytes)).toBe(true);
    const back = decodeLeaf(bytes);
    expect(back.ok && encodeLeaf(back.leaf).equals(bytes)).toBe(true);
  });

  it('builds a device message leaf that carries the exact signed payload', () => {
    const raw = Buffer.from('{"v":1,"device":"pi-0042","seq":9}\nAAAA');
    const leaf = deviceMessageLeaf({
      kind: 'incident',
      caseRef: null,
      deviceId: 'pi-0042',
      seq: 9,
      deviceTime: new Date('2026-03-01T23:00:00.000Z'),
      receivedAt: new Date('2026-03-01T23:00:03.500Z'),
      clockOffsetMs: 3500,
      clockFlag: 'offset-over-2s',
      payload: raw,
      extra: { attachReason: 'no-deployment' },
    });
    const back = decodeLeaf(encodeLeaf(leaf));
    expect(back).toMatchObject({ ok: true, leaf: { kind: 'incident', recordedAt: '2026-03-01T23:00:03.500Z', data: { clockFlag: 'offset-over-2s', attachReason: 'no-deployment' } } });
    expect(back.ok && Buffer.from(String(back.leaf.data['signedPayload']), 'base64').equals(raw)).toBe(true);
  });

  it('accepts a correction naming the leaf it corrects, and server records', () => {
    const correction: EvidenceLeaf = { v: 1, kind: 'correction', recordedAt: '2026-03-02T09:00:00.000Z', caseRef: 'ASB-2026-0001', data: { correctsLeafIndex: 12, reason: 'diary entry dated wrongly' } };
    expect(decodeLeaf(encodeLeaf(correction))).toEqual({ ok: true, leaf: correction });
    const access: EvidenceLeaf = { v: 1, kind: 'access', recordedAt: '2026-03-02T09:00:00.000Z', caseRef: null, data: { officer: 'jsmith', action: 'bundle-export' } };
    expect(decodeLeaf(encodeLeaf(access))).toEqual({ ok: true, leaf: access });
  });

  it.each([
    ['an unknown kind', { ...eventLeaf, kind: 'rumour' }],
    ['a device leaf without its signed payload', { ...eventLeaf, data: { ...eventLeaf.data, signedPayload: undefined } }],
    ['a signed payload that is not base64', { ...eventLeaf, data: { ...eventLeaf.data, signedPayload: 'not base64!' } }],
    ['a local time', { ...eventLeaf, recordedAt: '2026-03-01T23:14:05' }],
    ['a correction without the leaf it corrects', { v: 1, kind: 'correction', recordedAt: '2026-03-02T09:00:00.000Z', caseRef: null, data: { reason: 'x' } }],
    ['an extra top-level key', { ...eventLeaf, extra: 1 }],
    ['version 2', { ...eventLeaf, v: 2 }],
    ['a bad clock flag', { ...eventLeaf, data: { ...eventLeaf.data, clockFlag: 'fine' } }],
  ])('refuses %s with EARSHOT_E_LEAF_INVALID', (_, leaf) => {
    expect(() => encodeLeaf(leaf as EvidenceLeaf)).toThrow(expect.objectContaining({ code: 'EARSHOT_E_LEAF_INVALID' }));
  });

  it('reports undecodable bytes as data', () => {
    expect(decodeLeaf(Buffer.from([0xff, 0xfe]))).toEqual({ ok: false, error: { code: 'EARSHOT_E_LEAF_INVALID', detail: 'not UTF-8 JSON' } });
    const r = decodeLeaf(Buffer.from('{"v":1}'));
    expect(r.ok).toBe(false);
  });
});
