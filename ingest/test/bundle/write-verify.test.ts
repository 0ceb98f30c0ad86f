import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/cases/csv.ts';
import { type BundleProgress, LEVELS_HEADER, type LevelRow, verifyBundle, writeBundle } from '../../src/bundle/index.ts';
import { flipByte, readZipEntries, rewriteZip, smallCase, tempDir } from './helpers.ts';

const DESIGN_ORDER = [
  'bundle.pdf',
  'exhibits/JS-1.wav',
  'exhibits/JS-2.wav',
  'data/levels.csv',
  'data/events.csv',
  'data/diary.csv',
  'data/nights.csv',
  'evidence/leaves.jsonl',
  'evidence/proofs.json',
  'evidence/sth.json',
  'evidence/sth.sig',
  'evidence/server-public-key.pem',
  'MANIFEST.sha256',
];

async function written() {
  const c = smallCase();
  const progress: BundleProgress[] = [];
  const out = join(c.dir, 'out');
  const bundle = await writeBundle(c.source, { outDir: out, onProgress: (p) => progress.push(p) });
  return { c, bundle, progress, out };
}

describe('writing a court bundle', () => {
  it('writes the DESIGN §6 layout, manifest last, named <caseRef>_<from>_<to>.zip', async () => {
    const { bundle, progress, out } = await written();
    expect(bundle.fileName).toBe('ASB-2026-0042_20260328T120000Z_20260330T120000Z.zip');
    expect(readdirSync(out)).toEqual([bundle.fileName]);
    const entries = await readZipEntries(bundle.path);
    expect(entries.map((e) => e.name)).toEqual(DESIGN_ORDER);
    const manifest = entries.at(-1)!.bytes.toString();
    expect(manifest.split('\n').filter(Boolean)).toHaveLength(DESIGN_ORDER.length - 1);
    expect(manifest).toMatch(/^[0-9a-f]{64} {2}bundle\.pdf\n/);
    // Progress only grows and ends at 1.
    const fractions = progress.map((p) => p.fraction);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
    expect(fractions.at(-1)).toBe(1);
    expect(progress.some((p) => p.file === 'data/levels.csv')).toBe(true);
  });

  it('passes sha256sum -c once unzipped, and earshot verify', async () => {
    const { bundle, c } = await written();
    const report = await verifyBundle(bundle.path);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.filesVerified).toBe(DESIGN_ORDER.length - 1);
    expect(report.provedLeaves).toBe(c.source.model.evidence.leaves.length);
    // The other side's expert, with standard tools (.ci/run installs unzip).
    const dir = tempDir();
    expect(spawnSync('unzip', ['-q', bundle.path, '-d', dir]).status).toBe(0);
    const check = spawnSync('sha256sum', ['-c', 'MANIFEST.sha256'], { cwd: dir, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(check.stdout.trim().split('\n')).toHaveLength(DESIGN_ORDER.length - 1);
  });

  it('writes every 1 s record to levels.csv in UTC and London time (RFC 4180)', async () => {
    const { bundle, c } = await written();
    const entries = await readZipEntries(bundle.path);
    const text = entries.find((e) => e.name === 'data/levels.csv')!.bytes.toString();
    expect(text.endsWith('\r\n')).toBe(true);
    const csv = parseCsv(text);
    if (!csv.ok) throw new Error(csv.problem);
    expect(csv.records[0]!.fields).toEqual([...LEVELS_HEADER]);
    expect(csv.records).toHaveLength(c.source.model.levelCount + 1);
    expect(csv.records[1]!.fields.slice(0, 3)).toEqual(['2026-03-28T12:00:00.000Z', '2026-03-28T12:00:00+00:00', '1']);
    const diary = parseCsv(entries.find((e) => e.name === 'data/diary.csv')!.bytes.toString());
    if (!diary.ok) throw new Error(diary.problem);
    expect(diary.records[1]!.fields[3]).toBe('Loud music again, "bass" through the wall, night 1; couldn\'t sleep');
    const events = parseCsv(entries.find((e) => e.name === 'data/events.csv')!.bytes.toString());
    if (!events.ok) throw new Error(events.problem);
    // 01:30 UTC on 29 March 2026 is 02:30 BST: the clocks went forward at 01:00 UTC.
    const col = (name: string): number => events.records[0]!.fields.indexOf(name);
    const ev2 = events.records.find((r) => r.fields[0] === 'ev-0002')!.fields;
    expect([ev2[col('start_utc')], ev2[col('end_utc')], ev2[col('start_london')]]).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-29T01:32:00.000Z', '2026-03-29T02:30:00+01:00']);
    expect(events.records.find((r) => r.fields[0] === 'ev-0001')!.fields[col('exhibits')]).toBe('JS/1');
  });

  it('numbers exhibits with the initials given as an option', async () => {
    const c = smallCase();
    const bundle = await writeBundle(c.source, { outDir: c.dir, initials: 'AB' });
    expect(bundle.exhibits.map((e) => [e.ref, e.file])).toEqual([
      ['AB/1', 'exhibits/AB-1.wav'],
      ['AB/2', 'exhibits/AB-2.wav'],
    ]);
    await expect(writeBundle(c.source, { outDir: c.dir, initials: 'a/b' })).rejects.toMatchObject({ code: 'EARSHOT_E_BUNDLE_INITIALS_INVALID' });
  });

  it('refuses a clip whose stored file no longer matches its recorded SHA-256, leaving no ZIP', async () => {
    const c = smallCase();
    writeFileSync(c.source.model.exhibits[1]!.path, 'not the clip');
    const out = join(c.dir, 'out');
    await expect(writeBundle(c.source, { outDir: out })).rejects.toMatchObject({ code: 'EARSHOT_E_BUNDLE_CLIP_HASH_MISMATCH' });
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses a missing clip before writing anything', async () => {
    const c = smallCase();
    const model = { ...c.source.model, exhibits: [{ ...c.source.model.exhibits[0]!, path: join(c.dir, 'gone.wav') }] };
    await expect(writeBundle({ ...c.source, model }, { outDir: join(c.dir, 'out') })).rejects.toMatchObject({ code: 'EARSHOT_E_BUNDLE_CLIP_UNREADABLE' });
    expect(existsSync(join(c.dir, 'out'))).toBe(false);
  });

  it('removes the partial ZIP when the level records fail mid-stream', async () => {
    const c = smallCase();
    function* failing(): Generator<LevelRow> {
      let n = 0;
      for (const r of c.source.levelRows() as Iterable<LevelRow>) {
        if (++n === 2000) throw new Error('database went away');
        yield r;
      }
    }
    const out = join(c.dir, 'out');
    await expect(writeBundle({ ...c.source, levelRows: failing }, { outDir: out })).rejects.toMatchObject({ code: 'EARSHOT_E_BUNDLE_WRITE_FAILED', detail: expect.stringContaining('database went away') });
    expect(readdirSync(out)).toEqual([]);
  });

  it('rejects an invalid model with a clear code', async () => {
    const c = smallCase();
    const model = { ...c.source.model, period: { from: c.source.model.period.to, to: c.source.model.period.from } };
    await expect(writeBundle({ ...c.source, model }, { outDir: c.dir })).rejects.toMatchObject({ code: 'EARSHOT_E_BUNDLE_MODEL_INVALID' });
  });
});

describe('earshot verify on a tampered bundle', () => {
  async function tampered(edit: (name: string, bytes: Buffer) => Buffer | null) {
    const { bundle, c } = await written();
    const dst = join(c.dir, 'tampered.zip');
    await rewriteZip(bundle.path, dst, edit);
    return verifyBundle(dst);
  }

  it('names a clip with one byte flipped', async () => {
    const r = await tampered((name, b) => (name === 'exhibits/JS-2.wav' ? flipByte(b, 500) : b));
    expect(r.ok).toBe(false);
    expect(r.failures).toContainEqual(expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_FILE_HASH_MISMATCH', file: 'exhibits/JS-2.wav' }));
    expect(r.failures).toContainEqual(expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_EXHIBIT_UNPROVED', file: 'exhibits/JS-2.wav' }));
    expect(r.failures.every((f) => f.file === 'exhibits/JS-2.wav')).toBe(true);
  });

  it('names levels.csv with one byte flipped', async () => {
    const r = await tampered((name, b) => (name === 'data/levels.csv' ? flipByte(b, 2000) : b));
    expect(r.failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_FILE_HASH_MISMATCH', file: 'data/levels.csv' })]);
  });

  it('names the leaf with one byte flipped', async () => {
    const r = await tampered((name, b) => {
      if (name !== 'evidence/leaves.jsonl') return b;
      const lines = b.toString().split('\n');
      const o = JSON.parse(lines[3]!) as { leafIndex: number; leaf: string };
      lines[3] = JSON.stringify({ ...o, leaf: flipByte(Buffer.from(o.leaf, 'base64'), 20).toString('base64') });
      return Buffer.from(lines.join('\n'));
    });
    expect(r.failures).toContainEqual(expect.objectContaining({ code: 'EARSHOT_E_INCLUSION_PROOF_INVALID', leafIndex: 3 }));
    expect(r.failures).toContainEqual(expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_FILE_HASH_MISMATCH', file: 'evidence/leaves.jsonl' }));
    expect(r.provedLeaves).toBe(r.treeHead!.treeSize - 1);
  });

  it('names the tree head signature with one byte flipped', async () => {
    const r = await tampered((name, b) => (name === 'evidence/sth.sig' ? Buffer.from(`${flipByte(Buffer.from(b.toString().trim(), 'base64'), 7).toString('base64')}\n`) : b));
    expect(r.failures).toContainEqual(expect.objectContaining({ code: 'EARSHOT_E_TREE_HEAD_SIGNATURE_INVALID' }));
    expect(r.failures).toContainEqual(expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_FILE_HASH_MISMATCH', file: 'evidence/sth.sig' }));
    expect(r.treeHead).toBeNull();
  });

  it('catches a substituted clip even when the manifest is rewritten to match', async () => {
    const fake = Buffer.from('RIFF fake clip');
    const r = await tampered((name, b) => {
      if (name === 'exhibits/JS-1.wav') return fake;
      if (name === 'MANIFEST.sha256') return Buffer.from(b.toString().replace(/^[0-9a-f]{64}(?= {2}exhibits\/JS-1\.wav)/m, createHash('sha256').update(fake).digest('hex')));
      return b;
    });
    expect(r.failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_EXHIBIT_UNPROVED', file: 'exhibits/JS-1.wav' })]);
  });

  it('names a missing file and a missing manifest', async () => {
    const dropped = await tampered((name, b) => (name === 'data/diary.csv' ? null : b));
    expect(dropped.failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_FILE_MISSING', file: 'data/diary.csv' })]);
    const noManifest = await tampered((name, b) => (name === 'MANIFEST.sha256' ? null : b));
    expect(noManifest.failures).toEqual([expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_MANIFEST_MALFORMED' })]);
  });

  it('names a file added to the bundle', async () => {
    const { bundle, c } = await written();
    const dst = join(c.dir, 'added.zip');
    const zip = new ZipFile();
    for (const e of await readZipEntries(bundle.path)) zip.addBuffer(e.bytes, e.name);
    zip.addBuffer(Buffer.from('extra'), 'exhibits/JS-9.wav');
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(dst));
    const r = await verifyBundle(dst);
    expect(r.failures).toContainEqual(expect.objectContaining({ code: 'EARSHOT_E_BUNDLE_FILE_UNLISTED', file: 'exhibits/JS-9.wav' }));
  });

  it('reports a file that is not a ZIP as bad input', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.zip'), 'hello');
    await expect(verifyBundle(join(dir, 'x.zip'))).rejects.toMatchObject({ code: 'EARSHOT_E_BUNDLE_NOT_ZIP' });
  });
});
