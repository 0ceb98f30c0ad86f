/**
 * A device in its own process: publishes one message at QoS 1 and, the moment
 * its PUBACK arrives, counts the rows of a table through its own read-only
 * connection to the database; prints the count. Args: port id secret topic
 * payload-base64 db-file table.
 */
import Database from 'better-sqlite3';
import mqtt from 'mqtt';

const [port, id, secret, topic, payloadB64, dbFile, table] = process.argv.slice(2) as [string, string, string, string, string, string, string];
const db = new Database(dbFile, { readonly: true });
const count = db.prepare(`SELECT count(*) AS n FROM ${table}`);
const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: id, username: id, password: secret, protocolVersion: 4, clean: false, reconnectPeriod: 0 });
client.publish(topic, Buffer.from(payloadB64, 'base64'), { qos: 1 }, (err) => {
  const rows = (count.get() as { n: number }).n;
  process.stdout.write(`${JSON.stringify({ err: err?.message ?? null, rows })}\n`);
  client.end(true, () => process.exit(0));
});
