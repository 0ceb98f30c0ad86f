/**
 * Retained messages looked up by topic, not by scanning (issue 19: readmission).
 *
 * aedes' memory persistence answers every SUBSCRIBE by testing each retained
 * message against the filter (aedes-persistence asyncPersistence.js,
 * retainedMessagesByPattern), and the ingest keeps one retained config per
 * device: 10,000 monitors subscribing to their own config topic after a restart
 * cost 10,000 × 10,000 topic matches, minutes of one core. A filter without
 * wildcards names one topic (MQTT 3.1.1 §4.7.1), so it is one Map lookup here;
 * a filter with wildcards is still matched against every retained topic.
 */
import { Readable } from 'node:stream';

interface RetainedPacket {
  topic: string;
  payload: Buffer | string;
}

/** The part of aedes' persistence this replaces (aedes lib/handlers/subscribe.js, aedes.js storeRetained). */
interface RetainedPersistence {
  storeRetained(packet: RetainedPacket): Promise<void>;
  createRetainedStream(pattern: string): Readable;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

/** MQTT 3.1.1 §4.7.1: `+` one level, `#` the rest (and the parent); §4.7.2 [MQTT-4.7.2-1]: a wildcard first level never matches a `$` topic. */
export function topicMatches(filter: string, topic: string): boolean {
  if ((filter.startsWith('+') || filter.startsWith('#')) && topic.startsWith('$')) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

const hasWildcard = (filter: string): boolean => filter.includes('+') || filter.includes('#');

function* matching(retained: ReadonlyMap<string, RetainedPacket>, patterns: readonly string[]): Generator<RetainedPacket> {
  for (const p of patterns) {
    if (!hasWildcard(p)) {
      const one = retained.get(p);
      if (one !== undefined) yield one;
      continue;
    }
    for (const [topic, packet] of retained) if (topicMatches(p, topic)) yield packet;
  }
}

/** Replaces the retained-message methods of a running aedes' persistence with an indexed copy (before anything is retained). */
export function indexRetained(persistence: unknown): void {
  const p = persistence as RetainedPersistence;
  const retained = new Map<string, RetainedPacket>();
  p.storeRetained = async (packet) => {
    // As aedes-persistence does: a copy, and an empty payload clears the topic (MQTT 3.1.1 §3.3.1.3 [MQTT-3.3.1-10]).
    if (packet.payload.length === 0) retained.delete(packet.topic);
    else retained.set(packet.topic, { ...packet });
  };
  p.createRetainedStream = (pattern) => Readable.from(matching(retained, [pattern]));
  p.createRetainedStreamCombi = (patterns) => Readable.from(matching(retained, patterns));
}
