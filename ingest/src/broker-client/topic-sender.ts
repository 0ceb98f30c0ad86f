/**
 * Who sent a message the shared subscription delivered (external broker mode,
 * DESIGN §8). The broker authenticated the sender, not this process, so the
 * device is read from the topic: the broker configuration Earshot writes
 * (broker-config/mosquitto.ts) lets a device publish only under
 * earshot/v1/<its id>/ on levels, event, clip, clip/+/+ and status — the
 * embedded broker's rights (broker/authorize-publish.ts, pipeline/topic-rule.ts).
 *
 * - A topic of one of those shapes: sent by the device it names, which then
 *   goes to the pipeline as its client id. Contents a device may still get
 *   wrong (a bad clip id or chunk number) are the pipeline's to quarantine.
 * - `…/config` and `…/receipt`: the ingest's own publishes (ingest → device,
 *   DESIGN §4), which a broker may hand back to the shared subscription; not
 *   device messages, so not for the pipeline.
 * - Anything else no device could have sent there: it goes to the pipeline with
 *   no client id, which quarantines it (EARSHOT_E_TOPIC_INVALID) under no device
 *   — it is kept, and blamed on no monitor.
 * Pure.
 */
import { DEVICE_ID_PATTERN, TOPIC_ROOT } from '@earshot/shared';

/** The ingest's own topics (config, receipt): acknowledged and left alone. */
export const INGEST_TOPIC: unique symbol = Symbol('the ingest’s own topic');

const PREFIX = `${TOPIC_ROOT}/`;
const DEVICE_KINDS = new Set(['levels', 'event', 'clip', 'status']);

/** The device that may have sent on `topic`, null when none may have, INGEST_TOPIC for config and receipt. */
export function senderOf(topic: string): string | null | typeof INGEST_TOPIC {
  if (!topic.startsWith(PREFIX)) return null;
  const parts = topic.slice(PREFIX.length).split('/');
  const id = parts[0]!;
  if (!DEVICE_ID_PATTERN.test(id)) return null;
  const kind = parts[1];
  if (parts.length === 2 && (kind === 'config' || kind === 'receipt')) return INGEST_TOPIC;
  if (parts.length === 2 && DEVICE_KINDS.has(kind!)) return id;
  // clip/+/+ : MQTT's + matches one whole, possibly empty, level [MQTT-4.7.1-3].
  if (parts.length === 4 && kind === 'clip') return id;
  return null;
}
