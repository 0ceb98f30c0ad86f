import { afterEach, describe, expect, it } from 'vitest';
import { annotate } from '../../src/cases/annotations.ts';
import { categoriseCase, changeCaseStatus, closeCase, openCase, reopenCase } from '../../src/cases/cases.ts';
import { listCases, showCase } from '../../src/cases/case-queries.ts';
import { contentMatches } from '../../src/cases/content.ts';
import { nextCaseRef } from '../../src/cases/next-reference.ts';
import { startDeployment } from '../../src/cases/deployments.ts';
import { type Fixture, HOUR, openFixture, codeOf } from './fixture.ts';

let f: Fixture;
afterEach(() => f.close());

const complainant = { name: 'Jane Resident', contact: '07700 900123' };
const base = { ref: 'ASB-2026-0001', category: 'general', officer: 'P. Officer', address: '12 Acacia Avenue, Leeds LS1 1AA', complainant } as const;

describe('cases', () => {
  it('opens a case with its response target and one leaf that holds no confidential text', () => {
    f = openFixture();
    const c = openCase(f, base);
    expect(c).toMatchObject({ ref: 'ASB-2026-0001', status: 'open', category: 'general', responseDueDate: '2026-03-09', address: base.address });
    const leaves = f.leaves();
    expect(leaves).toHaveLength(1);
    expect(leaves[0]).toMatchObject({ kind: 'case', caseRef: 'ASB-2026-0001', data: { action: 'opened', category: 'general' } });
    const bytes = JSON.stringify(leaves[0]);
    expect(bytes).not.toContain('Jane');
    expect(bytes).not.toContain('Acacia');
    // The commitment in the leaf matches the stored details.
    const row = f.db.prepare<[], { details: string }>('SELECT details FROM cases').get();
    expect(contentMatches(row?.details ?? '', String(leaves[0]?.data.detailsSha256))).toBe(true);
  });

  it('never shows the complainant in lists, and only on explicit request in show', () => {
    f = openFixture();
    openCase(f, base);
    expect(JSON.stringify(listCases(f.db))).not.toContain('Jane');
    expect(JSON.stringify(showCase(f.db, base.ref))).not.toContain('Jane');
    expect(showCase(f.db, base.ref).complainant).toBeUndefined();
    expect(showCase(f.db, base.ref, { includeComplainant: true }).complainant).toEqual(complainant);
  });

  it('refuses bad references, bad input and duplicates, with codes', () => {
    f = openFixture();
    expect(codeOf(() => openCase(f, { ...base, ref: 'asb-1' }))).toBe('EARSHOT_E_CASE_REF_INVALID');
    expect(codeOf(() => openCase(f, { ...base, category: 'urgent' as 'general' }))).toBe('EARSHOT_E_CASE_INPUT_INVALID');
    openCase(f, base);
    expect(codeOf(() => openCase(f, base))).toBe('EARSHOT_E_CASE_EXISTS');
    expect(codeOf(() => showCase(f.db, 'ASB-2026-0999'))).toBe('EARSHOT_E_CASE_NOT_FOUND');
    expect(f.leaves()).toHaveLength(1);
  });

  it('writes the case and its leaf in one transaction: no leaf, no case', () => {
    f = openFixture();
    f.failNextAppend = true;
    expect(() => openCase(f, base)).toThrow('evidence log unavailable');
    expect(listCases(f.db)).toEqual([]);
    openCase(f, base);
    f.failNextAppend = true;
    expect(() => closeCase(f, base.ref, 'resolved by mediation', 'P. Officer')).toThrow();
    expect(showCase(f.db, base.ref).status).toBe('open');
    expect(showCase(f.db, base.ref).history).toHaveLength(1);
  });

  it('re-categorises with a recorded reason and a new target from the opening time', () => {
    f = openFixture();
    openCase(f, base);
    f.clock += 2 * HOUR;
    const c = categoriseCase(f, { ref: base.ref, category: 'high-risk', reason: 'threats reported', by: 'S. Lead' });
    expect(c.responseDueAt).toBe('2026-03-03T09:00:00.000Z');
    const h = showCase(f.db, base.ref).history;
    expect(h.map((e) => e.action)).toEqual(['opened', 'categorised']);
    expect(h[1]).toMatchObject({ by: 'S. Lead', reason: 'threats reported', leafIndex: 1 });
    expect(f.leaves()[1]?.data).toMatchObject({ action: 'categorised', from: 'general', to: 'high-risk', reason: 'threats reported' });
    expect(codeOf(() => categoriseCase(f, { ref: base.ref, category: 'high-risk', reason: 'again', by: 'S. Lead' }))).toBe('EARSHOT_E_CASE_INPUT_INVALID');
  });

  it('closes and reopens, with timestamps, and refuses what the status does not allow', () => {
    f = openFixture();
    openCase(f, base);
    f.clock += HOUR;
    const closed = closeCase(f, base.ref, 'no further reports', 'P. Officer');
    expect(closed).toMatchObject({ status: 'closed', closedAt: '2026-03-02T10:00:00.000Z' });
    expect(codeOf(() => changeCaseStatus(f, { ref: base.ref, status: 'inactive', reason: 'paused', by: 'P. Officer' }))).toBe('EARSHOT_E_CASE_STATUS');
    expect(codeOf(() => closeCase(f, base.ref, 'again', 'P. Officer'))).toBe('EARSHOT_E_CASE_STATUS');
    f.clock += HOUR;
    const reopened = reopenCase(f, base.ref, 'new reports', 'P. Officer');
    expect(reopened).toMatchObject({ status: 'open', closedAt: null, statusChangedAt: '2026-03-02T11:00:00.000Z' });
    expect(f.leaves().map((l) => l.data.action)).toEqual(['opened', 'closed', 'reopened']);
  });

  it('will not close a case while a device is deployed on it', () => {
    f = openFixture();
    openCase(f, base);
    startDeployment(f, { caseRef: base.ref, deviceId: 'mon-001', installedBy: 'T. Tech', calibration: { readingDb: 94.1, fullScaleDb: 120 } });
    expect(codeOf(() => closeCase(f, base.ref, 'done', 'P. Officer'))).toBe('EARSHOT_E_CASE_DEVICE_DEPLOYED');
  });

  it('lists by status and officer', () => {
    f = openFixture();
    openCase(f, base);
    openCase(f, { ...base, ref: 'ASB-2026-0002', officer: 'Q. Officer' });
    openCase(f, { ...base, ref: 'ASB-2026-0003' });
    closeCase(f, 'ASB-2026-0003', 'withdrawn', 'P. Officer');
    expect(listCases(f.db, { status: 'open' }).map((c) => c.ref)).toEqual(['ASB-2026-0001', 'ASB-2026-0002']);
    expect(listCases(f.db, { officer: 'P. Officer' }).map((c) => c.ref)).toEqual(['ASB-2026-0001', 'ASB-2026-0003']);
    expect(listCases(f.db, { status: 'closed', officer: 'Q. Officer' })).toEqual([]);
  });

  it('records officer annotations as leaves that commit to the text', () => {
    f = openFixture();
    openCase(f, base);
    const a = annotate(f, { caseRef: base.ref, officer: 'P. Officer', text: 'Spoke to neighbour about the music', aboutLeafIndex: 0 });
    const leaf = f.leaves()[a.leafIndex];
    expect(leaf).toMatchObject({ kind: 'annotation', caseRef: base.ref, data: { annotationId: a.id, officer: 'P. Officer', aboutLeafIndex: 0, contentSha256: a.contentSha256 } });
    expect(JSON.stringify(leaf)).not.toContain('neighbour');
    expect(codeOf(() => annotate(f, { caseRef: base.ref, officer: 'P. Officer', text: ' ' }))).toBe('EARSHOT_E_ANNOTATION_INVALID');
    expect(codeOf(() => annotate(f, { caseRef: 'ASB-2026-0404', officer: 'P. Officer', text: 'x' }))).toBe('EARSHOT_E_CASE_NOT_FOUND');
  });
});

describe('next case reference', () => {
  it('numbers cases per prefix and year', () => {
    f = openFixture();
    expect(nextCaseRef(f.db, 'ASB', 2026)).toBe('ASB-2026-0001');
    openCase(f, { ...base, ref: 'ASB-2026-0009' });
    openCase(f, { ...base, ref: 'ASB-2025-0042' });
    expect(nextCaseRef(f.db, 'ASB', 2026)).toBe('ASB-2026-0010');
    expect(nextCaseRef(f.db, 'NOI', 2026)).toBe('NOI-2026-0001');
    expect(codeOf(() => nextCaseRef(f.db, 'asb', 2026))).toBe('EARSHOT_E_CASE_REF_INVALID');
  });
});
