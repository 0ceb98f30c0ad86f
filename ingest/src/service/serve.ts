/**
 * `earshot serve`: the whole ingest service in one process (issue 4) — the
 * embedded broker (or a consumer of an external one, DESIGN §8:
 * broker-client/) and message pipeline, signed tree heads, device configs,
 * live alerts, retention, the optional InfluxDB mirror, and the officer HTTP
 * side — on one data folder. Stops cleanly on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RemoteConfig } from '@earshot/shared';
import type { Logger } from 'pino';
import { createLiveAlerter } from '../alerts/alerter.ts';
import { liveAlertFor } from '../alerts/live-alert.ts';
import { startOfflineWatch } from '../alerts/offline-watch.ts';
import { startBroker, type RunningBroker } from '../broker/server.ts';
import { brokerTarget, type BrokerLink, embeddedLink, startBrokerClient } from '../broker-client/index.ts';
import { startTreeHeadTimer } from '../evidence/index.ts';
import { createPipeline } from '../pipeline/pipeline.ts';
import { createReceipts, sqliteReceiptCoverage } from '../receipts/index.ts';
import { prepareWorkerCount } from '../pipeline/workers/worker-count.ts';
import { purgeBundleFiles, sqlitePurgeStore, startRetentionJob } from '../retention/index.ts';
import { createInfluxLevelSink, type InfluxLevelSink } from '../sinks/influx.ts';
import { influxTargetFromEnv } from '../sinks/influx-config.ts';
import { removeStaleTemporaries } from '../store/clip-file.ts';
import { startClipAssemblyRetry } from '../store/clip-retry.ts';
import { createBlockSealer, startLevelBlockSealer } from '../store/level-blocks/index.ts';
import { createDeviceConfigs } from './device-config.ts';
import { type Ingest, openIngest } from './open-ingest.ts';
import { retentionSteps } from './retention-steps.ts';
import { mqttExposureWarning, type Settings } from './settings.ts';

/** How often device configs are compared with deployments (a deployment started from another process). */
const CONFIG_SYNC_MS = 5_000;
/** Devices looked at between turns of the event loop while syncing configs. */
const CONFIG_SYNC_SLICE = 2_000;

export interface RunningService {
  readonly ingest: Ingest;
  /** The embedded broker; null in external broker mode (DESIGN §8: EARSHOT_BROKER_URL). */
  readonly broker: RunningBroker | null;
  /** The embedded broker's port; 0 in external broker mode. */
  readonly mqttPort: number;
  /** The broker as configs and receipts see it, embedded or external. */
  readonly link: BrokerLink;
  /** Publishes changed device configs now (after a deployment change in this process). */
  syncConfigs(): Promise<void>;
  close(): Promise<void>;
}

