/**
 * Time to drain a 72 h outage backlog (259 200 1 s records in 25 920 levels
 * batches) from the outbox to a local aedes broker over TCP, with the uplink's
 * default window, once the broker is reachable again. The backlog is written
 * first (fsync per batch, as live). Run: npx tsx bench/outbox-drain.ts
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { Outbox } from '../firmware/src/outbox/index.ts';
import { Uplink } from '../firmware/src/uplink/index.ts';
import { batch } from '../firmware/test/outbox/helpers.ts';

/** 0.01 dB values, as the engine writes them (a realistic JSON size). */
const levelOf = (s: number): number => 35 + ((s * 7919) % 3000) / 100;

const HOURS = 72;
const MESSAGES = (HOURS * 3600) / 10;

const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-drain-'));
const { privateKey } = generateKeyPairSync('ed25519');
const outbox = Outbox.open({ dir, deviceId: 'bench-device', privateKey });
let t0 = process.hrtime.bigint();
for (let i = 0; i < MESSAGES; i++) outbox.enqueue('levels', batch(i * 10, 10, levelOf));
const fillS = Number(process.hrtime.bigint() - t0) / 1e9;
const journalMiB = outbox.stats().journalBytes / 1048576;

let stored = 0;
const broker = await Aedes.createBroker({
  authorizePublish: (client, _packet, done) => {
    if (client !== null) stored++;
    done(null);
  },
});
const server = createServer((s) => broker.handle(s));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const { port } = server.address() as AddressInfo;

t0 = process.hrtime.bigint();
const uplink = new Uplink({ url: `mqtt://127.0.0.1:${port}`, deviceId: 'bench-device', secret: 'x', outbox });
uplink.start();
await new Promise<void>((resolve) => {
  const check = setInterval(() => {
    if (outbox.stats().depth === 0 && uplink.status().inFlight === 0) {
      clearInterval(check);
      resolve();
    }
  }, 20);
});
const drainS = Number(process.hrtime.bigint() - t0) / 1e9;
await uplink.stop();
outbox.close();
await new Promise<void>((r) => broker.close(() => r()));
await new Promise<void>((r) => server.close(() => r()));
rmSync(dir, { recursive: true, force: true });

console.log(
  `outbox ${HOURS} h backlog (${MESSAGES} batches, ${MESSAGES * 10} records, ${journalMiB.toFixed(1)} MiB journal): written in ${fillS.toFixed(1)} s; ` +
  `drained to a local broker in ${drainS.toFixed(1)} s (${(MESSAGES / drainS).toFixed(0)} messages/s, ${stored} stored)`,
);
