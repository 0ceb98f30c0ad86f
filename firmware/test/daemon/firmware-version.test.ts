/**
 * The monitor's software version in its heartbeat (StatusBody.firmwareVersion):
 * read from firmware/package.json by walking up, so the sources and the
 * single-file build (firmware/dist/) find the same file; null when there is none.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusBody } from '@earshot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { readFirmwareVersion } from '../../src/daemon/firmware-version.ts';
import { type StatusParts, statusBody } from '../../src/daemon/status-report.ts';

const PKG = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('firmware version', () => {
  it('is the version of firmware/package.json from the sources', () => {
    expect(readFirmwareVersion()).toBe(PKG.version);
  });

  it('is found from a build folder beside the package, skipping other packages on the way up', () => {
    const root = mkdtempSync(join(tmpdir(), 'earshot-fw-'));
    dirs.push(root);
    mkdirSync(join(root, 'firmware', 'dist', 'chunks'), { recursive: true });
    writeFileSync(join(root, 'firmware', 'package.json'), JSON.stringify({ name: '@earshot/firmware', version: '9.8.7-rc.1' }));
    writeFileSync(join(root, 'firmware', 'dist', 'package.json'), JSON.stringify({ name: 'something-else', version: '1.0.0' }));
    expect(readFirmwareVersion(join(root, 'firmware', 'dist', 'chunks'))).toBe('9.8.7-rc.1');
    expect(readFirmwareVersion(tmpdir())).toBeNull();
  });

  it('goes into the heartbeat, which the shared schema accepts; omitted when unknown', () => {
    const parts = {
      uptimeSeconds: 5, clock: { synced: true, offsetMs: 1, source: 'chrony' },
      outbox: { depth: 0, bytes: 0, quotaBytes: 1e6, compactedRecords: 0, journalBytes: 0, clipBytes: 0, segments: 1, overQuota: false, nextSeq: 1, tornTailBytes: 0, reserveBytes: 0, reserveTarget: 0, errors: [] },
      held: null, disk: null, temperatureC: null, mic: { state: 'ok', silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: 120,
      configVersion: 1, lastConfig: null, capture: { source: 'wav', restarts: 0, lastError: null }, publicKeyPem: 'PEM', suppressed: undefined,
    } satisfies Omit<StatusParts, 'firmwareVersion'>;
    const body = statusBody({ ...parts, firmwareVersion: PKG.version });
    expect(body.firmwareVersion).toBe(PKG.version);
    expect(StatusBody.parse(body).firmwareVersion).toBe(PKG.version);
    expect('firmwareVersion' in statusBody({ ...parts, firmwareVersion: null })).toBe(false);
    expect(StatusBody.safeParse({ ...body, firmwareVersion: 'x'.repeat(65) }).success).toBe(false);
  });
});
