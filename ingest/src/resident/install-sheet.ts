/**
 * The install sheet (issue 13, DESIGN §6b `earshot deploy sheet`): one A4 page
 * the installer leaves with the resident — how the monitor works, what its light
 * means, the button, who to call, and the diary link as text and as a QR code.
 * Set in the bundle's embedded DejaVu fonts (bundle/pdf/fonts.ts). The QR code
 * is drawn as vector squares from the `qrcode` package's module matrix, so it
 * prints sharp at any size.
 */
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { FONT, registerFonts } from '../bundle/pdf/fonts.ts';
import type { Doc } from '../bundle/pdf/layout.ts';

export interface InstallSheetInfo {
  readonly url: string;
  readonly caseRef: string;
  readonly deploymentId: number;
  readonly installedAt: string;
  readonly audioMode: 'off' | 'button-only' | 'on-event';
  /** Who to call, as the installer gives it (e.g. "Jo Smith, Housing team, 029 2000 0000"). */
  readonly contact: string | null;
  readonly generatedAt: string;
}

const A4 = { width: 595.28, height: 841.89 } as const; // ISO 216
const M = 48;
const W = A4.width - 2 * M;
const INK = '#111111';
const MUTED = '#444444';
const WARN = '#8a3b00';

const AUDIO_TEXT: Record<InstallSheetInfo['audioMode'], string> = {
  off: 'This monitor keeps no sound recordings at all: only the sound levels.',
  'button-only': 'It keeps a short sound recording only when you press the button.',
  'on-event': 'It keeps a short sound recording only when the noise breaks one of the rules your officer set (for example loud music late at night), or when you press the button. Everything else is levels only, never recorded.',
};

function heading(doc: Doc, text: string): void {
  doc.moveDown(0.6).font(FONT.bold).fontSize(14.5).fillColor(INK).text(text, M, doc.y, { width: W });
  doc.moveDown(0.15);
}

function body(doc: Doc, text: string, width = W, x = M): void {
  doc.font(FONT.regular).fontSize(11.5).fillColor(INK).text(text, x, doc.y, { width, lineGap: 1.5 });
}

function bullets(doc: Doc, items: readonly (readonly [string, string])[]): void {
  for (const [lead, rest] of items) {
    doc.font(FONT.bold).fontSize(11.5).fillColor(INK).text(`• ${lead} `, M, doc.y, { width: W, continued: true, lineGap: 1.5 });
    doc.font(FONT.regular).text(rest, { lineGap: 1.5 });
  }
}

/** Draws `text` as a QR code (ISO/IEC 18004, error correction M: 15 % of it may be damaged) in a square of `size` pt. */
export function drawQr(doc: Doc, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  // ISO/IEC 18004 §6.3.8: a quiet zone of 4 modules on every side.
  const cell = size / (n + 8);
  doc.save().rect(x, y, size, size).fill('#ffffff');
  doc.fillColor('#000000');
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (qr.modules.get(r, c)) doc.rect(x + (c + 4) * cell, y + (r + 4) * cell, cell, cell);
  }
  doc.fill().restore();
}

export function renderInstallSheet(info: InstallSheetInfo): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margins: { top: M, bottom: M, left: M, right: M }, pdfVersion: '1.7', lang: 'en-GB', displayTitle: true, info: { Title: 'Your noise monitor and diary', Creator: 'Earshot' } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  registerFonts(doc);

  doc.font(FONT.bold).fontSize(20).fillColor(INK).text('Your noise monitor and diary', M, M, { width: W });
  doc.font(FONT.regular).fontSize(10).fillColor(MUTED)
    .text(`Case ${info.caseRef} · monitor installed ${info.installedAt.slice(0, 10)} · deployment ${info.deploymentId}`, { width: W });
  doc.font(FONT.regular).fontSize(10).fillColor(MUTED).text('Mae’r dyddiadur ar gael yn Gymraeg hefyd: pwyswch “Cymraeg” ar y dudalen.', { width: W });

  heading(doc, 'How the monitor works');
  body(doc, `The monitor measures how loud it is in this room every second, like a professional sound level meter, and sends the levels to your housing officer. ${AUDIO_TEXT[info.audioMode]} Leave it switched on and where the installer put it.`);

  heading(doc, 'The light');
  bullets(doc, [
    ['Steady:', 'working and measuring.'],
    ['Blinking slowly:', 'not connected at the moment. It keeps measuring and sends everything later; you need do nothing.'],
    ['Blinking fast:', 'something is wrong. Please tell your officer.'],
  ]);

  heading(doc, 'The button');
  body(doc, info.audioMode === 'off'
    ? 'Press it once when the noise is happening. It marks the time for your officer.'
    : 'Press it once when the noise is happening. It marks the time for your officer and keeps a short recording of that moment.');

  heading(doc, 'Your diary on your phone');
  const top = doc.y + 4;
  const qrSize = 170;
  const textW = W - qrSize - 16;
  doc.y = top;
  body(doc, 'Scan the code with your phone’s camera, or type the link below into its web browser. Write down what you hear when you hear it: your entry reaches your officer straight away, with the time you wrote it, and sits beside what the monitor measured.', textW);
  doc.moveDown(0.4);
  body(doc, 'You can add a short recording from your phone. Phone recordings are not calibrated: they support your diary but do not measure the noise.', textW);
  doc.moveDown(0.4);
  body(doc, 'If you lose this sheet, or someone else gets the link, ask your officer for a new one: the old link then stops working.', textW);
  drawQr(doc, info.url, M + W - qrSize, top, qrSize);
  doc.y = Math.max(doc.y, top + qrSize) + 10;

  // The link as text, on one line (shrunk to fit), so it can be typed and so pdftotext finds it whole.
  const size = Math.min(11, (W - 8) / (info.url.length * 0.602)); // DejaVu Sans Mono advance: 0.602 em
  doc.font(FONT.mono).fontSize(size).fillColor(INK).text(info.url, M, doc.y, { width: W, lineBreak: false });
  doc.moveDown(0.8);
  doc.font(FONT.bold).fontSize(10).fillColor(WARN).text('Keep this link private: anyone with it can read and add to your diary (and nothing else).', M, doc.y, { width: W });

  heading(doc, 'Who to call');
  body(doc, info.contact ?? 'Your housing officer, on the number in the letter about your case.');
  body(doc, 'If you feel unsafe or someone is in danger, call 999.');

  doc.font(FONT.regular).fontSize(8).fillColor(MUTED).text(`Printed ${info.generatedAt.slice(0, 16).replace('T', ' ')} UTC by Earshot.`, M, A4.height - M - 10, { width: W, lineBreak: false });
  doc.end();
  return done;
}
