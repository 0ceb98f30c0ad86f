/**
 * `earshot device add <id> [--public-key FILE] [--server URL] [--ca-file PEM] [--config FILE] [--json]`
 * `earshot device list [--json]` · `earshot device disable <id> [--config FILE]` · `earshot device enable <id> [--config FILE]`
 *
 * `add` prints the provisioning details once (the secret is stored only as its
 * keyed hash, devices/secret.ts), as a JSON line `earshot-device provision --details` reads.
 * Each runs on the store EARSHOT_STORE_URL names, SQLite or PostgreSQL
 * (with-devices.ts), with the same output.
 * With an external mosquitto broker whose accounts Earshot keeps (DESIGN §8,
 * EARSHOT_BROKER_URL), add, disable and enable change the device's account
 * there too, before they return (broker-client/device-accounts.ts).
 */
import { readFileSync } from 'node:fs';
import { EarshotError, isEarshotError, type ProvisioningDetails, parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { brokerTarget } from '../broker-client/target.ts';
import { type OpenAccounts, openDeviceAccounts } from '../broker-client/cli-accounts.ts';
import { loadSettings, publicMqttUrl, type Settings } from '../service/settings.ts';
import { type Command, DATA_DIR_OPTION, table } from './context.ts';
import { withDevices } from './with-devices.ts';

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new EarshotError('EARSHOT_E_FILE_UNREADABLE', `${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** The external broker's device accounts when Earshot keeps them, else null; opened before anything is changed. */
async function brokerAccounts(settings: Settings): Promise<OpenAccounts | null> {
  const target = brokerTarget(settings);
  return target?.accounts === 'mosquitto-dynamic-security' ? openDeviceAccounts(target) : null;
}

const Common = { positionals: z.array(z.string()), 'data-dir': z.string().optional(), json: z.boolean().default(false) };

const add: Command = async (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, json: { type: 'boolean' }, 'public-key': { type: 'string' }, config: { type: 'string' }, server: { type: 'string' }, 'ca-file': { type: 'string' } }, z.object({
    ...Common,
    positionals: z.array(z.string()).length(1, 'one device id: earshot device add <id>'),
    'public-key': z.string().optional(),
    config: z.string().optional(),
    server: z.string().optional(),
    'ca-file': z.string().optional(),
  }));
  const settings = loadSettings(a.config);
  const publicKeyPem = a['public-key'] === undefined ? undefined : readText(a['public-key']);
  const caPem = a['ca-file'] === undefined ? undefined : readText(a['ca-file']);
  const broker = await brokerAccounts(settings);
  try {
    broker?.accounts.checkId(a.positionals[0]!);
    return await withDevices(a['data-dir'], async (devices) => {
      const serverPublicKeyPem = await devices.serverPublicKeyPem();
      const p = await devices.add(a.positionals[0]!, publicKeyPem === undefined ? {} : { publicKeyPem });
      try {
        await broker?.accounts.add(p.deviceId, p.secret);
      } catch (e) {
        // No account at the broker: no device either, so that `device add` can simply be run again.
        await devices.undoAdd(p.deviceId, p.createdAt);
        throw e;
      }
      const details: ProvisioningDetails = {
        v: 1, deviceId: p.deviceId, secret: p.secret, server: a.server ?? publicMqttUrl(settings), serverPublicKeyPem,
        ...(caPem === undefined ? {} : { caPem }),
      };
      if (!a.json) {
        io.out(`Device ${p.deviceId} added. Its secret is shown this once: keep the line below for \`earshot-device provision --details FILE\`.`);
        io.out(publicKeyPem === undefined ? 'Its public key will be pinned at its first connection.' : 'Its public key is pinned.');
      }
      io.out(JSON.stringify(details));
      return 0;
    });
  } finally {
    await broker?.close();
  }
};

const list: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, json: { type: 'boolean' } }, z.object({ ...Common, positionals: z.array(z.string()).max(0) }));
  return withDevices(a['data-dir'], async (devices) => {
    const rows = (await devices.list()).map((d) => ({
      device: d.id,
      enabled: d.enabled ? 'yes' : 'DISABLED',
      key: d.publicKeyPem === null ? 'not pinned' : 'pinned',
      added: new Date(d.createdAt).toISOString(),
    }));
    if (a.json) io.out(JSON.stringify(rows));
    else table(io, rows, ['device', 'enabled', 'key', 'added'], 'No devices yet: earshot device add <id>');
    return 0;
  });
};

function toggle(enable: boolean): Command {
  return async (args, io) => {
    const a = parseCommand(args, { ...DATA_DIR_OPTION, config: { type: 'string' } }, z.object({ positionals: z.array(z.string()).length(1, 'one device id'), 'data-dir': z.string().optional(), config: z.string().optional() }));
    const target = brokerTarget(loadSettings(a.config));
    await withDevices(a['data-dir'], async (devices) => {
      const id = a.positionals[0]!;
      await devices.setEnabled(id, enable);
      io.out(enable ? `Device ${id} enabled.` : `Device ${id} disabled: a running service cuts its connection within a second and refuses it from now on.`);
    });
    if (target?.accounts !== 'mosquitto-dynamic-security') return 0;
    // The registry holds the change now; the broker is told at once, and by every running `earshot serve` within a second.
    const id = a.positionals[0]!;
    try {
      const broker = await openDeviceAccounts(target);
      try {
        await broker.accounts.setEnabled(id, enable);
      } finally {
        await broker.close();
      }
    } catch (e) {
      throw new EarshotError(isEarshotError(e) ? e.code : 'EARSHOT_E_BROKER_UNREACHABLE', `${id} is ${enable ? 'enabled' : 'disabled'} in the registry, not yet at the broker (a running earshot serve applies it once it reaches the broker): ${(e as Error).message}`);
    }
    io.out(`The broker's account for ${id} is ${enable ? 'enabled' : 'disabled'}.`);
    return 0;
  };
}

export const deviceCommands: Record<string, Command> = { add, list, disable: toggle(false), enable: toggle(true) };
