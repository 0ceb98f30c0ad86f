import { afterEach, describe, expect, it } from 'vitest';
import { createAttacher } from '../../src/cases/attach.ts';
import { changeCaseStatus, closeCase, openCase } from '../../src/cases/cases.ts';
import { endDeployment, listDeployments, startDeployment } from '../../src/cases/deployments.ts';
import { type Fixture, DAY, openFixture, codeOf } from './fixture.ts';

let f: Fixture;
afterEach(() => f.close());

const REF = 'ASB-2026-0001';
const cal = (readingDb: number) => ({ readingDb, fullScaleDb: 120.3 });

function setup(): void {
  f = openFixture();
  openCase(f, { ref: REF, category: 'high-risk', officer: 'P. Officer', address: '1 High St' });
}

describe('deployments', () => {
  it('records install and removal with calibration checks, drift and leaves', () => {
    setup();
    const d = startDeployment(f, { caseRef: REF, deviceId: 'mon-001', installedAt: '2026-03-02T10:00:00Z', installedBy: 'T. Tech', audioMode: 'button-only', calibration: cal(94.1) });
    expect(d).toMatchObject({ id: 1, installedAt: '2026-03-02T10:00:00.000Z', audioMode: 'button-only', removedAt: null, driftDb: null });
    expect(d.install).toMatchObject({ calibratorDb: 94, readingDb: 94.1, deviationDb: 0.1, fullScaleDb: 120.3 });
    const e = endDeployment(f, { deploymentId: d.id, removedAt: '2026-03-16T10:00:00+00:00', removedBy: 'T. Tech', calibration: cal(93.8) });
    // Typed readings are the installer's notes: the drift comes only from the monitor's own records (none here).
    expect(e).toMatchObject({ removedAt: '2026-03-16T10:00:00.000Z', removedBy: 'T. Tech', driftDb: null, calibration: { atInstall: null, atRemoval: null, driftDb: null } });
    expect(e.removal).toMatchObject({ readingDb: 93.8 });
    expect(f.leaves().map((l) => `${l.kind}:${String(l.data.action ?? l.data.phase)}`)).toEqual([
      'case:opened',
      'deployment:installed',
      'calibration:install',
      'deployment:removed',
      'calibration:removal',
    ]);
    expect(f.leaves()[1]?.data).toMatchObject({ deploymentId: 1, deviceId: 'mon-001' });
    expect(listDeployments(f.db, { caseRef: REF })).toEqual([e]);
  });

  it('defaults the audio mode to on-event and the time to now', () => {
    setup();
    const d = startDeployment(f, { caseRef: REF, deviceId: 'mon-001', installedBy: 'T. Tech', calibration: cal(94) });
    expect(d).toMatchObject({ audioMode: 'on-event', installedAt: '2026-03-02T09:00:00.000Z' });
  });

  it('never lets one device be in two deployments at once', () => {
    setup();
    openCase(f, { ref: 'ASB-2026-0002', category: 'general', officer: 'P. Officer', address: '2 High St' });
    const d = startDeployment(f, { caseRef: REF, deviceId: 'mon-001', installedAt: '2026-03-02T10:00:00Z', installedBy: 'T', calibration: cal(94) });
    expect(codeOf(() => startDeployment(f, { caseRef: 'ASB-2026-0002', deviceId: 'mon-001', installedAt: '2026-03-05T10:00:00Z', installedBy: 'T', calibration: cal(94) }))).toBe('EARSHOT_E_DEPLOYMENT_OVERLAP');
    endDeployment(f, { deploymentId: d.id, removedAt: '2026-03-10T10:00:00Z', removedBy: 'T', calibration: cal(94) });
    // Starting before the previous removal overlaps it; starting at the removal instant does not.
    expect(codeOf(() => startDeployment(f, { caseRef: 'ASB-2026-0002', deviceId: 'mon-001', installedAt: '2026-03-09T10:00:00Z', installedBy: 'T', calibration: cal(94) }))).toBe('EARSHOT_E_DEPLOYMENT_OVERLAP');
    startDeployment(f, { caseRef: 'ASB-2026-0002', deviceId: 'mon-001', installedAt: '2026-03-10T10:00:00Z', installedBy: 'T', calibration: cal(94) });
    // Another device is free.
    startDeployment(f, { caseRef: REF, deviceId: 'mon-002', installedAt: '2026-03-05T10:00:00Z', installedBy: 'T', calibration: cal(94) });
    expect(listDeployments(f.db, { deviceId: 'mon-001' })).toHaveLength(2);
  });

  it('refuses bad deployments', () => {
    setup();
    expect(codeOf(() => startDeployment(f, { caseRef: REF, deviceId: 'Bad Id', installedBy: 'T', calibration: cal(94) }))).toBe('EARSHOT_E_DEPLOYMENT_INVALID');
    expect(codeOf(() => startDeployment(f, { caseRef: 'ASB-2026-0404', deviceId: 'mon-001', installedBy: 'T', calibration: cal(94) }))).toBe('EARSHOT_E_CASE_NOT_FOUND');
    const d = startDeployment(f, { caseRef: REF, deviceId: 'mon-001', installedAt: '2026-03-02T10:00:00Z', installedBy: 'T', calibration: cal(94) });
    expect(codeOf(() => endDeployment(f, { deploymentId: d.id, removedAt: '2026-03-02T09:00:00Z', removedBy: 'T', calibration: cal(94) }))).toBe('EARSHOT_E_DEPLOYMENT_INVALID');
    expect(codeOf(() => endDeployment(f, { deploymentId: 99, removedBy: 'T', calibration: cal(94) }))).toBe('EARSHOT_E_DEPLOYMENT_NOT_FOUND');
    endDeployment(f, { deploymentId: d.id, removedAt: '2026-03-03T09:00:00Z', removedBy: 'T', calibration: cal(94) });
    expect(codeOf(() => endDeployment(f, { deploymentId: d.id, removedAt: '2026-03-04T09:00:00Z', removedBy: 'T', calibration: cal(94) }))).toBe('EARSHOT_E_DEPLOYMENT_INVALID');
    closeCase(f, REF, 'resolved', 'P. Officer');
    expect(codeOf(() => startDeployment(f, { caseRef: REF, deviceId: 'mon-001', installedBy: 'T', calibration: cal(94) }))).toBe('EARSHOT_E_CASE_STATUS');
  });
});

