/**
 * The Broadcast Wave Format `bext` chunk (EBU Tech 3285 v2, 2011, §2.3),
 * written by the monitor into every clip before the `data` chunk, so the clip
 * itself says when it starts and how it was calibrated — and the SHA-256 the
 * monitor signs covers both. Fields (fixed-size ASCII, NUL-padded; integers
 * little-endian):
 *
 * | field | bytes | Earshot writes |
 * |---|---|---|
 * | Description | 256 | `Earshot clip; fullScaleDb=<dB>; start=<ISO 8601 UTC>; clip=<id>; event=<id>` (DESIGN §2 calibration) |
 * | Originator | 32 | `Earshot` |
 * | OriginatorReference | 32 | the clip id (its first 32 characters) |
 * | OriginationDate | 10 | `yyyy-mm-dd`, UTC, of the first sample |
 * | OriginationTime | 8 | `hh:mm:ss`, UTC, of the first sample |
 * | TimeReference | 8 | first sample's count since UTC midnight of that date (uint64 as low, high uint32) |
 * | Version | 2 | 1 (no loudness values: those bytes stay reserved, zero) |
 * | UMID | 64 | zero (none) |
 * | Reserved | 190 | zero |
 * | CodingHistory | rest | `A=PCM,F=<rate>,W=<bits>,M=mono,T=Earshot monitor clip\r\n` (EBU R 98) |
 *
 * Readers that do not know `bext` skip it (RIFF: unknown chunks are skipped by
 * their size), as this repository's reader does (wav-header.ts).
 */

/** Fixed part of the chunk body (EBU Tech 3285 §2.3): 602 bytes before CodingHistory. */
export const BEXT_FIXED_BYTES = 602;
const DESCRIPTION = 256;
const ORIGINATOR = 32;
const ORIGINATOR_REF = 32;
const DATE = 10;
const TIME = 8;
const DAY_MS = 86_400_000;

export interface BextInfo {
  /** DESIGN §2 calibration the clip's samples were measured with. */
  readonly fullScaleDb: number;
  /** The first sample's time, epoch ms UTC. */
  readonly startedAtMs: number;
  readonly clipId: string;
  readonly eventId: string;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly encoding: 'int' | 'float';
}

/** What a `bext` chunk holds, as read back. */
export interface BextFields {
  readonly description: string;
  readonly originator: string;
  readonly originatorReference: string;
  readonly originationDate: string;
  readonly originationTime: string;
  /** Samples since midnight (of OriginationDate) of the first sample. */
  readonly timeReference: bigint;
  readonly version: number;
  readonly codingHistory: string;
  /** Parsed from an Earshot Description; null for other writers' files. */
  readonly fullScaleDb: number | null;
  readonly start: string | null;
}

function ascii(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

/** The chunk's body (without the 8-byte chunk header); even-length (a NUL ends CodingHistory where needed), so no pad byte follows. */
export function encodeBext(info: BextInfo): Buffer {
  const start = new Date(Math.round(info.startedAtMs));
  const iso = start.toISOString();
  const description = ascii(`Earshot clip; fullScaleDb=${info.fullScaleDb.toFixed(2)}; start=${iso}; clip=${info.clipId}; event=${info.eventId}`).slice(0, DESCRIPTION);
  // EBU R 98: one line per coding step, ended by CR LF.
  const history = `A=PCM,F=${info.sampleRate},W=${info.bitsPerSample},M=mono,T=Earshot monitor clip${info.encoding === 'float' ? ' (IEEE float)' : ''}\r\n`;
  const size = BEXT_FIXED_BYTES + history.length;
  const b = Buffer.alloc(size + (size & 1));
  let p = 0;
  const field = (text: string, bytes: number): void => {
    b.write(text.slice(0, bytes), p, 'latin1');
    p += bytes;
  };
  field(description, DESCRIPTION);
  field('Earshot', ORIGINATOR);
  field(ascii(info.clipId), ORIGINATOR_REF);
  field(iso.slice(0, 10), DATE);
  field(iso.slice(11, 19), TIME);
  // EBU Tech 3285: TimeReference counts samples since midnight; the first sample's (UTC).
  const sinceMidnight = BigInt(Math.round(((start.getTime() % DAY_MS) / 1000) * info.sampleRate));
  b.writeBigUInt64LE(sinceMidnight, p);
  p += 8;
  b.writeUInt16LE(1, p);
  p += 2;
  // UMID (64) and Reserved (190) stay zero.
  p += 64 + 190;
  b.write(history, p, 'latin1');
  return b;
}

const text = (b: Buffer, from: number, bytes: number): string => {
  const s = b.toString('latin1', from, Math.min(b.length, from + bytes));
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
};

/** Reads a `bext` chunk body; null when it is shorter than the fixed part. */
export function parseBext(body: Buffer): BextFields | null {
  if (body.length < BEXT_FIXED_BYTES) return null;
  const description = text(body, 0, DESCRIPTION);
  const fs = /fullScaleDb=(-?\d+(?:\.\d+)?)/.exec(description);
  const st = /start=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)/.exec(description);
  return {
    description,
    originator: text(body, 256, ORIGINATOR),
    originatorReference: text(body, 288, ORIGINATOR_REF),
    originationDate: text(body, 320, DATE),
    originationTime: text(body, 330, TIME),
    timeReference: body.readBigUInt64LE(338),
    version: body.readUInt16LE(346),
    codingHistory: text(body, BEXT_FIXED_BYTES, body.length - BEXT_FIXED_BYTES),
    fullScaleDb: fs === null ? null : Number(fs[1]),
    start: st === null ? null : st[1]!,
  };
}
