/**
 * Issue 4 authorisation: a device publishes only under earshot/v1/<its id>/…
 * and never on its config topic (that is ingest → device, DESIGN §4).
 */
import { type ErrorInfo, type ParsedTopic, parseTopic, TOPIC_ROOT, topics } from '@earshot/shared';

/**
 * Null when the client may publish there (an unknown shape under its own id is its garbage: quarantined, not refused).
 * `parsed`: parseTopic(topic), when the caller has it already.
 */
export function publishRefusal(clientId: string | null, topic: string, parsed: ParsedTopic | null = parseTopic(topic)): ErrorInfo | null {
  if (clientId === null) return null;
  // Stored receipts come from the ingest alone (DESIGN §4: ingest → device); parseTopic does not read that topic.
  if (parsed === null && topic === topics.receipt(clientId)) return { code: 'EARSHOT_E_PUBLISH_FORBIDDEN', detail: `${clientId} may not publish on its receipt topic` };
  if (parsed === null) return topic.startsWith(`${TOPIC_ROOT}/${clientId}/`) ? null : { code: 'EARSHOT_E_PUBLISH_FORBIDDEN', detail: `${clientId} may not publish on ${topic}` };
  if (parsed.deviceId !== clientId) return { code: 'EARSHOT_E_PUBLISH_FORBIDDEN', detail: `${clientId} may not publish for ${parsed.deviceId} (${topic})` };
  if (parsed.kind === 'config') return { code: 'EARSHOT_E_PUBLISH_FORBIDDEN', detail: `${clientId} may not publish on its config topic` };
  return null;
}
