/**
 * Level records stored per second (issue 4): the SQLite store alone, with the
 * levels table keyed time-first (as shipped) and device-first, each with one
 * transaction per 10-record message and with group commit; then the full
 * path: real broker, real mqtt clients over TCP, signed envelopes, QoS 1,
 * verify → validate → dedupe → store, PUBACK after commit.
 * Then (issue 16) the levels store on both stores, side by side: every
 * migration (rollups, bands, level blocks), 600 messages of 10 records from 10
 * monitors interleaved, 50 messages a transaction, with and without 31 bands a
 * record — SQLite's writer (WAL, synchronous=FULL) and PostgreSQL's
 * (storage/postgres/levels-writer.ts) on a server started by
 * test/support/postgres.ts with fsync on — and, on PostgreSQL, the records
 * insert alone with and without timeline-001's per-record rollup trigger
 * (what pg-timeline-002 replaced).
 * Each variant runs in its own process. Run: npx tsx bench/ingest-levels.ts
 * (only the two stores: npx tsx bench/ingest-levels.ts stores; EARSHOT_BENCH_MESSAGES, default 600)
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LevelRecord, type LevelsBody, signEnvelope, topics } from '@earshot/shared';
import mqtt from 'mqtt';
import pg from 'pg';
import { pino } from 'pino';
import { startPostgres } from '../test/support/postgres.ts';
import { startBroker } from '../ingest/src/broker/server.ts';
import { openDatabase } from '../ingest/src/db/open.ts';
import { devicesMigrations } from '../ingest/src/devices/migrations.ts';
import { createDeviceRegistry } from '../ingest/src/devices/registry.ts';
import { createPipeline } from '../ingest/src/pipeline/pipeline.ts';
import { createLevelsWriter } from '../ingest/src/store/levels.ts';
import { storeMigrations } from '../ingest/src/store/migrations.ts';
import { ALL_MIGRATIONS } from '../ingest/src/service/migrations.ts';
import { openPostgres } from '../ingest/src/storage/postgres/connect.ts';
import { type LevelsItem, createPgLevelsWriter } from '../ingest/src/storage/postgres/levels-writer.ts';
import { levelColumns } from '../ingest/src/storage/postgres/levels-columns.ts';
import { migratePostgres } from '../ingest/src/storage/postgres/migrate.ts';
import { numberArray, textArray } from '../ingest/src/storage/postgres/pg-array-literals.ts';
import { PG_MIGRATIONS } from '../ingest/src/storage/postgres/schema/index.ts';
import { type PostgresTarget, parseStoreUrl } from '../ingest/src/storage/store-url.ts';

const RECORDS = 10; // DESIGN §4: 1 s records batched per 10 s
const T0 = Date.parse('2026-11-01T00:00:00.000Z');

function batch(start: number): LevelsBody {
  const records = [];
  for (let i = 0; i < RECORDS; i++) records.push({ t: new Date(start + i * 1000).toISOString(), d: 1, LAeq: 40 + (i % 7), LCeq: 50.2, LZeq: 55.1, LAFmax: 47.3, LAFmin: 38.9, LASmax: 44.4, LCpeak: 70.5 });
  return { fullScaleDb: 120, records };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'earshot-bench-'));
}

/** Store alone: `devices` devices interleaved, `rounds` messages each, `perTx` messages per transaction. */
function storeAlone(keyOrder: 't-first' | 'device-first', perTx: number, devices: number, rounds: number): number {
  const dir = tempDir();
  const rekey = keyOrder === 'device-first'
    ? [{ name: 'bench-rekey', sql: 'DROP TABLE levels; CREATE TABLE levels (t INTEGER NOT NULL, device TEXT NOT NULL, d REAL NOT NULL, laeq REAL, lceq REAL, lzeq REAL, lafmax REAL, lafmin REAL, lasmax REAL, lcpeak REAL, clipped INTEGER, silent INTEGER NOT NULL, n INTEGER, full_scale_db REAL NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (device, t)) STRICT, WITHOUT ROWID' }]
    : [];
  const db = openDatabase(join(dir, 'earshot.db'), [...storeMigrations, ...rekey]);
  const w = createLevelsWriter(db);
  const ids = Array.from({ length: devices }, (_, i) => `device-${String(i).padStart(5, '0')}`);
  const bodies = Array.from({ length: rounds }, (_, r) => batch(T0 + r * RECORDS * 1000));
  const tx = db.transaction((r: number, from: number, to: number) => {
    for (let d = from; d < to; d++) w.write(ids[d]!, r, bodies[r]!);
  });
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) for (let d = 0; d < devices; d += perTx) tx(r, d, Math.min(devices, d + perTx));
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return (devices * rounds * RECORDS) / seconds;
}

