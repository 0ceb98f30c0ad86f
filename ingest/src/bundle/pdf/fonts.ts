/**
 * The fonts bundle.pdf is set in, embedded in the file: DejaVu Sans Condensed, Condensed Bold
 * and Sans Mono (TrueType, from the dejavu-fonts-ttf package; Bitstream Vera
 * licence, redistribution allowed). The PDF's standard 14 fonts would not be
 * embedded, which PDF/A forbids (ISO 19005-2:2011 §6.2.11.4.1: every font used
 * for rendering shall be embedded), and their WinAnsi encoding cannot show much
 * of what residents write. pdfkit embeds a subset of each with a ToUnicode map,
 * so the text stays searchable and copyable.
 */
import { createRequire } from 'node:module';
import type { Doc } from './layout.ts';

const require = createRequire(import.meta.url);

/** Names the sections use with doc.font(); registered by registerFonts. */
export const FONT = { regular: 'DejaVuSansCondensed', bold: 'DejaVuSansCondensed-Bold', mono: 'DejaVuSansMono' } as const;

/** The TrueType file of each font, resolved from the installed package (no system font needed). */
export const FONT_FILES: Readonly<Record<keyof typeof FONT, string>> = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansCondensed.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansCondensed-Bold.ttf'),
  mono: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf'),
};

export function registerFonts(doc: Doc): void {
  for (const key of Object.keys(FONT) as (keyof typeof FONT)[]) doc.registerFont(FONT[key], FONT_FILES[key]);
  doc.font(FONT.regular);
}
