/** Every way a signature check can end. */
export type VerificationOutcome = 'ok' | 'missing-signature' | 'unknown-producer' | 'bad-signature' | 'topic-not-allowed';

/** The result of {@link Verifier.verify}: `ok`, or a refusal with a human-readable reason. */
export type Verification =
  | { readonly outcome: 'ok' }
  | { readonly outcome: Exclude<VerificationOutcome, 'ok'>; readonly reason: string };
