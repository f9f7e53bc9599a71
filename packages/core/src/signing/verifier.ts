import { verify, type KeyObject } from 'node:crypto';
import { signingBytes } from '../codec/canonical-json.js';
import type { SigningConfig } from '../config/signing-config.js';
import type { Envelope } from '../envelope/envelope.js';
import { loadPublicKeys } from './load-public-keys.js';
import { RoutingPolicy } from './routing-policy.js';
import type { Verification } from './verification.js';

/** What a {@link Verifier} checks against. */
export interface VerifierOptions {
  /** Ed25519 public keys by producer name. */
  readonly keys: ReadonlyMap<string, KeyObject>;
  /** Which producer may publish which topics; default: everything allowed. */
  readonly policy?: RoutingPolicy;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/u;
const ED25519_SIGNATURE_BYTES = 64;

/**
 * Checks that an envelope is signed by the key of its `producer.name` and that the routing policy lets
 * that producer publish its topic. Never throws on what came off the bus: every refusal is an outcome.
 */
export class Verifier {
  readonly #keys: ReadonlyMap<string, KeyObject>;
  readonly #policy: RoutingPolicy;

  constructor(options: VerifierOptions) {
    this.#keys = options.keys;
    this.#policy = options.policy ?? new RoutingPolicy();
  }

  /**
   * A verifier with the public keys of `keys_dir` and the routing policy of a `[signing]` section.
   *
   * @returns when the keys are read.
   * @throws {SigningKeyError} when the directory or a key in it cannot be read.
   */
  static async fromConfig(signing: Pick<SigningConfig, 'keys_dir' | 'routing_policy' | 'routing_nitpicky'>): Promise<Verifier> {
    return new Verifier({ keys: await loadPublicKeys(signing.keys_dir), policy: RoutingPolicy.fromConfig(signing) });
  }

  /** Checks, in order: a signature is present, its producer has a key, the signature is valid, the topic is allowed. */
  verify(envelope: Envelope): Verification {
    const { signature } = envelope;
    const producer = envelope.producer.name;
    if (signature === undefined || signature === '') return { outcome: 'missing-signature', reason: `message ${envelope.id} is not signed` };
    const key = this.#keys.get(producer);
    if (key === undefined) return { outcome: 'unknown-producer', reason: `no public key for producer ${JSON.stringify(producer)}` };
    const bytes = BASE64.test(signature) ? Buffer.from(signature, 'base64') : undefined;
    if (bytes?.length !== ED25519_SIGNATURE_BYTES || !this.#check(envelope, key, bytes)) {
      return { outcome: 'bad-signature', reason: `signature of message ${envelope.id} does not match the key of ${producer}` };
    }
    const decision = this.#policy.check(producer, envelope.topic);
    if (!decision.allowed) return { outcome: 'topic-not-allowed', reason: decision.reason };
    return { outcome: 'ok' };
  }

  #check(envelope: Envelope, key: KeyObject, signature: Buffer): boolean {
    try {
      return verify(null, signingBytes(envelope), key, signature);
    } catch {
      return false;
    }
  }
}
