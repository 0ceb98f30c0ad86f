import { describe, expect, it } from 'vitest';
import { FrameSizeGuard } from '../../src/broker/frame-guard.ts';
import { TokenBucket } from '../../src/broker/rate-limit.ts';
import { publishRefusal } from '../../src/pipeline/topic-rule.ts';

describe('frame size guard [MQTT-2.2.3]', () => {
  const publish = (bodyLen: number): Buffer => {
    const len: number[] = [];
    let x = bodyLen;
    do {
      let b = x % 128;
      x = Math.floor(x / 128);
      if (x > 0) b |= 0x80;
      len.push(b);
    } while (x > 0);
    return Buffer.concat([Buffer.from([0x30, ...len]), Buffer.alloc(bodyLen)]);
  };

  it('lets packets up to the limit through, split anywhere', () => {
    const g = new FrameSizeGuard(1000);
    const stream = Buffer.concat([publish(10), publish(997), publish(0), publish(200)]);
    for (let i = 0; i < stream.length; i += 7) expect(g.feed(stream.subarray(i, i + 7))).toBeNull();
  });

  it('reports a packet over the limit from its header alone', () => {
    const g = new FrameSizeGuard(1000);
    expect(g.feed(publish(10))).toBeNull();
    expect(g.feed(publish(998).subarray(0, 3))).toBe(1001);
  });

  it('reports a Remaining Length longer than four bytes as malformed', () => {
    expect(new FrameSizeGuard(1e9).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(-1);
  });
});

describe('token bucket', () => {
  it('allows the burst, then spaces messages at the sustained rate', () => {
    const b = new TokenBucket({ burst: 3, perSecond: 10 }, 0);
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([0, 0, 0]);
    expect(b.take(0)).toBe(100);
    expect(b.take(0)).toBe(200);
    expect(b.take(1000)).toBe(0); // refilled, capped at the burst
  });
});

describe('publish topic rule', () => {
  it('allows a device only under its own id and never on its config topic', () => {
    expect(publishRefusal('dev-1', 'earshot/v1/dev-1/levels')).toBeNull();
    expect(publishRefusal('dev-1', 'earshot/v1/dev-1/clip/c-01/3')).toBeNull();
    expect(publishRefusal('dev-1', 'earshot/v1/dev-1/whatever')).toBeNull(); // its own garbage: quarantined, not refused
    expect(publishRefusal('dev-1', 'earshot/v1/dev-2/levels')?.code).toBe('EARSHOT_E_PUBLISH_FORBIDDEN');
    expect(publishRefusal('dev-1', 'earshot/v1/dev-1/config')?.code).toBe('EARSHOT_E_PUBLISH_FORBIDDEN');
    expect(publishRefusal('dev-1', '$SYS/x')?.code).toBe('EARSHOT_E_PUBLISH_FORBIDDEN');
    expect(publishRefusal('dev-1', 'earshot/v1/dev-10/levels')?.code).toBe('EARSHOT_E_PUBLISH_FORBIDDEN');
  });
});
