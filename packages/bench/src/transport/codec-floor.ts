import { decodeEnvelope, encodeEnvelope } from '@statbus/core';
import { benchEnvelope, MIX_BASE } from './statbus-candidate.js';

/** What the envelope codec alone costs at one message size, measured in the bench's own process. */
export interface CodecFloorRow {
  readonly size: number;
  /** Bytes of the envelope measured (about `size`). */
  readonly bytes: number;
  /** µs to encode one envelope to its wire bytes (`encodeEnvelope`). */
  readonly encodeUs: number;
  /** µs to decode and check one envelope from its wire bytes (`decodeEnvelope`): what every received message costs. */
  readonly decodeUs: number;
  /** µs of `JSON.parse` alone on the same text: the part of decoding no transport can avoid. */
  readonly parseUs: number;
}

const WARM_UP = 20_000;
const BATCHES = 25;
const PER_BATCH = 1_000;

// The fastest batch: on a shared machine every other batch is this one plus someone else's work.
function perCallUs(call: () => unknown): number {
  for (let i = 0; i < WARM_UP; i += 1) call();
  let fastest = Number.POSITIVE_INFINITY;
  for (let batch = 0; batch < BATCHES; batch += 1) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < PER_BATCH; i += 1) call();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1_000 / PER_BATCH);
  }
  return fastest;
}

/**
 * Times the envelope codec on the envelope the statbus candidates send at `size` (the fastest of many batches): the floor
 * under a statbus consumer's CPU per message, printed beside the raw library's, which decodes nothing.
 */
export function measureCodecFloor(size: number): CodecFloorRow {
  const envelope = benchEnvelope(size, `${MIX_BASE}.3`);
  const bytes = encodeEnvelope(envelope);
  const text = bytes.toString('utf8');
  return {
    size,
    bytes: bytes.length,
    encodeUs: perCallUs(() => encodeEnvelope(envelope)),
    decodeUs: perCallUs(() => decodeEnvelope(bytes)),
    parseUs: perCallUs(() => JSON.parse(text)),
  };
}