/** Full path over TCP: `devices` clients, each publishing `messages` signed level batches at QoS 1 with up to `inflight` un-acked. */
async function fullPipeline(devices: number, messages: number, inflight: number): Promise<{ perSecond: number; p99Ms: number }> {
  const dir = tempDir();
  const db = openDatabase(join(dir, 'earshot.db'), [...storeMigrations, ...devicesMigrations]);
  const registry = createDeviceRegistry(db);
  const logger = pino({ level: 'silent' });
  const pipeline = createPipeline({ db, dataDir: dir, pinnedKey: (id) => registry.publicKey(id), attacher: { attach: () => ({ caseRef: null }) }, log: { append: () => ({ leafIndex: 0 }) }, alert: () => undefined, logger });
  const broker = await startBroker({ registry, pipeline, logger, port: 0, rate: { burst: 1e9, perSecond: 1e9 } });
  const payloads: Buffer[][] = [];
  const secrets: string[] = [];
  for (let d = 0; d < devices; d++) {
    const id = `device-${String(d).padStart(5, '0')}`;
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    secrets.push(registry.add(id, { publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() }).secret);
    payloads.push(Array.from({ length: messages }, (_, s) => signEnvelope({ v: 1, device: id, seq: s, sentAt: new Date().toISOString(), type: 'levels', body: batch(T0 + s * RECORDS * 1000) }, privateKey)));
  }
  const clients = await Promise.all(payloads.map((_, d) => mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: `device-${String(d).padStart(5, '0')}`, username: `device-${String(d).padStart(5, '0')}`, password: secrets[d]!, protocolVersion: 4, clean: false, reconnectPeriod: 0 })));
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(clients.map((c, d) => new Promise<void>((resolve, reject) => {
    let sent = 0;
    let acked = 0;
    const topic = topics.levels(c.options.clientId!);
    const next = (): void => {
      const at = performance.now();
      c.publish(topic, payloads[d]![sent++]!, { qos: 1 }, (err) => {
        if (err) return reject(err);
        latencies.push(performance.now() - at);
        if (++acked === messages) return resolve();
        if (sent < messages) next();
      });
    };
    for (let i = 0; i < Math.min(inflight, messages); i++) next();
  })));
  const seconds = (performance.now() - t0) / 1000;
  const stored = (db.prepare('SELECT count(*) AS n FROM levels').get() as { n: number }).n;
  if (stored !== devices * messages * RECORDS) throw new Error(`stored ${stored} of ${devices * messages * RECORDS} records`);
  await Promise.all(clients.map((c) => c.endAsync()));
  await broker.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return { perSecond: stored / seconds, p99Ms: latencies[Math.floor(latencies.length * 0.99)]! };
}

// Issue 16: the levels store on both stores.
const STORE_MESSAGES = Number(process.env['EARSHOT_BENCH_MESSAGES'] ?? 600);
const STORE_MONITORS = 10;
const STORE_PER_TX = 50; // as the broker's group commit batches messages under load
const STORE_RUNS = 5; // each on a fresh database after one warm-up run; the median is printed
const PG_FSYNC = process.env['EARSHOT_BENCH_PG_FSYNC'] !== 'off';
const BANDS = 31; // a 24 kHz monitor: 10 Hz – 10 kHz
const levelsStoreVariants = ['levels-store:sqlite:off', 'levels-store:sqlite:on', 'levels-store:postgres:off', 'levels-store:postgres:on', 'levels-store:postgres-insert-only:off', 'levels-store:postgres-row-trigger:off'] as const;

function storeRecord(t: number, i: number, bands: boolean): LevelRecord {
  const l = 30 + ((i * 7919) % 300) / 10;
  const r: LevelRecord = { t: new Date(t).toISOString(), d: 1, LAeq: l, LCeq: l + 8, LZeq: l + 12, LAFmax: l + 6, LAFmin: l - 4, LASmax: l + 3, LCpeak: l + 30 };
  if (bands) r.Z3 = { f0: '10', dB10: Array.from({ length: BANDS }, (_, k) => 350 - k * 6 + ((i * 31 + k * 17) % 120)) };
  return r;
}

