import type { ArchivedMessage } from '@statbus/core';
import type { ParsedParams } from '../params/parse-params.js';
import { toV1Message } from './v1-message.js';
import { toV2Message } from './v2-message.js';

/**
 * How `/export` and `/stream` write a message (`format`): `envelope` (the statbus envelope as it
 * travelled: lossless, importable again), `v1` (datagrepper) or `v2` (fedora-messaging).
 */
export function recordShape(format: ParsedParams['format'], version?: string): (message: ArchivedMessage) => unknown {
  if (format === 'v1') return (message) => toV1Message(message, [], version);
  if (format === 'v2') return (message) => toV2Message(message);
  return (message) => message.envelope;
}
