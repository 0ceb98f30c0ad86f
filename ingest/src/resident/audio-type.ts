/**
 * What a phone recording is, judged from its bytes and never from its name or
 * stated type (issue 13). The browser's recorder (MediaRecorder) writes WebM
 * (Chrome, Android), Ogg (Firefox) or MP4 (Safari, iPhone); WAV is taken too.
 * A file with a video track is not a recording of sound and is refused.
 */

export interface AudioType {
  readonly mediaType: 'audio/webm' | 'audio/ogg' | 'audio/mp4' | 'audio/wav';
  /** File extension it is stored under. */
  readonly ext: 'webm' | 'ogg' | 'm4a' | 'wav';
}

/** How far into a file the markers below are looked for (headers come first). */
const HEAD_BYTES = 64 * 1024;

const ascii = (b: Uint8Array, at: number, text: string): boolean => {
  if (at < 0 || at + text.length > b.length) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
};

function indexOfAscii(b: Uint8Array, text: string, from = 0, to = Math.min(b.length, HEAD_BYTES)): number {
  const first = text.charCodeAt(0);
  for (let i = from; i <= to - text.length; i++) if (b[i] === first && ascii(b, i, text)) return i;
  return -1;
}

/** Matroska/WebM (EBML, RFC 8794 §8: magic 0x1A45DFA3; RFC 9559 CodecID "A_…" audio, "V_…" video). */
function webm(b: Uint8Array): boolean {
  if (!(b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3)) return false;
  if (indexOfAscii(b, 'webm', 4, Math.min(b.length, 64)) < 0) return false;
  const audio = ['A_OPUS', 'A_VORBIS', 'A_AAC', 'A_PCM'].some((c) => indexOfAscii(b, c) >= 0);
  const video = ['V_VP8', 'V_VP9', 'V_AV1', 'V_MPEG4', 'V_MPEGH'].some((c) => indexOfAscii(b, c) >= 0);
  return audio && !video;
}

/** Ogg (RFC 3533 §6: capture pattern "OggS") carrying Opus (RFC 7845 §5.1 "OpusHead") or Vorbis ("\x01vorbis"). */
function ogg(b: Uint8Array): boolean {
  if (!ascii(b, 0, 'OggS')) return false;
  const end = Math.min(b.length, 512);
  return indexOfAscii(b, 'OpusHead', 0, end) >= 0 || indexOfAscii(b, 'vorbis', 0, end) >= 0;
}

/** ISO BMFF (ISO/IEC 14496-12 §4.3 "ftyp" box first; §8.4.3 handler "soun" for audio, "vide" for video). */
function mp4(b: Uint8Array): boolean {
  if (!ascii(b, 4, 'ftyp')) return false;
  let sound = false;
  for (let at = indexOfAscii(b, 'hdlr'); at >= 0; at = indexOfAscii(b, 'hdlr', at + 4)) {
    // hdlr: size, 'hdlr', version+flags (4), pre_defined (4), handler_type (4).
    if (ascii(b, at + 12, 'vide')) return false;
    if (ascii(b, at + 12, 'soun')) sound = true;
  }
  return sound;
}

/** RIFF WAVE (Microsoft/IBM RIFF: "RIFF" size "WAVE"). */
function wav(b: Uint8Array): boolean {
  return ascii(b, 0, 'RIFF') && ascii(b, 8, 'WAVE');
}

export function sniffAudio(b: Uint8Array): AudioType | null {
  if (webm(b)) return { mediaType: 'audio/webm', ext: 'webm' };
  if (ogg(b)) return { mediaType: 'audio/ogg', ext: 'ogg' };
  if (mp4(b)) return { mediaType: 'audio/mp4', ext: 'm4a' };
  if (wav(b)) return { mediaType: 'audio/wav', ext: 'wav' };
  return null;
}
