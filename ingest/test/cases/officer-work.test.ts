/**
 * The officer's work around the evidence (issue 12): the contact log and its two
 * clocks, reassignment by account, and diary edit-as-correction — each a row and
 * an evidence leaf, on a real SQLite file.
 */
import { describe, expect, it } from 'vitest';
import { CONTACT_INTERVAL_MS, addDiaryEntry, contactClock, correctDiaryEntry, diaryCorrections, listContacts, openCase, reassignCase, recordContact } from '../../src/cases/index.ts';
import { openFixture } from './fixture.ts';

describe('contact log', () => {
  it('the first contact meets the response target; the next is due a week after the last', () => {
    const due = '2026-11-26T12:00:00.000Z';
    const first = Date.parse('2026-11-26T09:00:00Z');
    expect(contactClock('open', due, null, null, first)).toMatchObject({ responseTarget: 'pending', nextContactDueAt: due, contactOverdue: false });
    expect(contactClock('open', due, null, null, Date.parse(due) + 1)).toMatchObject({ responseTarget: 'missed', contactOverdue: true });
    const c = contactClock('open', due, first, first, first + CONTACT_INTERVAL_MS + 1);
    expect(c).toMatchObject({ responseTarget: 'met', nextContactDueAt: new Date(first + CONTACT_INTERVAL_MS).toISOString(), contactOverdue: true });
    expect(contactClock('closed', due, first, first, first).nextContactDueAt).toBeNull();
  });
});

describe('case changes as leaves', () => {
  it('records a contact, reassigns by account and corrects a diary entry, each with its leaf', () => {
    const f = openFixture();
    try {
      openCase(f, { ref: 'ASB-2026-0001', category: 'general', officer: 'jsmith', address: '1 Acacia Avenue' });
      f.clock += 3_600_000;
      const k = recordContact(f, { caseRef: 'ASB-2026-0001', method: 'visit', summary: 'Visited; agreed a diary', by: 'jsmith' });
      expect(listContacts(f.db, 'ASB-2026-0001')).toEqual([k]);
      expect(f.leaves().at(-1)).toMatchObject({ kind: 'case', data: { action: 'contacted', method: 'visit', by: 'jsmith' } });
      expect(JSON.stringify(f.leaves().at(-1))).not.toContain('agreed a diary');
      expect(() => recordContact(f, { caseRef: 'ASB-2026-0001', method: 'visit', summary: 'later', by: 'jsmith', at: new Date(f.clock + 3_600_000).toISOString() })).toThrow(/future/);

      expect(reassignCase(f, { ref: 'ASB-2026-0001', officer: 'bjones', reason: 'Handover', by: 'sup' }).officer).toBe('bjones');
      expect(f.leaves().at(-1)).toMatchObject({ kind: 'case', data: { action: 'reassigned', from: 'jsmith', to: 'bjones', reason: 'Handover' } });
      expect(() => reassignCase(f, { ref: 'ASB-2026-0001', officer: 'bjones', reason: 'Again', by: 'sup' })).toThrow(/already assigned/);

      const e = addDiaryEntry(f, 'ASB-2026-0001', { startedAt: '2026-03-01T23:00:00Z', heard: 'Music' });
      const c = correctDiaryEntry(f, 'ASB-2026-0001', { entryId: e.id, reason: 'Wrong night', by: 'bjones', replacement: { startedAt: '2026-02-28T23:00:00Z', heard: 'Music' } });
      expect(f.leaves().at(-1)).toMatchObject({ kind: 'correction', data: { correctsLeafIndex: e.leafIndex, reason: 'Wrong night', correctedDiaryId: e.id } });
      expect(diaryCorrections(f.db, 'ASB-2026-0001').get(e.id)?.replacementId).toBe(c.replacementId);
      expect(() => correctDiaryEntry(f, 'ASB-2026-0001', { entryId: e.id, reason: 'Twice', by: 'bjones', replacement: { startedAt: '2026-02-28T23:00:00Z', heard: 'x' } })).toThrow(/already been corrected/);
    } finally {
      f.close();
    }
  });
});
