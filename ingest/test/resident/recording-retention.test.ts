/**
 * Phone recordings under the retention policy (issue 13 with issue 4): when the
 * case's evidence period has expired, the recording files go with its diary text,
 * audited with the hash its leaf keeps; a bundle then names no file that is gone.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeCase, endDeployment } from '../../src/cases/index.ts';
import { listDiary } from '../../src/cases/diary.ts';
import { casePhoneRecordings } from '../../src/export/diary.ts';
import { runPurge } from '../../src/retention/purge.ts';
import { sqlitePurgeStore } from '../../src/retention/purge-store.ts';
import { purgePhoneRecordings } from '../../src/resident/retention.ts';
import { webmBytes } from './audio-samples.ts';
import { REF, type ResidentFixture, makeResidentFixture } from './fixture.ts';

let f: ResidentFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('phone recordings and retention', () => {
  it('removes the recording files of an expired case, audited with their hashes', async () => {
    f = await makeResidentFixture();
    const { token } = f.issue();
    const t = new Date().toISOString();
    const r = await f.http.app.inject({
      method: 'POST', url: '/r/api/entries', headers: { authorization: `Bearer ${token}` },
      payload: { clientId: 'retention-1', writtenAt: t, startedAt: t, heard: 'Drumming', recording: { data: webmBytes().toString('base64') } },
    });
    expect(r.statusCode).toBe(201);
    const rec = listDiary(f.ingest.db, REF)[0]!.recording!;
    const path = join(f.ingest.dir.clips, rec.file!);
    expect(existsSync(path)).toBe(true);
    endDeployment(f.ingest.cases, { deploymentId: f.deploymentId, removedBy: 'T. Tech' });
    closeCase(f.ingest.cases, REF, 'resolved', 'jsmith');
    await runPurge(sqlitePurgeStore(f.ingest.db, f.ingest.dir.clips), [purgePhoneRecordings], { nowMs: f.now() + 3_650 * 86_400_000 });
    expect(existsSync(path)).toBe(false);
    const after = listDiary(f.ingest.db, REF)[0]!.recording!;
    expect(after).toMatchObject({ sha256: rec.sha256, file: null });
    const items = f.ingest.db.prepare<[], { item: string }>('SELECT item FROM retention_audit_items').all().map((i) => i.item).join('\n');
    expect(items).toContain(rec.sha256);
    const period = { from: f.now() - 86_400_000, to: f.now() + 86_400_000 };
    expect(casePhoneRecordings(f.ingest.db, f.ingest.dir.clips, REF, period)).toEqual([]);
  });
});
