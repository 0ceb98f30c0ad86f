import { describe, expect, it } from 'vitest';
import { parseTopic, topics } from '../src/index.ts';

describe('topics (DESIGN §4)', () => {
  it('builds and parses every topic', () => {
    expect(topics.levels('flat-12b')).toBe('earshot/v1/flat-12b/levels');
    expect(parseTopic(topics.levels('flat-12b'))).toEqual({ kind: 'levels', deviceId: 'flat-12b' });
    expect(parseTopic(topics.event('abc'))).toEqual({ kind: 'event', deviceId: 'abc' });
    expect(parseTopic(topics.clip('abc'))).toEqual({ kind: 'clip', deviceId: 'abc' });
    expect(parseTopic(topics.status('abc'))).toEqual({ kind: 'status', deviceId: 'abc' });
    expect(parseTopic(topics.config('abc'))).toEqual({ kind: 'config', deviceId: 'abc' });
    expect(parseTopic(topics.clipChunk('abc', 'clip-0001', 12))).toEqual({ kind: 'clip-chunk', deviceId: 'abc', clipId: 'clip-0001', chunk: 12 });
  });

  it('rejects anything else', () => {
    for (const t of [
      'earshot/v2/abc/levels', 'earshot/v1/AB/levels', 'earshot/v1/ab/levels', 'earshot/v1/abc/levels/x',
      'earshot/v1/abc/unknown', 'earshot/v1/abc/clip/Bad_Id/1', 'earshot/v1/abc/clip/clip-1/01', 'earshot/v1/abc/clip/clip-1/-1',
      'earshot/v1/abc', 'other/v1/abc/levels', `earshot/v1/${'a'.repeat(65)}/levels`, 'earshot/v1/abc/clip/clip-1/9999999',
    ]) expect(parseTopic(t), t).toBeNull();
  });
});
