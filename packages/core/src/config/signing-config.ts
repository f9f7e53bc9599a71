import { z } from 'zod';
import { validatePattern } from '../topic/topic-pattern.js';

/** Defaults of the `[signing]` section. */
export const SIGNING_DEFAULTS = {
  enabled: false,
  keys_dir: './keys',
  verify: false,
  routing_nitpicky: false,
  foreign_formats: 'refuse',
} as const;

/** What a verifying consumer does with a message in a foreign wire format that statbus cannot verify. */
export const FOREIGN_FORMAT_POLICIES = ['refuse', 'accept-unverified'] as const;

const pattern = z.string().refine((value) => {
  try {
    validatePattern(value);
    return true;
  } catch {
    return false;
  }
}, 'must be a topic pattern: dot-separated words, "*" for one word, "#" for zero or more');

const producerName = z.string().min(1).regex(/^[^\s]+$/u, 'cannot hold white space');

/**
 * `[signing]`: Ed25519 signatures, one key pair per producer name (fedmsg's `validate_signatures`,
 * `routing_policy` and `routing_nitpicky`, with keys instead of X.509 certificates).
 *
 * - `enabled`: producers sign what they publish with `<keys_dir>/<producer.name>.key`.
 * - `keys_dir`: where `<name>.key` (PKCS#8 PEM, private) and `<name>.pub` (SPKI PEM) live
 *   (`statbus keys generate NAME` writes them); relative to the working directory.
 * - `verify`: consumers refuse (dead-letter) messages without a valid signature from a known key.
 * - `routing_policy` (checked by consumers with `verify`): producer name → the full-topic patterns it may publish, e.g.
 *   `{ bodhi = ["org.statbus.prod.bodhi.#"] }`. A listed producer may publish only topics its patterns match;
 *   a topic matched by some producer's patterns may be published only by producers listing it.
 * - `routing_nitpicky`: also refuse topics that no entry of `routing_policy` covers.
 * - `foreign_formats` (with `verify`): what the archiver does with messages in a foreign wire format that carry no
 *   statbus signature (unsigned fedora-messaging, fedmsg's X.509-signed frames): `refuse` them (the default), or
 *   `accept-unverified` (archived, marked not verified).
 */
export const signingConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(SIGNING_DEFAULTS.enabled),
    keys_dir: z.string().min(1).default(SIGNING_DEFAULTS.keys_dir),
    verify: z.boolean().default(SIGNING_DEFAULTS.verify),
    routing_policy: z.record(producerName, z.array(pattern)).default({}),
    routing_nitpicky: z.boolean().default(SIGNING_DEFAULTS.routing_nitpicky),
    foreign_formats: z.enum(FOREIGN_FORMAT_POLICIES).default(SIGNING_DEFAULTS.foreign_formats),
  })
  .prefault({});

/** The validated `[signing]` section. */
export type SigningConfig = z.output<typeof signingConfigSchema>;
