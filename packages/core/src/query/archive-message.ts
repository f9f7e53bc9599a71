import type { ArchivedMessage } from '../contracts/message-store.js';
import { HEADER_AGENT, HEADER_PACKAGES, HEADER_USERNAMES, type Envelope } from '../envelope/envelope.js';
import { topicCategory } from '../topic/topic-grammar.js';
import { compilePatterns } from '../topic/topic-pattern.js';

/**
 * Finds users and packages in a message whose headers do not list them (per topic, like fedmsg's meta
 * processors). `@statbus/meta` provides Fedora's (`defaultExtractors()`); anyone may add their own.
 */
export interface MessageExtractor {
  /** Topic patterns (AMQP semantics) this extractor understands. */
  readonly patterns: readonly string[];
  users?(envelope: Envelope): readonly string[];
  packages?(envelope: Envelope): readonly string[];
}

/** Picks, for an envelope, the first extractor of a list whose patterns match its topic. */
export type ExtractorSelector = (envelope: Envelope) => MessageExtractor | undefined;

/** fedora-messaging's header markers: `fedora_messaging_user_<name>`, `fedora_messaging_rpm_<name>`. */
const FEDORA_MESSAGING_USER = 'fedora_messaging_user_';
const FEDORA_MESSAGING_RPM = 'fedora_messaging_rpm_';

/** Compiles `extractors` once into an {@link ExtractorSelector}: the first whose patterns match wins. */
export function selectExtractor(extractors: readonly MessageExtractor[]): ExtractorSelector {
  const compiled = extractors.map((extractor) => ({ matcher: compilePatterns(extractor.patterns), extractor }));
  return (envelope) => compiled.find(({ matcher }) => matcher.test(envelope.topic))?.extractor;
}

function splitList(value: string): string[] {
  return [...new Set(value.split(',').map((item) => item.trim()).filter((item) => item !== ''))];
}

function markers(headers: Readonly<Record<string, string>>, prefix: string): string[] | undefined {
  const names = Object.keys(headers)
    .filter((key) => key.startsWith(prefix) && key.length > prefix.length)
    .map((key) => key.slice(prefix.length));
  return names.length === 0 ? undefined : [...new Set(names)];
}

/** Users (resp. packages) the envelope itself gives: its `usernames` header, else fedora-messaging's markers. */
function given(headers: Readonly<Record<string, string>>, header: string, markerPrefix: string): string[] | undefined {
  const listed = headers[header];
  return listed !== undefined ? splitList(listed) : markers(headers, markerPrefix);
}

function derived(values: readonly string[] | undefined): string[] {
  return [...new Set((values ?? []).filter((value) => typeof value === 'string' && value.trim() !== ''))];
}

/** Options of {@link archiveMessage}. */
export interface ArchiveMessageOptions {
  /** The configured topic prefix: the category is the word after `<prefix>.<env>.`. */
  readonly prefix?: string;
  /** The extractors to find users and packages with (the first whose patterns match is used). */
  readonly extractors?: readonly MessageExtractor[];
  /** Or a ready selector (what the archiver compiles once from its extractors). */
  readonly extractor?: ExtractorSelector;
}

/**
 * Derives what the archive indexes an envelope by: category from the topic; users and packages as the
 * message gives them (the `usernames` / `packages` headers, else fedora-messaging's
 * `fedora_messaging_user_*` / `fedora_messaging_rpm_*` markers), and only when it gives none, from the
 * first matching extractor. Given values always win, an empty `usernames` header included. An extractor
 * that throws is treated as finding nothing.
 */
export function archiveMessage(envelope: Envelope, options?: ArchiveMessageOptions): ArchivedMessage {
  const { headers } = envelope;
  const givenUsers = given(headers, HEADER_USERNAMES, FEDORA_MESSAGING_USER);
  const givenPackages = given(headers, HEADER_PACKAGES, FEDORA_MESSAGING_RPM);
  let users = givenUsers;
  let packages = givenPackages;
  if (users === undefined || packages === undefined) {
    const select = options?.extractor ?? (options?.extractors === undefined ? undefined : selectExtractor(options.extractors));
    const extractor = select?.(envelope);
    const attempt = (field: 'users' | 'packages'): string[] => {
      try {
        return derived(field === 'users' ? extractor?.users?.(envelope) : extractor?.packages?.(envelope));
      } catch {
        return [];
      }
    };
    users ??= attempt('users');
    packages ??= attempt('packages');
  }
  const agent = headers[HEADER_AGENT];
  return {
    envelope,
    category: topicCategory(envelope.topic, options?.prefix),
    users,
    packages,
    ...(agent === undefined || agent === '' ? {} : { agent }),
  };
}
