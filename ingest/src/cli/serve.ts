/**
 * `earshot serve [--data-dir ./data] [--config earshot.json] [--mqtt-port 1883] [--http-port 8080]`
 *
 * The whole ingest service in one process: the broker for devices (or, with
 * EARSHOT_BROKER_URL, a consumer of an external one: DESIGN §8), the officer
 * web view and API with /healthz and /readyz, on one data folder. Logs JSON
 * lines (pino) to standard output; EARSHOT_LOG_LEVEL sets the level (default info). Ctrl-C / SIGTERM
 * stop it cleanly: connections closed, a last tree head signed.
 */
import { join } from 'node:path';
import { acquireProcessLock, parseCommand } from '@earshot/shared';
import { type Logger, pino } from 'pino';
import { z } from 'zod';
import { resolveDataDir } from '../data-dir.ts';
import { bundleExporter, createBundleExporter } from '../export/index.ts';
import { exportCaseBundleOnPostgres } from '../export/export-on-postgres.ts';
import { clipFilesTable, clipsFolder } from '../http/clip-store.ts';
import { linkKeyOf } from '../http/signed-url.ts';
import { postgresJobStore } from '../storage/postgres/export-jobs.ts';
import { postgresDeviceAdmin } from '../storage/postgres/device-admin.ts';
import { embeddedRecord } from '../storage/record/embedded-record.ts';
import { createHttpApp } from '../http/index.ts';
import { readiness } from '../http/health.ts';
import { ALL_MIGRATIONS } from '../service/migrations.ts';
import { loadSettings, publicMqttUrl, type Settings } from '../service/settings.ts';
import { type PostgresTarget, storeFromSettings } from '../storage/store-url.ts';
import { servePostgres } from '../service/serve-postgres.ts';
import { clipFilesKeeper, clipsFolderKeeper } from '../resident/intake.ts';
import { serve } from '../service/serve.ts';
import { accessPortFor, createUsers } from '../users/index.ts';
import type { Command, Io } from './context.ts';

/** The lock file in the data folder while `earshot serve` runs (shared/src/process-lock/). */
export const SERVE_LOCK_FILE = 'serve.lock';

