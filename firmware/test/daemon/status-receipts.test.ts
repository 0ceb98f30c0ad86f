/** The heartbeat's `receipts` counts (DESIGN §9: stored receipts seen, forged and replayed ones ignored). */
import { StatusBody } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { type StatusParts, statusBody } from '../../src/daemon/status-report.ts';

const parts: StatusParts = {
  uptimeSeconds: 5, clock: { synced: true, offsetMs: 1, source: 'chrony' },
  outbox: { depth: 0, bytes: 0, quotaBytes: 1e6, compactedRecords: 0, journalBytes: 0, clipBytes: 0, segments: 1, overQuota: false, nextSeq: 1, tornTailBytes: 0, reserveBytes: 0, reserveTarget: 0, errors: [] },
  held: null, disk: null, temperatureC: null, mic: { state: 'ok', silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: 120,
  configVersion: 1, lastConfig: null, capture: { source: 'wav', restarts: 0, lastError: null }, publicKeyPem: 'PEM', suppressed: undefined, firmwareVersion: null,
};

describe('heartbeat receipts', () => {
  it('carries the receipt counts, which the shared schema accepts; absent without a server key', () => {
    const body = statusBody({ ...parts, receipts: { stored: 41, forged: 2, replayed: 1 } });
    expect(StatusBody.parse(body).receipts).toEqual({ stored: 41, forged: 2, replayed: 1 });
    expect('receipts' in statusBody({ ...parts, receipts: null })).toBe(false);
    expect(StatusBody.safeParse({ ...body, receipts: { stored: -1, forged: 0, replayed: 0 } }).success).toBe(false);
  });
});
