/** A real mqtt client speaking as a device: MQTT 3.1.1, clean session false, QoS 1 (DESIGN §4). */
import mqtt, { type MqttClient } from 'mqtt';

export function connectDevice(port: number, id: string, secret: string, extra: { username?: string; clientId?: string } = {}): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: extra.clientId ?? id,
    username: extra.username ?? id,
    password: secret,
    protocolVersion: 4,
    clean: false,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
  });
}

/** Resolves when the connection closes. */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve();
    client.once('close', () => resolve());
  });
}

/** Publishes at QoS 1; resolves at the PUBACK. */
export function publish1(client: MqttClient, topic: string, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) => client.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
}
