/** Replay of journal records in the orders segment rewriting can leave them in. */
import { describe, expect, it } from 'vitest';
import { OutboxState, type ClipRecordJson } from '../../src/outbox/outbox-state.ts';
import { decodeRecord, encodeRecord, type RecordType } from '../../src/outbox/record-codec.ts';
import type { SignedKind } from '@earshot/shared';

function rec(type: RecordType, kind: SignedKind, id: number, aux: number, data?: Buffer) {
  return decodeRecord(encodeRecord(type, kind, id, aux, data))!;
}
const clipJson = (acked: number[], manifestAcked: boolean): Buffer => {
  const data: ClipRecordJson = {
    path: '/tmp/clip-1.wav', ackedChunks: acked, manifestAcked,
    manifest: {
      clipId: 'clip-1', eventId: 'ev-1', sha256: 'a'.repeat(64), bytes: 3000, chunks: 3, chunkBytes: 1024, sampleRate: 8000, channels: 1,
      bitsPerSample: 16, fullScaleDb: 120, startedAt: '2026-11-20T23:00:00.000Z', durationSeconds: 1, preTriggerSeconds: 0, postTriggerSeconds: 0,
    },
  };
  return Buffer.from(JSON.stringify(data));
};
const at = (seg: number, len = 100) => ({ seg, off: 0, len });

describe('outbox replay', () => {
  it('joins a signed manifest to its clip record copied forward past it', () => {
    const s = new OutboxState();
    s.apply(rec('signed', 'clip', 7, 41, Buffer.from('signed bytes')), at(3));
    s.apply(rec('clip', 'clip', 7, 0, clipJson([1], false)), at(5));
    s.finishReplay();
    const e = s.entries.get(7)!;
    expect(e.seq).toBe(41);
    expect(e.signed).toEqual(at(3));
    expect(s.nextSeq).toBe(42);
    expect(s.depth).toBe(3); // the manifest and chunks 0 and 2
    expect(s.segLive.get(3)).toBeGreaterThan(0);
    expect(s.unreadable).toBe(0);
  });

  it('drops a signed manifest whose clip record was lost, and frees its segment', () => {
    const s = new OutboxState();
    s.apply(rec('signed', 'clip', 7, 41, Buffer.from('signed bytes')), at(3));
    s.finishReplay();
    expect(s.entries.size).toBe(0);
    expect(s.unreadable).toBe(1);
    expect(s.segLive.get(3)).toBe(0);
    expect(s.nextSeq).toBe(42); // the seq stays used
  });

  it('orders entries by id after replay and ignores acks of what is gone', () => {
    const s = new OutboxState();
    s.apply(rec('ack', 'levels', 1, 0), at(2, 18));
    s.apply(rec('message', 'levels', 9, 0, Buffer.from('{}')), at(2));
    s.apply(rec('message', 'event', 4, 0, Buffer.from('{}')), at(3));
    s.finishReplay();
    expect([...s.entries.keys()]).toEqual([4, 9]);
    expect(s.nextId).toBe(10);
  });
});
