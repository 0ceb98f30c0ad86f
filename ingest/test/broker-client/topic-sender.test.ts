/** External broker mode: the device is read from the topic, and only from topics a device may publish on. */
import { topics } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { INGEST_TOPIC, senderOf } from '../../src/broker-client/topic-sender.ts';

describe('senderOf', () => {
  it('names the device of every topic a device may publish on', () => {
    for (const t of [topics.levels('flat-1'), topics.event('flat-1'), topics.clip('flat-1'), topics.status('flat-1'), topics.clipChunk('flat-1', 'clip-9', 3)]) {
      expect(senderOf(t), t).toBe('flat-1');
    }
    // A bad clip id or chunk number is still the device's own (its garbage, quarantined by the pipeline under it).
    expect(senderOf('earshot/v1/flat-1/clip/NOT_OK/x')).toBe('flat-1');
    expect(senderOf('earshot/v1/flat-1/clip//')).toBe('flat-1');
  });

  it('leaves the ingest’s own config and receipt topics alone', () => {
    expect(senderOf(topics.config('flat-1'))).toBe(INGEST_TOPIC);
    expect(senderOf(topics.receipt('flat-1'))).toBe(INGEST_TOPIC);
  });

  it('names no device for what no device could have sent', () => {
    for (const t of [
      'earshot/v1/Flat-1/levels', // not a device id
      'earshot/v1/f/levels', // too short
      'earshot/v1/flat-1', // no kind
      'earshot/v1/flat-1/levels/extra',
      'earshot/v1/flat-1/clip/clip-9', // a chunk needs its number
      'earshot/v1/flat-1/telemetry',
      'earshot/v1/flat-1/config/x',
      'earshot/v2/flat-1/levels',
      'other/flat-1/levels',
      '$SYS/broker/uptime',
    ]) expect(senderOf(t), t).toBeNull();
  });
});
