/**
 * A device may subscribe only to its own config topic (issue 4) and its own
 * stored-receipt topic (DESIGN §4); anything else is refused and logged.
 */
import type { Client, Subscription } from 'aedes';
import { topics } from '@earshot/shared';
import type { Logger } from 'pino';

export function createAuthorizeSubscribe(logger: Logger) {
  return (client: Client, sub: Subscription, done: (error: Error | null, subscription?: Subscription | null) => void): void => {
    if (sub.topic === topics.config(client.id) || sub.topic === topics.receipt(client.id)) return done(null, sub);
    logger.warn({ clientId: client.id, topic: sub.topic, code: 'EARSHOT_E_SUBSCRIBE_FORBIDDEN' }, 'subscribe refused');
    // A null subscription makes aedes answer SUBACK failure 0x80 for it [MQTT-3.9.3-2] and keep the connection.
    done(null, null);
  };
}
