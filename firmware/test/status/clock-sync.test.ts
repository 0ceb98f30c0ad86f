import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseChronyTracking, parseTimedatectl } from '../../src/status/clock-sync.ts';
import { cpuTemperatureC, diskSpace } from '../../src/status/host.ts';

describe('clock sync', () => {
  it('reads chrony tracking CSV: offset in ms and leap status', () => {
    const line = 'C0A80001,192.168.0.1,3,1764028800.123456789,-0.000812345,-0.000001,0.000020,-12.345,-0.001,0.020,0.012,0.001,64.2,Normal';
    expect(parseChronyTracking(line)).toEqual({ synced: true, offsetMs: -0.812, source: 'chrony' });
    const lost = '00000000,,0,0.000000000,0.000000000,0.0,0.0,0.0,0.0,0.0,1.0,1.0,0.0,Not synchronised';
    expect(parseChronyTracking(lost)).toEqual({ synced: false, offsetMs: null, source: 'chrony' });
    expect(parseChronyTracking('506 Cannot talk to daemon')).toBeNull();
  });

  it('reads timedatectl', () => {
    expect(parseTimedatectl('yes\n')).toEqual({ synced: true, offsetMs: null, source: 'timedatectl' });
    expect(parseTimedatectl('no')).toEqual({ synced: false, offsetMs: null, source: 'timedatectl' });
    expect(parseTimedatectl('')).toBeNull();
  });
});

describe('host', () => {
  it('reads a thermal zone in °C and null where there is none', async () => {
    const d = mkdtempSync(join(tmpdir(), 'earshot-host-'));
    writeFileSync(join(d, 'temp'), '48312\n');
    expect(await cpuTemperatureC(join(d, 'temp'))).toBe(48.3);
    expect(await cpuTemperatureC(join(d, 'missing'))).toBeNull();
    const disk = await diskSpace(d);
    expect(disk!.totalBytes).toBeGreaterThan(0);
    expect(disk!.freeBytes).toBeLessThanOrEqual(disk!.totalBytes);
    rmSync(d, { recursive: true });
  });
});
