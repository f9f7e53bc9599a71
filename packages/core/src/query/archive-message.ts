import type { ArchivedMessage } from '../contracts/message-store.js';
import { HEADER_AGENT, HEADER_PACKAGES, HEADER_USERNAMES, type Envelope } from '../envelope/envelope.js';
import { topicCategory } from '../topic/topic-grammar.js';

/** Finds users and packages in a message whose headers do not list them (per topic, like fedmsg's meta processors). */
export interface MessageExtractor {
  /** Topic patterns (AMQP semantics) this extractor understands. */
  readonly patterns: readonly string[];
  users?(envelope: Envelope): readonly string[];
  packages?(envelope: Envelope): readonly string[];
}

function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...new Set(value.split(',').map((item) => item.trim()).filter((item) => item !== ''))];
}

/**
 * Derives what the archive indexes an envelope by: category from the topic, users and packages from the
 * `usernames` / `packages` headers or, when a header is absent, from the first matching extractor's answer.
 */
export function archiveMessage(
  envelope: Envelope,
  options?: { prefix?: string; extractor?: (envelope: Envelope) => MessageExtractor | undefined },
): ArchivedMessage {
  const extractor = options?.extractor?.(envelope);
  const users =
    envelope.headers[HEADER_USERNAMES] !== undefined ? splitList(envelope.headers[HEADER_USERNAMES]) : [...new Set(extractor?.users?.(envelope) ?? [])];
  const packages =
    envelope.headers[HEADER_PACKAGES] !== undefined ? splitList(envelope.headers[HEADER_PACKAGES]) : [...new Set(extractor?.packages?.(envelope) ?? [])];
  const agent = envelope.headers[HEADER_AGENT];
  return {
    envelope,
    category: topicCategory(envelope.topic, options?.prefix),
    users,
    packages,
    ...(agent === undefined || agent === '' ? {} : { agent }),
  };
}
