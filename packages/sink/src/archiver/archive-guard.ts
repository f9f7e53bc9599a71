import type { Envelope, SigningConfig, Verifier, VerificationOutcome } from '@statbus/core';

/** Why the archiver refused a message before storing it. */
export type ArchiveRefusal = Exclude<VerificationOutcome, 'ok'> | 'foreign-format';

/** Every {@link ArchiveRefusal}, for counters that list each reason. */
export const ARCHIVE_REFUSALS: readonly ArchiveRefusal[] = ['missing-signature', 'unknown-producer', 'bad-signature', 'topic-not-allowed', 'foreign-format'];

/** What {@link ArchiveGuard.check} decided. */
export type ArchiveCheck =
  | { readonly ok: true; readonly verified: boolean }
  | { readonly ok: false; readonly reason: ArchiveRefusal; readonly message: string };

// The producer instances the transports give messages read in a foreign wire format without statbus's own
// producer data (transport-amqp's fedora-messaging reader, transport-zeromq's fedmsg reader).
const FOREIGN_INSTANCES: Readonly<Record<string, string>> = { 'fedora-messaging': 'fedora-messaging', fedmsg: 'fedmsg' };

/** The foreign wire format an envelope was read in, when it carries no statbus signature; otherwise undefined. */
export function foreignFormatOf(envelope: Envelope): string | undefined {
  if (envelope.signature !== undefined && envelope.signature !== '') return undefined;
  return FOREIGN_INSTANCES[envelope.producer.instance];
}

/**
 * What a message must pass before the archiver stores it: with a verifier (`[signing] verify`), the same
 * checks the consumer hub makes (signature present, producer's key known, signature valid, routing policy),
 * except that a message in a foreign wire format that statbus cannot verify (unsigned fedora-messaging,
 * fedmsg's X.509) follows `foreign_formats`: refused, or accepted as not verified. Without a verifier every
 * message passes, not verified. Never throws.
 */
export class ArchiveGuard {
  readonly #verifier: Verifier | undefined;
  readonly #acceptForeign: boolean;

  constructor(verifier?: Verifier, foreignFormats: SigningConfig['foreign_formats'] = 'refuse') {
    this.#verifier = verifier;
    this.#acceptForeign = foreignFormats === 'accept-unverified';
  }

  /** True when messages are verified (a verifier was given). */
  get verifying(): boolean {
    return this.#verifier !== undefined;
  }

  check(envelope: Envelope): ArchiveCheck {
    if (this.#verifier === undefined) return { ok: true, verified: false };
    const foreign = foreignFormatOf(envelope);
    if (foreign !== undefined) {
      if (this.#acceptForeign) return { ok: true, verified: false };
      return { ok: false, reason: 'foreign-format', message: `message ${envelope.id} is in ${foreign}'s wire format, which carries no statbus signature (foreign_formats = "refuse")` };
    }
    const verification = this.#verifier.verify(envelope);
    if (verification.outcome !== 'ok') return { ok: false, reason: verification.outcome, message: verification.reason };
    return { ok: true, verified: true };
  }
}
