/** Issue 11 item 6: `earshot verify` bounds what it reads from a crafted ZIP (zip bombs, huge or countless entries). */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { readBundleZip } from '../../src/bundle/read-zip.ts';

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

async function zipOf(entries: { name: string; bytes: Buffer; compress?: boolean }[]): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'earshot-zipbomb-'));
  const file = join(dir, 'crafted.zip');
  const z = new yazl.ZipFile();
  for (const e of entries) z.addBuffer(e.bytes, e.name, { compress: e.compress ?? true });
  z.end();
  await new Promise<void>((resolve, reject) => z.outputStream.pipe(createWriteStream(file)).once('close', resolve).once('error', reject));
  return file;
}

async function refusal(p: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message?: string };
  }
  return {};
}

const keepEvidence = (name: string): boolean => name.startsWith('evidence/');

describe('bounded ZIP reading', () => {
  it('refuses a kept file that inflates past its bound, before holding it', async () => {
    const file = await zipOf([{ name: 'evidence/leaves.jsonl', bytes: Buffer.alloc(8 * 1024 * 1024) }]);
    const e = await refusal(readBundleZip(file, keepEvidence, { maxKeptBytes: 1024 * 1024 }));
    expect(e.code).toBe('EARSHOT_E_BUNDLE_TOO_LARGE');
    expect(e.message).toContain('evidence/leaves.jsonl');
  });

  it('refuses an entry that inflates far more than real bundle files do (a zip bomb)', async () => {
    const file = await zipOf([{ name: 'data/levels.csv', bytes: Buffer.alloc(8 * 1024 * 1024) }]);
    const e = await refusal(readBundleZip(file, keepEvidence, { maxRatio: 100, ratioFloorBytes: 1024 * 1024 }));
    expect(e.code).toBe('EARSHOT_E_BUNDLE_TOO_LARGE');
    expect(e.message).toMatch(/ratio|inflate/i);
  });

  it('refuses too many entries and too many bytes in all', async () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ name: `exhibits/JS-${i}.wav`, bytes: Buffer.from(`clip ${i}`) }));
    expect((await refusal(readBundleZip(await zipOf(many), keepEvidence, { maxEntries: 10 }))).code).toBe('EARSHOT_E_BUNDLE_TOO_LARGE');
    const big = Array.from({ length: 4 }, (_, i) => ({ name: `exhibits/JS-${i}.wav`, bytes: Buffer.alloc(512 * 1024, i), compress: false }));
    expect((await refusal(readBundleZip(await zipOf(big), keepEvidence, { maxTotalBytes: 1024 * 1024 }))).code).toBe('EARSHOT_E_BUNDLE_TOO_LARGE');
  });

  it('reads an ordinary ZIP within the default bounds', async () => {
    const file = await zipOf([{ name: 'evidence/sth.json', bytes: Buffer.from('{}') }, { name: 'data/levels.csv', bytes: Buffer.from('t,LAeq\n1,35\n') }]);
    const r = await readBundleZip(file, keepEvidence);
    expect(r.entries.map((e) => e.name)).toEqual(['evidence/sth.json', 'data/levels.csv']);
    expect(r.entries[0]!.bytes?.toString()).toBe('{}');
  });
});
