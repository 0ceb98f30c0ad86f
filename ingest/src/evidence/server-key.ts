/**
 * The server's Ed25519 signing key, kept in the data folder (DESIGN §7) so that
 * backing up the folder backs up the key. Created on first start, readable by the
 * owner only (0600); a key file others can read is refused, as OpenSSH refuses a
 * private key with open permissions.
 */
import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EarshotError } from '@earshot/shared';
import { logIdOf } from './tree-head.ts';

export const SERVER_KEY_FILE = 'server-key.pem';
/** Owner read/write only. */
const KEY_MODE = 0o600;

export interface ServerKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SubjectPublicKeyInfo PEM (DESIGN §6 evidence/server-public-key.pem). */
  readonly publicKeyPem: string;
  /** Hex SHA-256 of the public key's SubjectPublicKeyInfo DER (DESIGN §5). */
  readonly logId: string;
}

export function serverKeyFromPrivate(privateKey: KeyObject): ServerKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new EarshotError('EARSHOT_E_SERVER_KEY_INVALID', `a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    logId: logIdOf(publicKey),
  };
}

/** Reads the key from dataDir, creating it (and the folder) on first start. */
export function loadOrCreateServerKey(dataDir: string): ServerKey {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SERVER_KEY_FILE);
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new EarshotError('EARSHOT_E_SERVER_KEY_INVALID', `${file}: ${(e as Error).message}`);
    createKeyFile(file);
    pem = readFileSync(file);
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new EarshotError('EARSHOT_E_SERVER_KEY_INVALID', `${file} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new EarshotError('EARSHOT_E_SERVER_KEY_INVALID', `${file} is not a PEM private key`);
  }
  return serverKeyFromPrivate(privateKey);
}

/**
 * Writes a new key to a private temporary file, syncs it, then links it into
 * place: a crash leaves either no key or a whole one, and if another process
 * created the key first, its key wins.
 */
function createKeyFile(file: string): void {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'wx', KEY_MODE);
  try {
    writeSync(fd, pem);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
  // The new directory entry is durable only once the directory itself is synced (fsync(2)).
  const dirFd = openSync(dirname(file), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
