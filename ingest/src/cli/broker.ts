/**
 * `earshot broker config mosquitto --port N --out DIR [--host ADDR] [--plugin PATH] [--user NAME] [--force]`
 * (DESIGN §8): writes DIR/mosquitto.conf, DIR/dynamic-security.json (the
 * accounts and topic rights, broker-config/mosquitto.ts) and
 * DIR/ingest-account.json (the ingest's broker account, 0600), so that
 * `mosquitto -c DIR/mosquitto.conf` is a broker whose device identities Earshot
 * manages. An existing configuration is not replaced without --force: its
 * dynamic-security.json holds the device accounts.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { EarshotError, parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { DEBIAN_PLUGIN_PATHS, dynsecConfig, INGEST_USERNAME, mosquittoConf } from '../broker-config/mosquitto.ts';
import type { Command } from './context.ts';

const Args = z.object({
  positionals: z.tuple([z.literal('mosquitto', { message: 'earshot broker config takes mosquitto (the broker configured here)' })], { message: 'earshot broker config mosquitto --port N --out DIR' }),
  port: z.coerce.number().int().min(1).max(65_535),
  out: z.string().min(1),
  host: z.string().min(1).optional(),
  plugin: z.string().min(1).optional(),
  user: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'a system user name').optional(),
  force: z.boolean().default(false),
});

const config: Command = (args, io) => {
  const a = parseCommand(args, { port: { type: 'string' }, out: { type: 'string' }, host: { type: 'string' }, plugin: { type: 'string' }, user: { type: 'string' }, force: { type: 'boolean' } }, Args);
  const dir = resolve(a.out);
  const files = { conf: join(dir, 'mosquitto.conf'), dynsec: join(dir, 'dynamic-security.json'), account: join(dir, 'ingest-account.json') };
  if (!a.force && Object.values(files).some((f) => existsSync(f))) {
    throw new EarshotError('EARSHOT_E_USAGE', `${dir} already holds a broker configuration (its dynamic-security.json has the device accounts); --force replaces it`);
  }
  const pluginPath = a.plugin ?? DEBIAN_PLUGIN_PATHS.find((p) => existsSync(p)) ?? DEBIAN_PLUGIN_PATHS[0]!;
  if (a.plugin !== undefined && !existsSync(a.plugin)) throw new EarshotError('EARSHOT_E_FILE_UNREADABLE', `--plugin ${a.plugin}: no such file`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // 32 random bytes, as device secrets: shown to nobody, read by `earshot serve` from the file.
  const password = randomBytes(32).toString('base64url');
  const host = a.host ?? '127.0.0.1';
  writeFileSync(files.dynsec, `${JSON.stringify(dynsecConfig(password), null, 2)}\n`, { mode: 0o600 });
  chmodSync(files.dynsec, 0o600);
  writeFileSync(files.account, `${JSON.stringify({ url: `mqtt://${host}:${a.port}`, username: INGEST_USERNAME, password, accounts: 'mosquitto-dynamic-security' })}\n`, { mode: 0o600 });
  chmodSync(files.account, 0o600);
  writeFileSync(files.conf, mosquittoConf({ port: a.port, user: a.user ?? userInfo().username, ...(a.host === undefined ? {} : { host: a.host }), dir, pluginPath }));
  io.out(`wrote ${files.conf}, ${files.dynsec} and ${files.account} (the ingest's broker account, mode 0600)`);
  if (!existsSync(pluginPath)) io.out(`note: ${pluginPath} is not on this machine; install Debian's mosquitto package there, or give --plugin PATH`);
  io.out(`run: mosquitto -c ${files.conf}   (it runs as the user that wrote these files, or --user: the plugin saves account changes into dynamic-security.json)`);
  io.out(`then: EARSHOT_BROKER_URL=mqtt://${host}:${a.port} EARSHOT_BROKER_ACCOUNT=${files.account} earshot serve   (and the same two variables for earshot device add/disable/enable)`);
  return 0;
};

export const brokerCommands: Record<string, Command> = { config };
