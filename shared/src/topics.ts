/**
 * MQTT topics between a device and the ingest service (DESIGN §4).
 * Every topic starts earshot/v1/<deviceId>/; the broker authorises a device only
 * under its own id.
 */

/** DESIGN §4: device ids are [a-z0-9-]{3,64}. */
export const DEVICE_ID_PATTERN = /^[a-z0-9-]{3,64}$/;
/** Clip ids travel inside topics, so they keep to the same safe alphabet. */
export const CLIP_ID_PATTERN = /^[a-z0-9-]{3,64}$/;

export const TOPIC_ROOT = 'earshot/v1';

export type SignedKind = 'levels' | 'event' | 'clip' | 'status';
export const SIGNED_KINDS: readonly SignedKind[] = ['levels', 'event', 'clip', 'status'];

export const topics = {
  levels: (id: string): string => `${TOPIC_ROOT}/${id}/levels`,
  event: (id: string): string => `${TOPIC_ROOT}/${id}/event`,
  clip: (id: string): string => `${TOPIC_ROOT}/${id}/clip`,
  clipChunk: (id: string, clipId: string, n: number): string => `${TOPIC_ROOT}/${id}/clip/${clipId}/${n}`,
  status: (id: string): string => `${TOPIC_ROOT}/${id}/status`,
  config: (id: string): string => `${TOPIC_ROOT}/${id}/config`,
  /** Retained, QoS 1, ingest → device: the signed stored receipt (DESIGN §4, receipt.ts). */
  receipt: (id: string): string => `${TOPIC_ROOT}/${id}/receipt`,
  /** Every device topic of one device, for subscriptions on the ingest side. */
  allOf: (id: string): string => `${TOPIC_ROOT}/${id}/#`,
};

export type ParsedTopic =
  | { kind: SignedKind; deviceId: string }
  | { kind: 'clip-chunk'; deviceId: string; clipId: string; chunk: number }
  | { kind: 'config'; deviceId: string };

/** Reads a topic; `null` when it is not an Earshot topic of the exact shapes above. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length < 4 || parts[0] !== 'earshot' || parts[1] !== 'v1') return null;
  const deviceId = parts[2]!;
  if (!DEVICE_ID_PATTERN.test(deviceId)) return null;
  const kind = parts[3]!;
  if (parts.length === 4) {
    if (kind === 'config') return { kind: 'config', deviceId };
    return (SIGNED_KINDS as readonly string[]).includes(kind) ? { kind: kind as SignedKind, deviceId } : null;
  }
  if (parts.length === 6 && kind === 'clip') {
    const clipId = parts[4]!;
    const n = parts[5]!;
    if (!CLIP_ID_PATTERN.test(clipId) || !/^(0|[1-9]\d{0,5})$/.test(n)) return null;
    return { kind: 'clip-chunk', deviceId, clipId, chunk: Number(n) };
  }
  return null;
}
