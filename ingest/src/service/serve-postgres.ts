/**
 * `earshot serve` on a PostgreSQL store (DESIGN §8, issues 14 and 15): an
 * ingest process of a fleet. Any number of them may share one store and one
 * external broker (EARSHOT_BROKER_URL: each consumes the shared subscription,
 * storing a batch in one PostgreSQL transaction and acknowledging it to the
 * broker only after COMMIT), or one of them may run the embedded broker.
 *
 * What each process runs:
 * - the message pipeline (storage/postgres/ingest-batch/) behind group commit,
 *   one batch in flight at a time, so a device's messages commit in order;
 * - stored receipts (receipts/), their coverage read from the store, since a
 *   device's messages may be stored by different processes;
 * - the device registry, held in memory and kept in step through LISTEN/NOTIFY
 *   (storage/postgres/device-registry.ts), for signature checks and the
 *   embedded broker's CONNECTs;
 * - the assembly of clips whose chunks are all stored but no batch assembled
 *   (storage/postgres/clip-sweep.ts: a crash, or two processes at once);
 * - the officer web view and API, the resident's page, /healthz and /readyz
 *   (http/app.ts, wired by cli/serve.ts), all through the record port.
 * What only the holder of its lease runs (storage/postgres/lease.ts), so once
 * however many processes there are: signed tree heads (`tree-heads`) and the
 * device configs (`config-sync`), the offline-monitor alerts (`offline-alerts`)
 * the retention purge (`retention`) and the sealing of each hour's level and
 * band blocks (`level-blocks`). Each process logs the leases it holds.
 */
import type { RemoteConfig } from '@earshot/shared';
import type { Logger } from 'pino';
import { createLiveAlerter } from '../alerts/alerter.ts';
import { liveAlertFor } from '../alerts/live-alert.ts';
import type { BatchPipeline } from '../broker/group-commit.ts';
import { startBroker, type RunningBroker } from '../broker/server.ts';
import { brokerTarget, type BrokerLink, embeddedLink, startBrokerClient } from '../broker-client/index.ts';
import { POSTGRES_CONNECTIONS } from '../broker-client/target.ts';
import { attachFromRows } from '../cases/attach-rows.ts';
import { createReceipts } from '../receipts/index.ts';
import type { PostgresTarget } from '../storage/store-url.ts';
import { openPostgres } from '../storage/postgres/connect.ts';
import { deploymentsOf } from '../storage/postgres/deployments-of.ts';
import { openPgDeviceRegistry, type PgDeviceRegistry } from '../storage/postgres/device-registry.ts';
import type pg from 'pg';
import type { DeviceRegistry } from '../devices/registry.ts';
import type { ServerKey } from '../evidence/server-key.ts';
import { createPgDeviceConfigs } from '../storage/postgres/device-configs.ts';
import { startPgOfflineWatch } from '../storage/postgres/offline-alerts.ts';
import { postgresRecord } from '../storage/record/postgres-record.ts';
import type { RecordStore } from '../storage/record/steps.ts';
import { postgresEvidenceLog } from '../storage/postgres/evidence-log.ts';
import { createPostgresPipeline } from '../storage/postgres/ingest-batch/postgres-pipeline.ts';
import { type Lease, startLease } from '../storage/postgres/lease.ts';
import { LEASE, type LeaseRole } from '../storage/postgres/advisory-locks.ts';
import { startPgClipSweep } from '../storage/postgres/clip-sweep.ts';
import { createPgLevelsWriter } from '../storage/postgres/levels-writer.ts';
import { pgReceiptCoverage } from '../storage/postgres/receipt-coverage.ts';
import { serverKeyForStore } from '../storage/postgres/server-key-for-store.ts';
import { signTreeHeadIfDue, startPgTreeHeadTimer } from '../storage/postgres/tree-head-timer.ts';
import { type StoreProbe, startStoreProbe } from '../storage/postgres/store-probe.ts';
import { type RetentionJob, startRetentionJob } from '../retention/index.ts';
import { purgeExportJobs } from '../storage/postgres/export-jobs.ts';
import { postgresPurgeStore } from '../storage/postgres/purge-store.ts';
import { retentionSteps } from './retention-steps.ts';
import { startLevelBlockSealer } from '../store/level-blocks/index.ts';
import { postgresBlockSealer } from '../storage/postgres/block-sealer.ts';
import { mqttExposureWarning, type Settings } from './settings.ts';

/** How often device configs are compared with deployments (a deployment made by another process). */
const CONFIG_SYNC_MS = 5_000;
/** Devices looked at between turns of the event loop while syncing configs. */
const CONFIG_SYNC_SLICE = 2_000;
/**
 * Connections of the store's pool: batches commit one at a time, but the receipts' coverage, the config sync and
 * clip reassembly run beside them. The leases hold connections of a pool of their own (lease.ts).
 */
const POOL_CONNECTIONS = 6;