describe('attach', () => {
  it('attaches device time inside [install, removal) of an open case, and says why otherwise', () => {
    setup();
    const attach = createAttacher(f.db);
    const install = Date.parse('2026-03-02T10:00:00Z');
    const d = startDeployment(f, { caseRef: REF, deviceId: 'mon-001', installedAt: new Date(install).toISOString(), installedBy: 'T', calibration: cal(94) });
    expect(attach('mon-001', install)).toEqual({ attached: true, caseRef: REF, deploymentId: d.id, category: 'high-risk', audioMode: 'on-event' });
    expect(attach('mon-001', install - 1)).toMatchObject({ attached: false, reason: 'no-deployment' });
    expect(attach('mon-999', install + DAY)).toMatchObject({ attached: false, reason: 'no-deployment' });
    expect(attach('mon-001', Number.NaN)).toMatchObject({ attached: false, reason: 'bad-device-time' });
    endDeployment(f, { deploymentId: d.id, removedAt: new Date(install + 7 * DAY).toISOString(), removedBy: 'T', calibration: cal(94) });
    expect(attach('mon-001', install + 7 * DAY - 1)).toMatchObject({ attached: true });
    expect(attach('mon-001', install + 7 * DAY)).toMatchObject({ attached: false, reason: 'no-deployment' });
    changeCaseStatus(f, { ref: REF, status: 'inactive', reason: 'complainant away', by: 'P. Officer' });
    expect(attach('mon-001', install + DAY)).toEqual({ attached: false, reason: 'case-not-open', caseRef: REF, caseStatus: 'inactive' });
  });
});
