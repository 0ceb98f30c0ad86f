/**
 * `earshot-device provision --details FILE|- [--config earshot-device.json] [--state-dir state] [--capture alsa|wav:FILE] [--force]`
 *
 * Takes the provisioning details `earshot device add` printed (a JSON object),
 * makes the device's Ed25519 key pair in the state folder and writes the device
 * config. Prints the public key, which the ingest pins at the first connection
 * (or `earshot device add --public-key`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { EarshotError, ProvisioningDetails, describeIssues, parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { type DeviceConfigInput, parseDeviceConfig } from '../daemon/config.ts';
import { writeFileAtomic } from '../daemon/state-files.ts';
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, generateIdentity } from '../identity/index.ts';
import { PROVISION_USAGE } from './usage.ts';

const ProvisionArgs = z.object({
  positionals: z.array(z.string()).max(0, 'no positional arguments'),
  details: z.string().min(1, `--details FILE (or - for standard input) is required: ${PROVISION_USAGE}`),
  config: z.string().default('earshot-device.json'),
  'state-dir': z.string().default('state'),
  capture: z.string().regex(/^(alsa|wav:.+)$/, 'alsa or wav:FILE').default('alsa'),
  force: z.boolean().default(false),
});

function readDetails(source: string): ProvisioningDetails {
  let text: string;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (e) {
    throw new EarshotError('EARSHOT_E_FILE_UNREADABLE', `${source}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  // The ingest prints the details as one JSON object, possibly among other lines.
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  let raw: unknown;
  try {
    raw = JSON.parse(text.slice(start, end + 1));
  } catch {
    throw new EarshotError('EARSHOT_E_CONFIG_INVALID', `${source} holds no provisioning details (a JSON object from \`earshot device add\`)`);
  }
  const parsed = ProvisioningDetails.safeParse(raw);
  if (!parsed.success) throw new EarshotError('EARSHOT_E_CONFIG_INVALID', `provisioning details: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function provisionCommand(args: readonly string[], out: (line: string) => void): number {
  const a = parseCommand(args, {
    details: { type: 'string' }, config: { type: 'string' }, 'state-dir': { type: 'string' }, capture: { type: 'string' }, force: { type: 'boolean' },
  }, ProvisionArgs);
  const details = readDetails(a.details);
  const configFile = resolve(a.config);
  if (existsSync(configFile) && !a.force) throw new EarshotError('EARSHOT_E_USAGE', `${configFile} exists (--force replaces it; the device keys are kept)`);
  const stateDir = resolve(a['state-dir']);
  const keysDir = join(stateDir, 'keys');
  const existingKey = existsSync(join(keysDir, PRIVATE_KEY_FILE));
  const identity = existingKey ? null : generateIdentity(keysDir);
  const capture: DeviceConfigInput['capture'] = a.capture === 'alsa' ? { type: 'alsa' } : { type: 'wav', files: [resolve(a.capture.slice(4))], loop: true };
  const config: DeviceConfigInput = {
    deviceId: details.deviceId,
    secret: details.secret,
    server: { url: details.server, publicKeyPem: details.serverPublicKeyPem },
    stateDir: relative(dirname(configFile), stateDir) || '.',
    capture,
  };
  if (details.caPem !== undefined) {
    const caFile = join(stateDir, 'server-ca.pem');
    writeFileAtomic(caFile, details.caPem);
    config.server.caFile = relative(dirname(configFile), caFile);
  }
  parseDeviceConfig(config, configFile); // what we write must load
  writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`);
  out(`provisioned ${details.deviceId} for ${details.server}`);
  out(`config: ${configFile}`);
  out(existingKey ? `device key: kept the existing one in ${keysDir}` : `device key: made in ${keysDir}`);
  const publicKeyPem = identity?.publicKeyPem ?? readFileSync(join(keysDir, PUBLIC_KEY_FILE), 'utf8');
  out(`public key (pinned by the ingest at the first connection):\n${publicKeyPem.trim()}`);
  out(`next: earshot-device calibrate --config ${relative(process.cwd(), configFile) || configFile}, then earshot-device run --config …`);
  return 0;
}
