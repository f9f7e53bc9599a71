import { generateKeyPairSync } from 'node:crypto';
import { access, chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidKeyName } from './key-name.js';
import { SigningKeyError } from './signing-key-error.js';

/** The files {@link generateKeyPair} wrote. */
export interface GeneratedKeyPair {
  readonly name: string;
  /** `<dir>/<name>.key`: PKCS#8 PEM, mode 0600. */
  readonly privateKeyPath: string;
  /** `<dir>/<name>.pub`: SPKI PEM, to copy to every consumer that verifies. */
  readonly publicKeyPath: string;
  readonly publicKeyPem: string;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** What {@link generateKeyPair} writes into a key directory that has no `.gitignore` of its own. */
export const KEYS_GITIGNORE = '# Private signing keys (written by statbus keys generate): never commit them.\n*.key\n';

/**
 * Makes a new Ed25519 key pair for producer `name` and writes `<name>.key` and `<name>.pub` into `dir`
 * (created when missing, with a `.gitignore` that keeps private keys out of a repository when the directory
 * has none). Never overwrites an existing key unless `overwrite` is set.
 *
 * @returns when both files are written.
 * @throws {SigningKeyError} when `name` cannot name a key file, a file already exists, or writing fails.
 */
export async function generateKeyPair(name: string, dir: string, options: { overwrite?: boolean } = {}): Promise<GeneratedKeyPair> {
  if (!isValidKeyName(name)) {
    throw new SigningKeyError(`Cannot make a key named ${JSON.stringify(name)}: use letters, digits, ".", "_", "-" or "@", not starting with "."`);
  }
  const privateKeyPath = join(dir, `${name}.key`);
  const publicKeyPath = join(dir, `${name}.pub`);
  if (options.overwrite !== true) {
    // Checked up front so that an existing half of a pair never gets a new, mismatched other half.
    for (const existing of [privateKeyPath, publicKeyPath]) {
      if (await exists(existing)) throw new SigningKeyError(`Key file ${existing} already exists (set overwrite to replace it)`, { path: existing });
    }
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const flag = options.overwrite === true ? 'w' : 'wx';
  let path = dir;
  try {
    await mkdir(dir, { recursive: true });
    path = join(dir, '.gitignore');
    // 'wx': a .gitignore the user already has is theirs, and left as it is.
    await writeFile(path, KEYS_GITIGNORE, { flag: 'wx' }).catch((error: unknown) => {
      if (errorCode(error) !== 'EEXIST') throw error;
    });
    path = privateKeyPath;
    await writeFile(privateKeyPath, privateKeyPem, { mode: 0o600, flag });
    // The mode of writeFile only applies to a new file, and the umask may have narrowed it: set it again.
    await chmod(privateKeyPath, 0o600);
    path = publicKeyPath;
    await writeFile(publicKeyPath, publicKeyPem, { mode: 0o644, flag });
  } catch (error) {
    const why = errorCode(error) === 'EEXIST' ? 'already exists (set overwrite to replace it)' : 'cannot be written';
    throw new SigningKeyError(`Key file ${path} ${why}`, { path, cause: error });
  }
  return { name, privateKeyPath, publicKeyPath, publicKeyPem };
}
