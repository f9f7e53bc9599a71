import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidKeyName } from './key-name.js';
import { SigningKeyError } from './signing-key-error.js';

const SUFFIX = '.pub';

/**
 * Reads every `<name>.pub` (SPKI PEM, Ed25519) in `dir` into a map keyed by producer name. Files with other
 * names are ignored.
 *
 * @returns when every key is read.
 * @throws {SigningKeyError} when `dir` cannot be read or a `.pub` file holds no Ed25519 public key.
 */
export async function loadPublicKeys(dir: string): Promise<Map<string, KeyObject>> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new SigningKeyError(`Cannot read the keys directory ${dir}`, { path: dir, cause: error });
  }
  const keys = new Map<string, KeyObject>();
  for (const entry of entries.sort()) {
    if (!entry.endsWith(SUFFIX)) continue;
    const name = entry.slice(0, -SUFFIX.length);
    if (!isValidKeyName(name)) continue;
    const path = join(dir, entry);
    let key: KeyObject;
    try {
      key = createPublicKey(await readFile(path, 'utf8'));
    } catch (error) {
      throw new SigningKeyError(`${path} holds no public key in PEM`, { path, cause: error });
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`${path} is not an Ed25519 public key`, { path });
    keys.set(name, key);
  }
  return keys;
}
