/**
 * PUBLISH from a device. aedes calls authorizePublish before it writes the
 * PUBACK (node_modules/aedes/lib/handlers/publish.js: publishActions =
 * [authorizePublish, enqueuePublish]; enqueuePublish writes the PubAck for
 * QoS 1), so the message goes through the pipeline here and the callback runs
 * only once it is committed: acknowledged means stored (DESIGN §4).
 * - stored, duplicate or quarantined → callback(null): the PUBACK follows.
 * - a topic the device may not publish on → quarantined, then callback(error):
 *   aedes closes the connection; MQTT 3.1.1 has no refusal to send [MQTT-3.3.5-2].
 * - the transaction failed (nothing stored) → callback(error): no PUBACK, the
 *   device sends it again after reconnecting.
 */
import type { Client, PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { GroupCommit } from './group-commit.ts';
import { type BucketOptions, TokenBucket } from './rate-limit.ts';

export function createAuthorizePublish(commit: GroupCommit, rate: BucketOptions, logger: Logger) {
  // One bucket per device that has connected (only authenticated devices get here), kept
  // across reconnects so a reconnect does not buy a fresh burst.
  const buckets = new Map<string, TokenBucket>();
  return {
    handler(client: Client | null, packet: PublishPacket, done: (error?: Error | null) => void): void {
      if (client === null) return done(new Error('no client'));
      const now = Date.now();
      let bucket = buckets.get(client.id);
      if (bucket === undefined) {
        bucket = new TokenBucket(rate, now);
        buckets.set(client.id, bucket);
      }
      const msg = { topic: packet.topic, payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload), clientId: client.id, receivedAt: now };
      const run = (): void => commit.push(msg, (outcome) => {
        if (outcome === null) return done(new Error('not stored'));
        if (outcome.status === 'quarantined' && outcome.code === 'EARSHOT_E_PUBLISH_FORBIDDEN') {
          logger.warn({ clientId: client.id, topic: packet.topic, code: outcome.code }, 'publish refused; connection closed');
          return done(new Error(outcome.detail));
        }
        // Device messages are stored here, never kept as retained broker state.
        packet.retain = false;
        done(null);
      });
      const wait = bucket.take(now);
      if (wait === 0) run();
      else setTimeout(run, wait);
    },
  };
}
