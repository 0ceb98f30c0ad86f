/**
 * Section 8: the signed tree head and how anyone can check the bundle —
 * `earshot verify`, `sha256sum -c`, or any RFC 6962 tool (DESIGN §5–6).
 */
import { EVIDENCE_FILES } from '../../evidence/index.ts';
import { COLOUR, CONTENT_WIDTH, FONT, MARGIN, SIZE, type SectionContext, keyValues, paragraph, subheading } from './layout.ts';

function mono(ctx: SectionContext, text: string): void {
  const { doc } = ctx;
  doc.font(FONT.mono).fontSize(7.5).fillColor(COLOUR.text).text(text, MARGIN.left + 10, doc.y, { width: CONTENT_WIDTH - 20 });
  doc.x = MARGIN.left;
  doc.moveDown(0.6);
}

export function renderIntegrity(ctx: SectionContext, zipName: string): void {
  const { doc, model } = ctx;
  const ev = model.evidence;
  paragraph(
    doc,
    'Every piece of evidence the server accepted — each event, clip record, diary entry, deployment and calibration record — was entered, as it arrived, in an append-only log. The log is a Merkle tree (RFC 6962, as used by Certificate Transparency): any later change to any entry changes the tree\'s root fingerprint. The server signs the root with its own key; the signed root is called the signed tree head.',
  );
  subheading(doc, 'The signed tree head');
  mono(ctx, ev.sth.bytes.toString('utf8'));
  keyValues(doc, [
    ['Signature (Ed25519)', ev.sth.signature.toString('base64')],
    ['Entries in this bundle', `${ev.leaves.length} log entries, each with its inclusion proof`],
    ['Files', `${EVIDENCE_FILES.sth}, ${EVIDENCE_FILES.sig}, ${EVIDENCE_FILES.leaves}, ${EVIDENCE_FILES.proofs}, ${EVIDENCE_FILES.publicKey}`],
  ]);
  subheading(doc, 'How to verify this bundle');
  paragraph(doc, `1. With Earshot (no server or network needed): run the command below. It checks every file against MANIFEST.sha256, every log entry's proof against the signed tree head, and the signature. It prints each failure, naming the file or entry, and exits with 0 only if everything holds.`);
  mono(ctx, `npx earshot verify ${zipName}`);
  paragraph(doc, '2. The files alone, with standard tools: unzip the bundle and, in its folder, run the command below. Each line must end "OK".');
  mono(ctx, 'sha256sum -c MANIFEST.sha256');
  paragraph(
    doc,
    `3. The log entries, with any RFC 6962 tool: each line of ${EVIDENCE_FILES.leaves} holds an entry's exact bytes (base64). Its leaf hash is SHA-256(0x00 followed by the bytes); with the audit path in ${EVIDENCE_FILES.proofs} (RFC 6962 section 2.1.1, nodes hashed as SHA-256(0x01, left, right)) it must lead to the rootHash above. The signature in ${EVIDENCE_FILES.sig} must verify over the exact bytes of ${EVIDENCE_FILES.sth} under the Ed25519 key in ${EVIDENCE_FILES.publicKey}, whose SHA-256 (DER form) is the logId.`,
  );
  doc.fontSize(SIZE.body);
}
