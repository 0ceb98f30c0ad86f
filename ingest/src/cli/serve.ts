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
import { pino } from 'pino';
import { z } from 'zod';
import { resolveDataDir } from '../data-dir.ts';
import { createBundleExporter } from '../export/index.ts';
import { createHttpApp } from '../http/index.ts';
import { readiness } from '../http/health.ts';
import { ALL_MIGRATIONS } from '../service/migrations.ts';
import { loadSettings, publicMqttUrl } from '../service/settings.ts';
import { refuseUnsupported } from '../storage/command-support.ts';
import { STORE_URL_ENV, storeFromSettings } from '../storage/store-url.ts';
import { serve } from '../service/serve.ts';
import { createTimelineService } from '../timeline/index.ts';
import { accessPortFor, createUsers } from '../users/index.ts';
import type { Command } from './context.ts';

/** The lock file in the data folder while `earshot serve` runs (shared/src/process-lock/). */
export const SERVE_LOCK_FILE = 'serve.lock';

export const serveCommand: Command = async (args, io) => {
  const a = parseCommand(args, { 'data-dir': { type: 'string' }, config: { type: 'string' }, 'mqtt-port': { type: 'string' }, 'http-port': { type: 'string' } }, z.object({
    positionals: z.array(z.string()).max(0), 'data-dir': z.string().optional(), config: z.string().optional(),
    'mqtt-port': z.coerce.number().int().min(0).max(65_535).optional(), 'http-port': z.coerce.number().int().min(0).max(65_535).optional(),
  }));
  const settings = loadSettings(a.config);
  // DESIGN §8: the config may name the store too; until serve runs on PostgreSQL it refuses one rather than start half-connected.
  refuseUnsupported('serve', undefined, storeFromSettings(settings.store?.url, a.config), `unset ${STORE_URL_ENV} and remove "store.url" from ${a.config ?? 'the config'}`);
  if (a['mqtt-port'] !== undefined) settings.mqtt.port = a['mqtt-port'];
  if (a['http-port'] !== undefined) settings.http.port = a['http-port'];
  const logger = pino({ level: process.env['EARSHOT_LOG_LEVEL'] ?? 'info', base: { service: 'earshot' } });
  const dataDir = resolveDataDir(a['data-dir']);
  // One service per data folder: a second one would share the broker's device identities and the evidence log's
  // appends. Other commands (case, deploy, device…) keep working beside it: SQLite serialises their writes.
  const lock = acquireProcessLock(join(dataDir, SERVE_LOCK_FILE), { what: `the data folder ${dataDir}` });
  const service = await serve({ dataDir, settings, logger });
  const { ingest } = service;
  const { app } = await createHttpApp({
    db: ingest.db,
    users: createUsers(ingest.db),
    timeline: createTimelineService(ingest.db),
    exportBundle: createBundleExporter(ingest, { outDir: join(ingest.dir.root, 'bundles'), rules: settings.rules, lowFrequency: settings.lowFrequency }),
    evidence: accessPortFor(ingest.log),
    clipsDir: ingest.dir.clips,
    // Case changes from the browser and the resident's diary entries (issues 12, 13) write through the same context as the CLI.
    cases: ingest.cases,
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
  const devices = service.broker === null ? settings.mqtt.brokerUrl! : `mqtt${settings.mqtt.tlsCertFile === undefined ? '' : 's'}://${settings.mqtt.host}:${service.mqttPort}`;
  io.err(`earshot: ingest service running — devices: ${devices}, officers: http://${settings.http.host}:${httpPort}/ (data in ${ingest.dir.root}${service.broker === null ? '; external broker' : ''})`);

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
    await app.close();
    await service.close();
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    lock.release();
  }
  io.err('earshot: stopped');
  return 0;
};