/** `run` 0 is the warm-up; each run's messages start where the last run's ended (every record new). */
function storeTransactions(run: number, bands: boolean): LevelsItem[][] {
  const perMonitor = STORE_MESSAGES / STORE_MONITORS;
  const items: LevelsItem[] = [];
  for (let m = 0; m < perMonitor; m++) {
    for (let d = 0; d < STORE_MONITORS; d++) {
      const seq = run * perMonitor + m;
      const t = T0 + seq * RECORDS * 1000;
      items.push({ device: `monitor-${String(d).padStart(3, '0')}`, seq, body: { fullScaleDb: 120, records: Array.from({ length: RECORDS }, (_, k) => storeRecord(t + k * 1000, seq * RECORDS + k, bands)) } });
    }
  }
  const txs: LevelsItem[][] = [];
  for (let i = 0; i < items.length; i += STORE_PER_TX) txs.push(items.slice(i, i + STORE_PER_TX));
  return txs;
}

/** The records alone, as the writer's first statement inserts them (no bands, rollups or blocks). */
const INSERT_LEVELS = `INSERT INTO levels (t, device, d, laeq, lceq, lzeq, lafmax, lafmin, lasmax, lcpeak, clipped, silent, n, full_scale_db, seq)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[],
                     $9::float8[], $10::float8[], $11::bigint[], $12::bigint[], $13::bigint[], $14::float8[], $15::bigint[])
ON CONFLICT DO NOTHING`;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function levelsStoreRun(variant: string): Promise<number> {
  const [, store, bandsFlag] = variant.split(':') as [string, string, string];
  const bands = bandsFlag === 'on';
  const rates: number[] = [];
  if (store === 'sqlite') {
    for (let run = 0; run <= STORE_RUNS; run++) {
      const dir = tempDir();
      const db = openDatabase(join(dir, 'earshot.db'), ALL_MIGRATIONS);
      const w = createLevelsWriter(db);
      const tx = db.transaction((items: LevelsItem[]) => {
        for (const m of items) w.write(m.device, m.seq, m.body);
      });
      for (const items of storeTransactions(0, bands)) tx(items); // warm-up, into the same database
      const txs = storeTransactions(1, bands);
      const t0 = performance.now();
      for (const items of txs) tx(items);
      if (run > 0) rates.push((STORE_MESSAGES * RECORDS) / ((performance.now() - t0) / 1000));
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return median(rates);
  }
  // EARSHOT_BENCH_PG_FSYNC=off: a diagnosis only (how much of PostgreSQL's time is its commit's fsync), never a figure to quote.
  const server = await startPostgres({ fsync: PG_FSYNC });
  try {
    for (let run = 0; run <= STORE_RUNS; run++) {
      const target = parseStoreUrl(await server.createDatabase(`bench${run}`)) as PostgresTarget;
      let pool: pg.Pool;
      if (store === 'postgres-row-trigger') {
        // The schema before pg-timeline-002: timeline-001's trigger keeps the rollups, four upserts per record.
        const c = new pg.Client({ connectionString: target.url });
        await c.connect();
        await migratePostgres(c, { apply: true, migrations: PG_MIGRATIONS.filter((m) => m.name !== 'pg-timeline-002-rollups-per-batch') });
        await c.end();
        pool = new pg.Pool({ connectionString: target.url, max: 1 });
        pool.on('error', () => undefined); // the server's shutdown at the end, as openPostgres's pools ignore it
      } else {
        pool = await openPostgres(target, { maxConnections: 1 });
      }
      const c = await pool.connect();
      const w = createPgLevelsWriter();
      const write = async (items: LevelsItem[]): Promise<void> => {
        await c.query('BEGIN');
        if (store === 'postgres') {
          await w.write(c, items);
        } else {
          // The records alone (the writer's first statement), with or without the per-record trigger.
          const l = levelColumns(items);
          await c.query({ name: 'bench_levels_insert', text: INSERT_LEVELS, values: [numberArray(l.t), textArray(l.device), numberArray(l.d), numberArray(l.laeq), numberArray(l.lceq), numberArray(l.lzeq), numberArray(l.lafmax), numberArray(l.lafmin), numberArray(l.lasmax), numberArray(l.lcpeak), numberArray(l.clipped), numberArray(l.silent), numberArray(l.n), numberArray(l.fullScaleDb), numberArray(l.seq)] });
        }
        await c.query('COMMIT');
      };
      for (const items of storeTransactions(0, bands)) await write(items);
      const txs = storeTransactions(1, bands);
      const t0 = performance.now();
      for (const items of txs) await write(items);
      if (run > 0) rates.push((STORE_MESSAGES * RECORDS) / ((performance.now() - t0) / 1000));
      const n = (await c.query<{ n: string }>('SELECT count(*) AS n FROM levels')).rows[0]!.n;
      if (Number(n) !== 2 * STORE_MESSAGES * RECORDS) throw new Error(`stored ${n} of ${2 * STORE_MESSAGES * RECORDS} records`);
      c.release();
      await pool.end();
    }
  } finally {
    await server.stop();
  }
  return median(rates);
}

function printLevelsStores(figures: ReadonlyMap<string, number>): void {
  const f = (v: string): number => figures.get(v)!;
  const line = (label: string, lite: number, post: number): string => `  ${label.padEnd(10)} ${fmt(lite).padStart(9)} ${fmt(post).padStart(11)}   ${(lite / post).toFixed(2)}×`;
  console.log(`levels store, both stores: ${STORE_MESSAGES} messages of ${RECORDS} records (${STORE_MONITORS} monitors interleaved), ${STORE_PER_TX} messages a transaction, every migration, durable commits (SQLite synchronous=FULL; PostgreSQL fsync ${PG_FSYNC ? 'on' : 'OFF (diagnosis only)'}); records/s, median of ${STORE_RUNS}`);
  console.log(`  ${''.padEnd(10)} ${'SQLite'.padStart(9)} ${'PostgreSQL'.padStart(11)}   SQLite/PostgreSQL (goal ≤ 2×)`);
  console.log(line('bands off', f('levels-store:sqlite:off'), f('levels-store:postgres:off')));
  console.log(line(`bands on`, f('levels-store:sqlite:on'), f('levels-store:postgres:on')));
  console.log(`  PostgreSQL, the records insert alone (no rollups, bands or blocks): ${fmt(f('levels-store:postgres-insert-only:off'))} records/s; with pg-timeline-001's per-record rollup trigger: ${fmt(f('levels-store:postgres-row-trigger:off'))} records/s`);
}

const variant = process.argv[2];
const fmt = (n: number): string => Math.round(n).toLocaleString('en-GB');
if (variant === undefined || variant === 'stores') {
  if (variant === undefined) {
    for (const v of ['store:t-first:1', 'store:device-first:1', 'store:t-first:200', 'store:device-first:200', 'pipeline']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), v], { stdio: 'inherit' });
      if (r.status !== 0) process.exit(1);
    }
  }
  // Issue 16: each store variant in its own process; its figure comes back as one JSON line.
  const figures = new Map<string, number>();
  for (const v of levelsStoreVariants) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), v], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    if (r.status !== 0) process.exit(1);
    figures.set(v, (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { recordsPerSecond: number }).recordsPerSecond);
  }
  printLevelsStores(figures);
} else if (variant.startsWith('levels-store:')) {
  console.log(JSON.stringify({ recordsPerSecond: await levelsStoreRun(variant) }));
} else if (variant === 'pipeline') {
  const devices = 50;
  const messages = 100;
  const r = await fullPipeline(devices, messages, 10);
  console.log(`ingest levels, full path (broker + ${devices} mqtt clients over TCP, signed, QoS 1, PUBACK after commit): ${fmt(r.perSecond)} records/s (${fmt(r.perSecond / RECORDS)} messages/s), p99 publish→PUBACK ${r.p99Ms.toFixed(1)} ms`);
} else {
  const [, order, perTx] = variant.split(':') as [string, 't-first' | 'device-first', string];
  const n = Number(perTx);
  // One message per transaction is bounded by fsync (synchronous=FULL): fewer rounds keep it short.
  // The disk is shared (fsync times vary): the median of three runs, each on a fresh database.
  const runs = [0, 1, 2].map(() => storeAlone(order, n, 2_000, n === 1 ? 2 : 60)).sort((a, b) => a - b);
  console.log(`ingest levels, store alone, key ${order === 't-first' ? '(t, device)' : '(device, t)'}, ${n} message(s) of ${RECORDS} records per transaction, 2 000 devices interleaved: ${fmt(runs[1]!)} records/s (median of 3; range ${fmt(runs[0]!)}–${fmt(runs[2]!)})`);
}