export const serveCommand: Command = async (args, io) => {
  const a = parseCommand(args, { 'data-dir': { type: 'string' }, config: { type: 'string' }, 'mqtt-port': { type: 'string' }, 'http-port': { type: 'string' } }, z.object({
    positionals: z.array(z.string()).max(0), 'data-dir': z.string().optional(), config: z.string().optional(),
    'mqtt-port': z.coerce.number().int().min(0).max(65_535).optional(), 'http-port': z.coerce.number().int().min(0).max(65_535).optional(),
  }));
  const settings = loadSettings(a.config);
  // DESIGN §8: the store from EARSHOT_STORE_URL or the config's "store.url" (the variable wins).
  const store = storeFromSettings(settings.store?.url, a.config);
  if (a['mqtt-port'] !== undefined) settings.mqtt.port = a['mqtt-port'];
  if (a['http-port'] !== undefined) settings.http.port = a['http-port'];
  const logger = pino({ level: process.env['EARSHOT_LOG_LEVEL'] ?? 'info', base: { service: 'earshot' } });
  const dataDir = resolveDataDir(a['data-dir']);
  const running = store.kind === 'postgres' ? await startOnPostgres(dataDir, store, settings, logger, io) : await startOnSqlite(dataDir, settings, logger, io);
  // The handlers stay until the stop is done: a second signal must not cut the shutdown short.
  let stopping = false;
  let resolveStop = (): void => undefined;
  const stopped = new Promise<void>((resolve) => {
    resolveStop = resolve;
  });
  const onSignal = (signal: string): void => {
    io.err(stopping ? `earshot: ${signal}: already stopping` : `earshot: ${signal}: stopping`);
    if (stopping) return;
    stopping = true;
    resolveStop();
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  await stopped;
  try {
    await running.stop();
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  io.err('earshot: stopped');
  return 0;
};

interface Running {
  stop(): Promise<void>;
}

/** The embedded store: the whole service, the officer web view included, on one data folder. */
async function startOnSqlite(dataDir: string, settings: Settings, logger: Logger, io: Io): Promise<Running> {
  // One service per data folder: a second one would share the broker's device identities and the evidence log's
  // appends. Other commands (case, deploy, device…) keep working beside it: SQLite serialises their writes.
  const lock = acquireProcessLock(join(dataDir, SERVE_LOCK_FILE), { what: `the data folder ${dataDir}` });
  try {
    const service = await serve({ dataDir, settings, logger });
    const { ingest } = service;
    const { app } = await createHttpApp({
      // Case changes from the browser and the resident's diary entries (issues 12, 13) write through the same context as the CLI.
      record: embeddedRecord(ingest.cases, accessPortFor(ingest.log)),
      users: createUsers(ingest.db),
      exportBundle: createBundleExporter(ingest, { outDir: join(ingest.dir.root, 'bundles'), rules: settings.rules, lowFrequency: settings.lowFrequency }),
      clips: clipsFolder(ingest.dir.clips),
      urlKey: linkKeyOf(ingest.serverKey.privateKey),
      resident: { keep: clipsFolderKeeper(ingest.dir.clips) },
      // Issue 12: device administration from the browser, and a deployment's config published at once.
      registry: ingest.registry,
      provisioning: { server: publicMqttUrl(settings), serverPublicKeyPem: ingest.serverKey.publicKeyPem },
      onDeploymentsChanged: () => void service.syncConfigs(),
      // /readyz (http/health.ts): the store, its schema, the broker.
      readiness: readiness({ db: ingest.db, migrations: ALL_MIGRATIONS.map((m) => m.name), broker: () => service.link.ready() }),
      logger: logger.child({ part: 'http' }),
    });
    await app.listen({ host: settings.http.host, port: settings.http.port });
    const httpPort = (app.server.address() as { port: number }).port;
    io.err(`earshot: ingest service running — devices: ${devicesAt(settings, service.broker === null, service.mqttPort)}, officers: http://${settings.http.host}:${httpPort}/ (data in ${ingest.dir.root}${service.broker === null ? '; external broker' : ''})`);
    return {
      async stop() {
        try {
          await app.close();
          await service.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/**
 * PostgreSQL (DESIGN §8): an ingest process of a fleet. Several may share the store, so there is no lock on the
 * data folder, which holds only the server key here; the run-once jobs are leases in the database.
 */
async function startOnPostgres(dataDir: string, target: PostgresTarget, settings: Settings, logger: Logger, io: Io): Promise<Running> {
  const service = await servePostgres({ dataDir, target, settings, logger });
  try {
    // The officer web view and API, and the resident's page, read and change the record through its port: any
    // number of processes on one store answer alike (sessions and links are in the store, clips in clip_files).
    const { app } = await createHttpApp({
      record: service.record,
      users: createUsers(service.record),
      exportBundle: bundleExporter((caseRef, request, o) => exportCaseBundleOnPostgres({ pool: service.pool, key: service.serverKey }, caseRef, request, o), {
        outDir: join(dataDir, 'bundles'), rules: settings.rules, lowFrequency: settings.lowFrequency,
      }),
      jobStore: postgresJobStore(service.pool),
      clips: clipFilesTable(service.record),
      urlKey: linkKeyOf(service.serverKey.privateKey),
      resident: { keep: clipFilesKeeper(Date.now) },
      // Issue 12 on this store: the browser lists the devices and adds, disables and enables them (with their broker accounts).
      registry: service.registry,
      devices: postgresDeviceAdmin(service.pool, service.registry, service.link.accounts ?? null),
      provisioning: { server: publicMqttUrl(settings), serverPublicKeyPem: service.serverKey.publicKeyPem },
      readiness: () => ({ store: service.probe.store(), migrations: service.probe.migrations(), broker: service.link.ready() }),
      logger: logger.child({ part: 'http' }),
    });
    await app.listen({ host: settings.http.host, port: settings.http.port });
    const httpPort = (app.server.address() as { port: number }).port;
    io.err(`earshot: ingest service running on ${target.display} — devices: ${devicesAt(settings, service.broker === null, service.mqttPort)}, officers: http://${settings.http.host}:${httpPort}/`);
    return {
      async stop() {
        await app.close();
        await service.close();
      },
    };
  } catch (e) {
    await service.close();
    throw e;
  }
}

function devicesAt(settings: Settings, external: boolean, port: number): string {
  return external ? settings.mqtt.brokerUrl! : `mqtt${settings.mqtt.tlsCertFile === undefined ? '' : 's'}://${settings.mqtt.host}:${port}`;
}
