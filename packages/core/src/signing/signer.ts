import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signingBytes } from '../codec/canonical-json.js';
import type { Envelope } from '../envelope/envelope.js';
import { isValidKeyName } from './key-name.js';
import { SigningKeyError } from './signing-key-error.js';

/** Signs the envelopes of one producer name with its Ed25519 private key. */
export class Signer {
  readonly name: string;
  readonly #key: KeyObject;

  /** @throws {SigningKeyError} when `privateKey` is not an Ed25519 private key. */
  constructor(name: string, privateKey: KeyObject) {
    if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
      throw new SigningKeyError(`The key of ${name} is not an Ed25519 private key`);
    }
    this.name = name;
    this.#key = privateKey;
  }

  /**
   * Reads `<dir>/<name>.key` (PKCS#8 PEM, as written by {@link generateKeyPair}).
   *
   * @returns when the key is read and parsed.
   * @throws {SigningKeyError} when `name` cannot name a key file, or the file is missing, unreadable or not an Ed25519 key.
   */
  static async fromDirectory(name: string, dir: string): Promise<Signer> {
    if (!isValidKeyName(name)) throw new SigningKeyError(`Producer name ${JSON.stringify(name)} cannot name a key file`);
    const path = join(dir, `${name}.key`);
    let pem: string;
    try {
      pem = await readFile(path, 'utf8');
    } catch (error) {
      throw new SigningKeyError(`Cannot read the signing key of ${name} at ${path}`, { path, cause: error });
    }
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch (error) {
      throw new SigningKeyError(`${path} holds no private key in PEM`, { path, cause: error });
    }
    return new Signer(name, key);
  }

  /** The base64 Ed25519 signature of {@link signingBytes} of `envelope` (any signature it holds is ignored). */
  signature(envelope: Envelope): string {
    return sign(null, signingBytes(envelope), this.#key).toString('base64');
  }

  /**
   * A copy of `envelope` with its `signature` set.
   *
   * @throws {SigningKeyError} when the envelope is not from this signer's producer name.
   */
  sign(envelope: Envelope): Envelope {
    if (envelope.producer.name !== this.name) {
      throw new SigningKeyError(`The key of ${this.name} cannot sign a message of producer ${envelope.producer.name}`);
    }
    return { ...envelope, signature: this.signature(envelope) };
  }
}
