import { spawnSync } from 'node:child_process';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { smallCase } from './helpers.ts';
import { pdfBytes, pdfFile, streamText } from './pdf-text.ts';

/** pdffonts' table: one row per font, columns name, type, encoding, emb, sub, uni, object ID. */
function fonts(file: string): { name: string; emb: string; uni: string }[] {
  const out = spawnSync('pdffonts', [file], { encoding: 'utf8' }).stdout.split('\n').slice(2).filter(Boolean);
  return out.map((line) => {
    const cols = line.trim().split(/\s+/);
    // name type… encoding emb sub uni num gen
    return { name: cols[0]!, emb: cols.at(-5)!, uni: cols.at(-3)! };
  });
}

/** Every stream of the PDF, inflated where it is Flate-compressed. */
function streams(pdf: Buffer): string[] {
  const raw = pdf.toString('latin1');
  const out: string[] = [];
  const re = /<<([^]*?)>>\s*stream\r?\n/g;
  for (let m = re.exec(raw); m !== null; m = re.exec(raw)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    const bytes = pdf.subarray(start, end);
    try {
      out.push(m[1]!.includes('FlateDecode') ? inflateSync(bytes).toString('latin1') : bytes.toString('latin1'));
    } catch {
      out.push(bytes.toString('latin1'));
    }
  }
  return out;
}

describe('bundle.pdf fonts and archival form', () => {
  it('embeds every font it uses, with Unicode maps (pdffonts)', async () => {
    const file = pdfFile(await pdfBytes(smallCase().source.model));
    const list = fonts(file);
    expect(list.length).toBeGreaterThanOrEqual(2);
    for (const f of list) {
      expect(f.emb, f.name).toBe('yes');
      expect(f.uni, f.name).toBe('yes');
    }
    expect(list.map((f) => f.name).join(' ')).toMatch(/DejaVuSans/);
  });

  it('declares PDF/A-2b: XMP pdfaid part 2 conformance B and an sRGB OutputIntent', async () => {
    const pdf = await pdfBytes(smallCase().source.model);
    const raw = pdf.toString('latin1');
    expect(raw.startsWith('%PDF-1.7')).toBe(true);
    expect(raw).toMatch(/\/OutputIntents\s*\[/);
    expect(raw).toContain('/GTS_PDFA1');
    const xmp = streams(pdf).find((s) => s.includes('<x:xmpmeta'));
    expect(xmp).toBeDefined();
    expect(xmp).toMatch(/<pdfaid:part>2<\/pdfaid:part>/);
    expect(xmp).toMatch(/<pdfaid:conformance>B<\/pdfaid:conformance>/);
    expect(xmp).toContain('Noise evidence bundle, case ASB-2026-0042');
  });

  it('prints text beyond Latin-1 that people write (diary entries) as written', async () => {
    const c = smallCase();
    const m = c.source.model;
    const diary = [{ ...m.diary[0]!, text: 'Bass “thumping” — again ≥ 3 times; Zoë’s note ✓' }, ...m.diary.slice(1)];
    const text = streamText(await pdfBytes({ ...m, diary }));
    expect(text).toContain('Bass “thumping” — again ≥ 3 times; Zoë’s note ✓');
  });
});
