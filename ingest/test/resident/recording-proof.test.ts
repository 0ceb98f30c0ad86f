/**
 * What proves a phone recording exhibit (issue 13): a diary leaf that names its
 * SHA-256 — and nothing else (an annotation or an access record that mentions a
 * hash proves nothing). And the diary link's address from the settings.
 */
import { describe, expect, it } from 'vitest';
import { recordingHashOfLeaf } from '../../src/bundle/exhibit-proof.ts';
import { residentUrl } from '../../src/resident/index.ts';
import { Settings, publicHttpUrl } from '../../src/service/settings.ts';

const sha = 'ab'.repeat(32);
const leaf = (o: unknown): Uint8Array => Buffer.from(JSON.stringify(o), 'utf8');

describe('phone recording proofs', () => {
  it('takes the hash from a diary leaf only', () => {
    const base = { v: 1, recordedAt: '2026-12-01T00:00:00.000Z', caseRef: 'ASB-2026-0001' };
    expect(recordingHashOfLeaf(leaf({ ...base, kind: 'diary', data: { source: 'resident', recording: { sha256: sha, mediaType: 'audio/webm', bytes: 10, calibrated: false } } }))).toBe(sha);
    expect(recordingHashOfLeaf(leaf({ ...base, kind: 'annotation', data: { recording: { sha256: sha } } }))).toBeNull();
    expect(recordingHashOfLeaf(leaf({ ...base, kind: 'diary', data: { source: 'officer' } }))).toBeNull();
    expect(recordingHashOfLeaf(leaf({ ...base, kind: 'diary', data: { recording: { sha256: 'not a hash' } } }))).toBeNull();
    expect(recordingHashOfLeaf(Buffer.from('not json'))).toBeNull();
  });
});

describe('diary link address', () => {
  it('is the public URL when set, else the HTTP listener, with the token in the fragment', () => {
    expect(publicHttpUrl(Settings.parse({ http: { host: '127.0.0.1', port: 8080, publicUrl: 'https://ingest.example.org/' } }))).toBe('https://ingest.example.org');
    expect(publicHttpUrl(Settings.parse({}))).toBe('http://127.0.0.1:8080');
    expect(residentUrl('https://ingest.example.org/earshot/', 'T'.repeat(43))).toBe(`https://ingest.example.org/earshot/r/#${'T'.repeat(43)}`);
    expect(Settings.safeParse({ http: { publicUrl: 'javascript:alert(1)' } }).success).toBe(false);
  });
});
