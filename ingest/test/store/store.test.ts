import { describe, expect, it, afterEach, beforeEach } from 'vitest';
import { createLevelsWriter } from '../../src/store/levels.ts';
import { clockFlag, createStatusStore } from '../../src/store/status.ts';
import { count, type Fixture, levelsBody, makeFixture, statusBody } from '../pipeline/support/ingest-fixture.ts';
import type { StatusBody } from '@earshot/shared';

let f: Fixture;
beforeEach(() => {
  f = makeFixture();
});
afterEach(() => f.close());

describe('levels store', () => {
  it('keeps the first record stored for a (time, device) and counts what was new', () => {
    const w = createLevelsWriter(f.db);
    expect(w.write('dev-1', 1, levelsBody())).toBe(10);
    expect(w.write('dev-1', 2, levelsBody(Date.parse('2026-11-24T22:00:05.000Z')))).toBe(5);
    expect(w.write('dev-2', 1, levelsBody())).toBe(10);
    expect(count(f.db, 'levels')).toBe(25);
    expect(f.db.prepare("SELECT seq FROM levels WHERE device = 'dev-1' AND t = ?").get(Date.parse('2026-11-24T22:00:05.000Z'))).toEqual({ seq: 1 });
  });

  it('stores digital silence as NULL levels with the silent mark (DESIGN §2)', () => {
    const body = levelsBody(0, 1);
    const silent = { ...body.records[0]!, LAeq: null, LCeq: null, LZeq: null, LAFmax: null, LAFmin: null, LASmax: null, LCpeak: null, silent: true as const };
    createLevelsWriter(f.db).write('dev-1', 1, { fullScaleDb: 120, records: [silent] });
    expect(f.db.prepare('SELECT laeq, silent FROM levels').get()).toEqual({ laeq: null, silent: 1 });
  });
});

describe('device clock (issue 4: flag unsynchronised or |offset| > 2 s)', () => {
  it('flags by the latest heartbeat', () => {
    expect(clockFlag(true, 2000)).toBeNull();
    expect(clockFlag(true, -2001)).toBe('offset-over-2s');
    expect(clockFlag(false, 0)).toBe('unsynchronised');
    expect(clockFlag(null, 0)).toBe('sync-unknown');
    expect(clockFlag(true, null)).toBe('offset-unknown');
    const s = createStatusStore(f.db);
    expect(s.clock('dev-1')).toEqual({ synced: null, offsetMs: null, flag: 'no-heartbeat' });
    s.write('dev-1', 2, 0, 0, statusBody({ synced: true, offsetMs: 3000 }) as StatusBody);
    s.write('dev-1', 1, 0, 0, statusBody({ synced: true, offsetMs: 1 }) as StatusBody); // older seq arriving late
    expect(s.clock('dev-1')).toEqual({ synced: true, offsetMs: 3000, flag: 'offset-over-2s' });
  });
});
