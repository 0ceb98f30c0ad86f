/**
 * `earshot device add <id> [--public-key FILE] [--server URL] [--ca-file PEM] [--config FILE] [--json]`
 * `earshot device list [--json]` · `earshot device disable <id>` · `earshot device enable <id>`
 *
 * `add` prints the provisioning details once (the secret is stored only as its
 * scrypt hash), as a JSON line `earshot-device provision --details` reads.
 */
import { readFileSync } from 'node:fs';
import { EarshotError, type ProvisioningDetails, parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { loadSettings, publicMqttUrl } from '../service/settings.ts';
import { type Command, DATA_DIR_OPTION, table, withIngest } from './context.ts';

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new EarshotError('EARSHOT_E_FILE_UNREADABLE', `${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

const Common = { positionals: z.array(z.string()), 'data-dir': z.string().optional(), json: z.boolean().default(false) };

const add: Command = (args, io) => {
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
  return withIngest(a['data-dir'], (ingest) => {
    const p = ingest.registry.add(a.positionals[0]!, publicKeyPem === undefined ? {} : { publicKeyPem });
    const details: ProvisioningDetails = {
      v: 1, deviceId: p.deviceId, secret: p.secret, server: a.server ?? publicMqttUrl(settings), serverPublicKeyPem: ingest.serverKey.publicKeyPem,
      ...(caPem === undefined ? {} : { caPem }),
    };
    if (!a.json) {
      io.out(`Device ${p.deviceId} added. Its secret is shown this once: keep the line below for \`earshot-device provision --details FILE\`.`);
      io.out(publicKeyPem === undefined ? 'Its public key will be pinned at its first connection.' : 'Its public key is pinned.');
    }
    io.out(JSON.stringify(details));
    return 0;
  });
};

const list: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, json: { type: 'boolean' } }, z.object({ ...Common, positionals: z.array(z.string()).max(0) }));
  return withIngest(a['data-dir'], (ingest) => {
    const rows = ingest.registry.list().map((d) => ({
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
  return (args, io) => {
    const a = parseCommand(args, { ...DATA_DIR_OPTION }, z.object({ positionals: z.array(z.string()).length(1, 'one device id'), 'data-dir': z.string().optional() }));
    return withIngest(a['data-dir'], (ingest) => {
      const id = a.positionals[0]!;
      if (enable) ingest.registry.enable(id);
      else ingest.registry.disable(id);
      io.out(enable ? `Device ${id} enabled.` : `Device ${id} disabled: a running service cuts its connection within a second and refuses it from now on.`);
      return 0;
    });
  };
}

export const deviceCommands: Record<string, Command> = { add, list, disable: toggle(false), enable: toggle(true) };