export interface ServeOptions {
  dataDir: string;
  settings: Settings;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

export async function serve(opts: ServeOptions): Promise<RunningService> {
  const { settings, logger } = opts;
  // Read first: a bad broker setting stops the service before anything is opened.
  const target = brokerTarget(settings);
  const ingest = openIngest(opts.dataDir);
  const alerter = createLiveAlerter(settings.alerts, logger);
  const influxTarget = influxTargetFromEnv(opts.env ?? process.env);
  const influx: InfluxLevelSink | null = influxTarget === null ? null : createInfluxLevelSink(influxTarget);
  if (influxTarget !== null) logger.info({ url: influxTarget.url, bucket: influxTarget.bucket }, 'mirroring levels to InfluxDB');

  // Stored receipts (DESIGN §4): one signed, retained receipt per device after each commit.
  const receipts = createReceipts({ coverage: sqliteReceiptCoverage(ingest.db), serverKey: ingest.serverKey.privateKey, logger });
  const pipeline = createPipeline({
    onCommitted: receipts.committed,
    db: ingest.db,
    dataDir: ingest.dir.root,
    pinnedKey: (id) => ingest.registry.publicKey(id),
    pinnedKeyPem: (id) => ingest.registry.get(id)?.publicKeyPem ?? null,
    pinning: {
      pin: (id, pem) => {
        ingest.registry.pinPublicKey(id, pem);
        logger.info({ device: id }, 'device key pinned at first use');
      },
      forget: (id) => ingest.registry.forgetCachedKey(id),
    },
    attacher: ingest.attacher,
    log: ingest.log,
    alert: (e) => {
      const live = liveAlertFor(e.device, e.body, ingest.attach(e.device, e.deviceTimeMs), e.receivedAt);
      if (live !== null) alerter.notify(live);
    },
    logger,
    // Signature checks, JSON and schema validation on the other cores (issue 19).
    workers: prepareWorkerCount(opts.env ?? process.env),
    ...(influx === null ? {} : { onLevels: (id: string, records: Parameters<InfluxLevelSink['write']>[1]) => influx.write(id, records) }),
  });
  const abandoned = removeStaleTemporaries(ingest.dir.clips);
  if (abandoned.length > 0) logger.info({ files: abandoned }, 'temporary clip files of an interrupted write removed');
  for (const r of pipeline.recoverClips()) logger.info({ device: r.device, clipId: r.clipId, state: r.state, problem: r.problem }, 'clip recovered at start');
  // A clip whose file could not be written (the disk full) is assembled again once there is room (issue 18).
  const clipRetry = startClipAssemblyRetry({ clips: pipeline.clips, clipsDir: ingest.dir.clips, logger });

  const exposed = target === null ? mqttExposureWarning(settings) : null;
  if (exposed !== null) logger.warn({ code: 'EARSHOT_E_MQTT_PLAINTEXT_EXPOSED', host: settings.mqtt.host, port: settings.mqtt.port }, `WARNING: ${exposed}`);
  const broker = target !== null ? null : await startBroker({
    registry: ingest.registry,
    pipeline,
    logger,
    host: settings.mqtt.host,
    port: settings.mqtt.port,
    ...(settings.mqtt.tlsCertFile === undefined || settings.mqtt.tlsKeyFile === undefined
      ? {}
      : { tls: { cert: readFileSync(settings.mqtt.tlsCertFile), key: readFileSync(settings.mqtt.tlsKeyFile) } }),
  });

  const link = broker === null
    ? startBrokerClient({ target: target!, pipeline, registry: ingest.registry, logger })
    : embeddedLink(broker, (topic, err) => logger.warn({ topic, err: err.message }, 'stored receipt not published'));
  receipts.attach(link.publishReceipt);
  // Retained configs live in the broker's memory: publish every device's again, then keep them in step with deployments.
  const configs = createDeviceConfigs(ingest, settings);
  for (const d of ingest.registry.list()) {
    const c = configs.current(d.id);
    if (c !== null) await link.publishConfig(d.id, Buffer.from(JSON.stringify(c)));
  }
  let syncing: Promise<void> | null = null;
  const syncOnce = async (): Promise<void> => {
    const devices = ingest.registry.ids();
    for (let i = 0; i < devices.length; i += CONFIG_SYNC_SLICE) {
      // Let the broker's messages through between slices of a large fleet.
      if (i > 0) await new Promise((r) => setImmediate(r));
      const due: [string, RemoteConfig][] = [];
      configs.sweep(devices.slice(i, i + CONFIG_SYNC_SLICE), Date.now(), (id, c) => due.push([id, c]));
      for (const [id, c] of due) {
        await link.publishConfig(id, Buffer.from(JSON.stringify(c)));
        logger.info({ device: id, version: c.version, audio: c.audio.mode }, 'device config published');
      }
    }
  };
  /** One sync at a time; a call during a sync waits for it. */
  const syncConfigs = (): Promise<void> => {
    if (syncing !== null) return syncing;
    const run = syncOnce().catch((e: unknown) => logger.error({ err: e }, 'device config sync failed'));
    syncing = run.finally(() => {
      syncing = null;
    });
    return syncing;
  };
  await syncConfigs();
  const configTimer = setInterval(() => void syncConfigs(), CONFIG_SYNC_MS);

  const treeHeads = startTreeHeadTimer(
    ingest.log,
    { intervalMs: settings.treeHeadEveryMinutes * 60_000, maxAgeMs: 86_400_000 },
    (e) => logger.error({ err: e }, 'signing a tree head failed'),
  );
  // A deployed monitor not heard for over an hour: one alert per outage, and one when it is back (issue 12).
  const offlineWatch = startOfflineWatch({
    db: ingest.db,
    alerter,
    offlineAfterMs: settings.alerts.monitorOfflineMinutes * 60_000,
    onError: (e) => logger.error({ err: e }, 'monitor offline check failed'),
  });
  const retention = startRetentionJob(sqlitePurgeStore(ingest.db, ingest.dir.clips), retentionSteps(purgeBundleFiles(join(ingest.dir.root, 'bundles'))), {
    policy: settings.retention,
    onReport: (r) => logger.info({ report: r }, 'retention purge ran'),
    onError: (e) => logger.error({ err: e }, 'retention purge failed'),
  });
  // Each hour's level blocks once it is over (store/level-blocks/): what an export reads instead of the 1 s rows.
  const levelBlocks = startLevelBlockSealer(createBlockSealer(ingest.db), { onError: (e) => logger.error({ err: e }, 'sealing level blocks failed') });

  // One process holds every role for now: several on one store need the PostgreSQL store, which serve does not yet run on.
  const roles = [link.role, 'pipeline', 'config-sync', 'tree-heads', 'retention', 'offline-alerts'];
  logger.info({ roles, mqttPort: broker?.port ?? null, broker: target?.url ?? null, dataDir: ingest.dir.root, devices: ingest.registry.list().length, logSize: ingest.log.size }, 'ingest service running');
  let closed: Promise<void> | null = null;
  return {
    ingest,
    broker,
    mqttPort: broker?.port ?? 0,
    link,
    syncConfigs,
    close() {
      closed ??= (async () => {
        clearInterval(configTimer);
        clipRetry.stop();
        treeHeads.stop();
        await retention.stop();
        await levelBlocks.stop();
        offlineWatch.stop();
        await link.close();
        receipts.close();
        await pipeline.close();
        await alerter.drain();
        if (influx !== null) {
          await influx.flush().catch(() => undefined);
          await influx.close();
        }
        if (ingest.log.size > 0) ingest.log.signTreeHead();
        ingest.close();
      })();
      return closed;
    },
  };
}
