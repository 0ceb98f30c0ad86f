/** The officer a bundle names: the account's name and initials, not its username (the case holds the username). */
import { afterEach, describe, expect, it } from 'vitest';
import { openCase } from '../../src/cases/index.ts';
import { bundleCase } from '../../src/export/case-summary.ts';
import { createUsers } from '../../src/users/index.ts';
import { type ExportFixture, makeExportFixture } from './fixture.ts';

let f: ExportFixture | undefined;
afterEach(() => f?.close());

describe("the bundle's officer", () => {
  it("is the assigned account's display name and initials; a case from before accounts keeps what it holds", async () => {
    f = makeExportFixture(Date.parse('2026-11-01T12:00:00Z'));
    await createUsers(f.ingest.db).add({ username: 'officer', displayName: 'Jo Smith', initials: 'JS', role: 'officer', password: 'twelve chars ok' });
    openCase(f.ingest.cases, { ref: 'ASB-2026-0001', category: 'general', officer: 'officer', address: '1 Elm Court, Leeds' });
    expect(bundleCase(f.ingest.db, 'ASB-2026-0001', false).officer).toEqual({ name: 'Jo Smith', initials: 'JS' });
    openCase(f.ingest.cases, { ref: 'ASB-2026-0002', category: 'general', officer: 'Kim Lee', address: '9 Oak Row, Leeds' });
    expect(bundleCase(f.ingest.db, 'ASB-2026-0002', false).officer).toEqual({ name: 'Kim Lee', initials: 'KL' });
  });
});
