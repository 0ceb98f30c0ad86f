/**
 * Issue 11 item 13: implausible device times (year 0000, 2099), judged against
 * the time of receipt, on a real SQLite file. A monitor whose clock was lost in
 * a power cut still measures real sound, so its events and clips are stored —
 * flagged 'implausible-time' and attached to no case by their wrong time — and
 * its 1 s records, placed by their time alone, are quarantined whole with a code.
 */
import { topics } from '@earshot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeLeaf } from '../../src/evidence/leaf.ts';
import { implausibleDeviceTime } from '../../src/pipeline/device-time.ts';
import { addDevice, count, type Fixture, incoming, levelsBody, makeFixture, startedBody, type TestDevice } from './support/ingest-fixture.ts';

let f: Fixture;
let dev: TestDevice;
beforeEach(() => {
  f = makeFixture();
  dev = addDevice(f, 'dev-1'); // the fixture's attacher puts dev-1's evidence on CASE-1
});
afterEach(() => f.close());

const RECEIVED = Date.parse('2026-11-25T03:00:00.000Z');
const at = (topic: string, payload: Buffer) => ({ ...incoming(topic, payload, dev.id), receivedAt: RECEIVED });

describe('device time against receipt time (item 13)', () => {
  it('judges before 2020 and more than a day ahead of receipt implausible, and nothing else', () => {
    expect(implausibleDeviceTime(Date.parse('0000-01-01T00:00:00Z'), RECEIVED)).toMatch(/before 2020/);
    expect(implausibleDeviceTime(Date.parse('1970-01-01T00:00:10Z'), RECEIVED)).toMatch(/before 2020/);
    expect(implausibleDeviceTime(Date.parse('2099-01-01T00:00:00Z'), RECEIVED)).toMatch(/after receipt/);
    expect(implausibleDeviceTime(RECEIVED + 86_400_000 + 1, RECEIVED)).toMatch(/after receipt/);
    expect(implausibleDeviceTime(RECEIVED + 86_400_000, RECEIVED)).toBeNull();
    expect(implausibleDeviceTime(RECEIVED - 300 * 86_400_000, RECEIVED)).toBeNull(); // an outbox sent late: plausible
    expect(implausibleDeviceTime(Number.NaN, RECEIVED)).toMatch(/not a time/);
  });

  it.each([['year 0000', '0000-01-01T00:00:00.000Z'], ['year 2099', '2099-06-01T23:00:00.000Z']])(
    'stores an event of %s flagged implausible-time, attached to no case, with the flag in its leaf',
    (_name, when) => {
      const out = f.pipeline.process(at(topics.event(dev.id), dev.sign('event', startedBody('ev-odd', Date.parse(when)))));
      expect(out.status).toBe('stored');
      const row = f.db.prepare('SELECT clock_flag, case_ref, attach_reason FROM events').get() as { clock_flag: string; case_ref: string | null; attach_reason: string };
      expect(row.clock_flag).toBe('implausible-time');
      expect(row.case_ref).toBeNull();
      expect(row.attach_reason).toMatch(/^device time implausible/);
      expect(f.attachRequests).toHaveLength(0); // never matched to a deployment by its wrong time
      const leaf = JSON.parse(encodeLeaf(f.leaves[0]!).toString()) as { caseRef: string | null; data: { clockFlag: string } };
      expect(leaf).toMatchObject({ caseRef: null, data: { clockFlag: 'implausible-time' } });
    },
  );

  it('attaches an event at a plausible time as before', () => {
    f.pipeline.process(at(topics.event(dev.id), dev.sign('event', startedBody('ev-ok', RECEIVED - 3_600_000))));
    expect(f.db.prepare('SELECT clock_flag, case_ref FROM events').get()).toEqual({ clock_flag: 'no-heartbeat', case_ref: 'CASE-1' });
  });

  it('quarantines a levels batch with an implausible record whole, with its code, and stores a plausible one', () => {
    const bad = dev.sign('levels', levelsBody(Date.parse('2099-01-01T00:00:00.000Z')));
    expect(f.pipeline.process(at(topics.levels(dev.id), bad))).toMatchObject({ status: 'quarantined', code: 'EARSHOT_E_DEVICE_TIME_IMPLAUSIBLE' });
    const q = f.db.prepare('SELECT code, raw FROM quarantine').get() as { code: string; raw: Buffer };
    expect(q.code).toBe('EARSHOT_E_DEVICE_TIME_IMPLAUSIBLE');
    expect(q.raw.equals(bad)).toBe(true);
    expect(count(f.db, 'levels')).toBe(0);
    expect(f.pipeline.process(at(topics.levels(dev.id), dev.sign('levels', levelsBody(RECEIVED - 60_000)))).status).toBe('stored');
    expect(count(f.db, 'levels')).toBe(10);
  });
});
