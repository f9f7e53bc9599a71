import type { JsonObject } from '../envelope/envelope.js';

/** The severities a message may carry in its `severity` header (fedora-messaging's levels). */
export const SEVERITIES = ['debug', 'info', 'warning', 'error'] as const;

/** A message severity. */
export type Severity = (typeof SEVERITIES)[number];

/** What a message is about, for the headers the archive indexes. */
export interface HeaderHints {
  /** Users the message concerns (`usernames` header). */
  readonly usernames?: readonly string[];
  /** Packages the message concerns (`packages` header). */
  readonly packages?: readonly string[];
  /** Who caused the event (`agent` header). */
  readonly agent?: string;
  readonly severity?: Severity;
}

/**
 * Reads header hints out of a body that passed its schema, like the `usernames`, `packages` and `agent_name`
 * properties of a fedora-messaging message class.
 */
export type HeaderExtractor = (body: JsonObject, topic: string) => HeaderHints;
