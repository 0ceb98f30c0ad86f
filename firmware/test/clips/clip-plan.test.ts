import { describe, expect, it } from 'vitest';
import { ClipPlan } from '../../src/clips/clip-plan.ts';

const T = { preFrames: 10, maxEventFrames: 60, postFrames: 5, incidentFrames: 20 };

/** Advances in blocks of `block`, returning total frames taken until the clip completes (or `limit`). */
function run(p: ClipPlan, block: number, limit = 1_000): number {
  let taken = 0;
  for (let i = 0; i < limit && p.recording; i += block) {
    taken += p.advance(block);
    if (p.completed) break;
  }
  return taken;
}

describe('clip state machine', () => {
  it('records pre-trigger + event + post-roll', () => {
    const p = new ClipPlan(T);
    expect(p.trigger('e1', 'rule', 100)).toEqual({ action: 'start', preFrames: 10 });
    expect(p.advance(30)).toBe(30);
    p.end('e1');
    expect(p.advance(3)).toBe(3);
    expect(p.completed).toBe(false);
    expect(p.advance(7)).toBe(2);
    expect(p.completed).toBe(true);
    expect(p.recording).toBe(false);
    expect({ frames: p.frames, pre: p.preFrames, post: p.postFrames }).toEqual({ frames: 45, pre: 10, post: 5 });
  });

  it('takes only the pre-trigger audio there is', () => {
    const p = new ClipPlan(T);
    expect(p.trigger('e1', 'rule', 4)).toEqual({ action: 'start', preFrames: 4 });
  });

  it('stops the event part at the maximum, then post-rolls, even if the event goes on', () => {
    const p = new ClipPlan(T);
    p.trigger('e1', 'rule', 10);
    expect(run(p, 7)).toBe(65);
    expect(p.frames).toBe(75);
    // The event is still going; nothing more is recorded for it.
    expect(p.advance(10)).toBe(0);
  });

  it('lasts incidentFrames for a button press', () => {
    const p = new ClipPlan(T);
    p.trigger('inc-1', 'button', 10);
    expect(run(p, 3)).toBe(25);
  });

  it('joins a second event into the clip being recorded, ending when both have ended', () => {
    const p = new ClipPlan(T);
    p.trigger('e1', 'rule', 10);
    p.advance(10);
    expect(p.trigger('inc-1', 'button', 10)).toEqual({ action: 'join' });
    p.end('e1');
    // The incident keeps the event part going for its 20 frames, then 5 of post-roll.
    expect(run(p, 4)).toBe(25);
    expect(p.frames).toBe(10 + 10 + 25);
  });

  it('turns post-roll into event audio when a trigger arrives during it, never beyond the maximum', () => {
    const p = new ClipPlan(T);
    p.trigger('e1', 'rule', 10);
    p.advance(58);
    p.end('e1');
    p.advance(3);
    expect(p.trigger('e2', 'rule', 10)).toEqual({ action: 'join' });
    // 58 + 3 ≥ 60: the maximum is reached, so the join cannot extend the clip: 2 more frames of post-roll.
    expect(run(p, 10)).toBe(2);
    expect(p.frames).toBe(10 + 58 + 5);
    const q = new ClipPlan(T);
    q.trigger('e1', 'rule', 10);
    q.advance(20);
    q.end('e1');
    q.advance(3);
    q.trigger('e2', 'rule', 10);
    q.advance(7);
    q.end('e2');
    expect(run(q, 10)).toBe(5);
    expect(q.frames).toBe(10 + 20 + 3 + 7 + 5);
  });

  it('obeys the audio mode', () => {
    const off = new ClipPlan(T, 'off');
    expect(off.trigger('e1', 'button', 10)).toMatchObject({ action: 'refuse' });
    const buttonOnly = new ClipPlan(T, 'button-only');
    expect(buttonOnly.trigger('e1', 'rule', 10)).toMatchObject({ action: 'refuse', why: 'audio is button-only for this deployment' });
    expect(buttonOnly.trigger('inc-1', 'button', 10)).toMatchObject({ action: 'start' });
  });

  it('cut ends the clip at once', () => {
    const p = new ClipPlan(T);
    p.trigger('e1', 'rule', 10);
    p.advance(5);
    p.cut();
    expect(p.completed).toBe(true);
    expect(p.recording).toBe(false);
    expect(p.frames).toBe(15);
  });
});