export interface RunningPostgresService {
  /** The embedded broker, or null for a consumer of an external one. */
  readonly broker: RunningBroker | null;
  readonly mqttPort: number;
  readonly link: BrokerLink;
  /** The store's answers for /readyz. */
  readonly probe: StoreProbe;
  /** The record through its port (the officer web view and the resident's page). */
  readonly record: RecordStore;
  /** The store's pool (the web view's bundle exports read their case's snapshot through it). */
  readonly pool: pg.Pool;
  /** The server's signing key (bundles, provisioning details). */
  readonly serverKey: ServerKey;
  /** The devices, kept in step with the store (the web view lists them and waits for its own changes). */
  readonly registry: PgDeviceRegistry;
  close(): Promise<void>;
}

export interface ServePostgresOptions {
  readonly dataDir: string;
  readonly target: PostgresTarget;
  readonly settings: Settings;
  readonly logger: Logger;
}

export async function servePostgres(opts: ServePostgresOptions): Promise<RunningPostgresService> {
  const { settings, logger } = opts;
  // Read first: a bad broker setting stops the service before anything is opened.
  const brokerAt = brokerTarget(settings, POSTGRES_CONNECTIONS);
  // Opens, checks and migrates before anything else: a bad URL, credentials or schema stop the service here (exit 2).
  const pool = await openPostgres(opts.target, { maxConnections: POOL_CONNECTIONS });
  const closers: (() => Promise<void> | void)[] = [() => pool.end()];
  /** A closer that runs once, whether called by close() in its order or by the clean-up of a failed start. */
  const once = (f: () => Promise<void> | void): (() => Promise<void>) => {
    let p: Promise<void> | null = null;
    return () => (p ??= Promise.resolve().then(f));
  };
  const closeAll = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    return await start();
  } catch (e) {
    await closeAll().catch(() => undefined);
    throw e;
  }

  async function start(): Promise<RunningPostgresService> {
    const log = postgresEvidenceLog(pool);
    const serverKey = await serverKeyForStore(pool, opts.target, opts.dataDir);
    const registry = await openPgDeviceRegistry(pool, { logger });
    closers.push(() => registry.close());
    const alerter = createLiveAlerter(settings.alerts, logger);
    closers.push(() => alerter.drain());
    const receipts = createReceipts({ coverage: pgReceiptCoverage(pool), serverKey: serverKey.privateKey, logger });
    const closeReceipts = once(() => receipts.close());
    closers.push(closeReceipts);
    const pipeline = createPostgresPipeline({
      pool,
      pinnedKey: (id) => registry.publicKey(id),
      levels: createPgLevelsWriter(),
      logger,
      // Rare (events and incidents): the case's category is read when one comes, for high-risk live alerts.
      alert: (e) => {
        void deploymentsOf(pool, [e.device]).then((rows) => {
          const live = liveAlertFor(e.device, e.body, attachFromRows(rows, e.device, e.deviceTimeMs), e.receivedAt);
          if (live !== null) alerter.notify(live);
        }).catch((err: unknown) => logger.error({ err, device: e.device }, 'live alert not worked out'));
      },
    });
    // A key pinned by another process releases what this one held for want of it.
    registry.onKeyPinned((id) => pipeline.keyPinned(id));
    closers.push(() => pipeline.idle());
    // Clips left unassembled by a crash, or completed by two processes at once, assembled within a few seconds.
    const clipSweep = startPgClipSweep(pool, { logger });
    const stopClipSweep = once(() => clipSweep.stop());
    closers.push(stopClipSweep);
    const batches: BatchPipeline = {
      prepare: () => false,
      processBatch: async (msgs) => {
        const outcomes = await pipeline.processBatch(msgs);
        receipts.committed(msgs, outcomes);
        return outcomes;
      },
    };

    const exposed = brokerAt === null ? mqttExposureWarning(settings) : null;
    if (exposed !== null) logger.warn({ code: 'EARSHOT_E_MQTT_PLAINTEXT_EXPOSED', host: settings.mqtt.host, port: settings.mqtt.port }, `WARNING: ${exposed}`);
    const broker = brokerAt !== null ? null : await startBroker({ registry, pipeline: batches, logger, host: settings.mqtt.host, port: settings.mqtt.port });
    const link = broker === null
      ? startBrokerClient({ target: brokerAt!, pipeline: batches, registry, logger })
      : embeddedLink(broker, (topic, err) => logger.warn({ topic, err: err.message }, 'stored receipt not published'));
    const closeLink = once(() => link.close());
    closers.push(closeLink);
    receipts.attach(link.publishReceipt);

    // The run-once jobs, each under its lease, on a pool of their own (a held lease keeps its connection).
    const leasePool = await openPostgres(opts.target, { maxConnections: Object.keys(LEASE).length, migrate: false });
    closers.push(() => leasePool.end());
    const leases: Lease[] = [];
    const lease = (role: LeaseRole, onAcquired?: () => void): Lease => {
      const l = startLease(leasePool, { role, logger, ...(onAcquired === undefined ? {} : { onAcquired }) });
      leases.push(l);
      closers.push(() => l.close());
      return l;
    };

    const configs = await createPgDeviceConfigs(pool, { settings });
    let syncing: Promise<void> | null = null;
    /** Every device's config compared with its deployment; the changed ones stored, logged and published. */
    const syncOnce = async (republish: boolean): Promise<void> => {
      const ids = registry.ids();
      for (let i = 0; i < ids.length; i += CONFIG_SYNC_SLICE) {
        const slice = ids.slice(i, i + CONFIG_SYNC_SLICE);
        if (republish) {
          // The lease is new here: the retained configs may be missing from an embedded broker's memory.
          for (const id of slice) {
            const c = configs.current(id);
            if (c !== null) await link.publishConfig(id, Buffer.from(JSON.stringify(c)));
          }
        }
        const due: [string, RemoteConfig][] = [];
        await configs.sweep(slice, Date.now(), (id, c) => due.push([id, c]));
        for (const [id, c] of due) {
          await link.publishConfig(id, Buffer.from(JSON.stringify(c)));
          logger.info({ device: id, version: c.version, audio: c.audio.mode }, 'device config published');
        }
      }
    };
    const syncConfigs = (republish = false): Promise<void> => {
      if (syncing !== null) return syncing;
      syncing = syncOnce(republish).catch((e: unknown) => logger.error({ err: e }, 'device config sync failed')).finally(() => {
        syncing = null;
      });
      return syncing;
    };
    const configLease = lease('config-sync', () => void syncConfigs(true));
    const configTimer = setInterval(() => {
      if (configLease.held()) void syncConfigs();
    }, CONFIG_SYNC_MS);
    closers.push(async () => {
      clearInterval(configTimer);
      await syncing;
    });

    const headSchedule = { intervalMs: settings.treeHeadEveryMinutes * 60_000, maxAgeMs: 86_400_000 };
    const headLease = lease('tree-heads');
    const heads = startPgTreeHeadTimer(log, serverKey, headSchedule, () => headLease.held(), (e) => logger.error({ err: e }, 'signing a tree head failed'));
    closers.push(() => heads.stop());
    // The record (cases, deployments, links, the diary) through its port: the resident's page and the offline watch.
    const record = postgresRecord(pool);
    // A deployed monitor not heard for over an hour: one alert per outage, and one when it is back (issue 12).
    const offlineLease = lease('offline-alerts');
    const offline = startPgOfflineWatch({
      record, alerter, held: () => offlineLease.held(),
      offlineAfterMs: settings.alerts.monitorOfflineMinutes * 60_000,
      onError: (e) => logger.error({ err: e }, 'monitor offline check failed'),
    });
    closers.push(() => offline.stop());
    // The retention purge (retention/, issue 4) by the holder of its lease: at start, daily, and at once on taking the lease over.
    let retention: RetentionJob | null = null;
    const retentionLease = lease('retention', () => void retention?.runNow());
    retention = startRetentionJob(postgresPurgeStore(pool), retentionSteps(purgeExportJobs), {
      policy: settings.retention,
      held: () => retentionLease.held(),
      onReport: (r) => logger.info({ report: r }, 'retention purge ran'),
      onError: (e) => logger.error({ err: e }, 'retention purge failed'),
    });
    const stopRetention = once(() => retention.stop());
    closers.push(stopRetention);
    // Each hour's level and band blocks once it is over (store/level-blocks/), by the holder of their lease.
    const blocksLease = lease('level-blocks');
    const levelBlocks = startLevelBlockSealer(postgresBlockSealer(pool), {
      held: () => blocksLease.held(),
      onError: (e) => logger.error({ err: e }, 'sealing level blocks failed'),
    });
    const stopBlocks = once(() => levelBlocks.stop());
    closers.push(stopBlocks);
    await Promise.all(leases.map((l) => l.ready));

    const probe = startStoreProbe(pool);
    closers.push(() => probe.stop());
    logger.info({ store: opts.target.display, roles: [link.role, 'pipeline', 'receipts'], leases: leases.filter((l) => l.held()).map((l) => l.role), mqttPort: broker?.port ?? null, broker: brokerAt?.url ?? null, devices: registry.ids().length }, 'ingest service running on PostgreSQL');

    let closed: Promise<void> | null = null;
    return {
      broker,
      mqttPort: broker?.port ?? 0,
      link,
      probe,
      record,
      pool,
      serverKey,
      registry,
      close() {
        closed ??= (async () => {
          clearInterval(configTimer);
          heads.stop();
          offline.stop();
          probe.stop();
          await syncing;
          await stopRetention();
          await stopBlocks();
          // What is ready is committed and acknowledged; the rest stays at the broker for another process or the next start.
          await closeLink();
          await pipeline.idle();
          await stopClipSweep();
          await closeReceipts();
          // A last head by the holder at a clean stop: what this process stored is under a signed head.
          if (headLease.held()) await signTreeHeadIfDue(log, serverKey, { maxAgeMs: headSchedule.maxAgeMs, force: true }).catch((e: unknown) => logger.error({ err: e }, 'signing the last tree head failed'));
          await closeAll();
        })();
        return closed;
      },
    };
  }
}
