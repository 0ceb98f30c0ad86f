/** Issue 11 item 6: `earshot verify` bounds what it reads from a crafted ZIP (zip bombs, huge or countless entries). */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it('reads a deflated entry whole, and names one that inflates to more or fewer bytes than it declares', async () => {
    const text = Buffer.from(Array.from({ length: 60_000 }, (_, i) => `2026-10-01T12:00:${String(i % 60).padStart(2, '0')}Z,${(30 + (i % 97) / 10).toFixed(1)}\r\n`).join(''));
    const file = await zipOf([{ name: 'data/levels.csv', bytes: text }]);
    const whole = await readBundleZip(file, () => true);
    expect(whole.entries[0]!.bytes!.equals(text)).toBe(true);
    expect(whole.entries[0]!.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    // The central directory's uncompressed size (offset 24 of its record) told one byte short, then one long.
    const zip = readFileSync(file);
    const cd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    for (const [delta, said] of [[-1, /too many bytes/], [1, /too few bytes/]] as const) {
      const lying = Buffer.from(zip);
      lying.writeUInt32LE(text.length + delta, cd + 24);
      writeFileSync(file, lying);
      const r = await readBundleZip(file, () => false);
      expect(r.entries[0]!.sha256).toBeNull();
      expect(r.entries[0]!.readError).toMatch(said);
    }
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
