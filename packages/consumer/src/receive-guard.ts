import type { Envelope, SchemaRegistry, Verifier, VerificationOutcome } from '@statbus/core';

/** Why a received message was refused before reaching a handler. */
export type RejectionReason = Exclude<VerificationOutcome, 'ok'> | 'schema';

/** The outcome of {@link ReceiveGuard.check}. */
export type GuardResult = { readonly ok: true } | { readonly ok: false; readonly reason: RejectionReason; readonly message: string };

/**
 * What a message must pass before any handler sees it: its signature and routing policy (when a verifier
 * is given) and the JSON Schema registered for its topic (when one is). Never throws.
 */
export class ReceiveGuard {
  readonly #verifier: Verifier | undefined;
  readonly #schemas: SchemaRegistry;

  constructor(schemas: SchemaRegistry, verifier?: Verifier) {
    this.#schemas = schemas;
    this.#verifier = verifier;
  }

  check(envelope: Envelope): GuardResult {
    if (this.#verifier !== undefined) {
      const verification = this.#verifier.verify(envelope);
      if (verification.outcome !== 'ok') return { ok: false, reason: verification.outcome, message: verification.reason };
    }
    const schema = this.#schemas.check(envelope.topic, envelope.body);
    if (!schema.ok) return { ok: false, reason: 'schema', message: schema.error.message };
    return { ok: true };
  }
}
