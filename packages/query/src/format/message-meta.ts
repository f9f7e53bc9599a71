import type { ArchivedMessage, JsonValue } from '@statbus/core';
import type { MetaValue } from '../params/parse-params.js';

/** Names listed in a subtitle before "and N more". */
export const SUBTITLE_MAX_NAMES = 3;

/** "a", "a and b", "a, b and c", "a, b, c and 2 more". */
export function listNames(names: readonly string[], max = SUBTITLE_MAX_NAMES): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length > max) return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}

/** The topic from its category on (`bodhi.update.comment`): fedmsg.meta's default title, without `<prefix>.<env>.`. */
export function messageTitle(message: ArchivedMessage): string {
  const { topic } = message.envelope;
  const at = topic.indexOf(`.${message.category}.`);
  return at === -1 ? topic : topic.slice(at + 1);
}

/** Who did it: the message's agent, else its first user, else the producer's name. */
export function messageActor(message: ArchivedMessage): string {
  return message.agent ?? message.users[0] ?? message.envelope.producer.name;
}

/** What happened, in words: the topic after the category, dots and dashes as spaces (`update comment`). */
function action(message: ArchivedMessage): string {
  return messageTitle(message)
    .split('.')
    .slice(1)
    .join(' ')
    .replace(/[-_]+/gu, ' ');
}

/**
 * A short human sentence: the producer's own `subtitle` (or `summary`) header when it sent one, else one
 * built from the category, the topic's words, the actor, the packages and the other users, e.g.
 * `bodhi update comment by adamw on kernel and firefox, with kevin`.
 */
export function messageSubtitle(message: ArchivedMessage): string {
  const given = message.envelope.headers['subtitle'] ?? message.envelope.headers['summary'];
  if (given !== undefined && given.trim() !== '') return given;
  const actor = messageActor(message);
  const others = message.users.filter((user) => user !== actor);
  const what = [message.category, action(message)].filter((part) => part !== '').join(' ');
  return `${what} by ${actor}${message.packages.length > 0 ? ` on ${listNames(message.packages)}` : ''}${others.length > 0 ? `, with ${listNames(others)}` : ''}`;
}

function httpUrl(value: unknown): string | null {
  return typeof value === 'string' && /^https?:\/\/\S+$/u.test(value) ? value : null;
}

/**
 * A link to the thing the message is about, only when the message names one: a `link` or `url` header, or
 * a top-level `url` / `link` / `html_url` of the body that is an http(s) URL. Otherwise null: statbus has
 * no per-service link rules (fedmsg.meta's processors).
 */
export function messageLink(message: ArchivedMessage): string | null {
  const { headers, body } = message.envelope;
  return httpUrl(headers['link']) ?? httpUrl(headers['url']) ?? httpUrl(body['url']) ?? httpUrl(body['link']) ?? httpUrl(body['html_url']);
}

/** An icon URL the producer sent as the `icon` (or `secondary_icon`) header, or null. */
function headerIcon(message: ArchivedMessage, name: 'icon' | 'secondary_icon'): string | null {
  return httpUrl(message.envelope.headers[name]);
}

/**
 * What `meta=…` adds to a message (datagrepper's fedmsg.meta fields): `title`, `subtitle`, `usernames`,
 * `packages`, `objects` (`packages/<name>` and `users/<name>` paths), `date` (ISO 8601, UTC) are always
 * filled; `link`, `icon`, `secondary_icon` only from what the message carries (see {@link messageLink}),
 * null otherwise.
 */
export function metaFields(message: ArchivedMessage, meta: readonly MetaValue[]): Record<string, JsonValue> {
  const fields: Record<string, JsonValue> = {};
  for (const name of meta) {
    if (name === 'usernames') fields[name] = [...message.users];
    else if (name === 'packages') fields[name] = [...message.packages];
    else if (name === 'date') fields[name] = new Date(message.envelope.time).toISOString();
    else if (name === 'title') fields[name] = messageTitle(message);
    else if (name === 'subtitle') fields[name] = messageSubtitle(message);
    else if (name === 'link') fields[name] = messageLink(message);
    else if (name === 'objects') fields[name] = [...message.packages.map((p) => `packages/${p}`), ...message.users.map((u) => `users/${u}`)];
    else fields[name] = headerIcon(message, name);
  }
  return fields;
}
