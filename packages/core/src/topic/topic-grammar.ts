import { TopicError } from '../errors/topic-error.js';

/** AMQP's limit on a routing key, applied on both transports so that a topic valid on one is valid on the other. */
export const MAX_TOPIC_BYTES = 255;

// A word is anything but a dot, a wildcard or white space: real archives hold topics with `-`, `_`,
// upper case and digits, and AMQP routing keys allow any byte.
const WORD = /^[^\s.*#]+$/u;

/**
 * The parts of a topic `<prefix>.<env>.<category>.<event…>`: one or more words after the category, as on
 * Fedora's bus (`…logger.log`, `…buildsys.tag`, `…git.receive` have one; `…bodhi.update.comment` two).
 */
export interface TopicParts {
  readonly prefix: string;
  readonly env: string;
  readonly category: string;
  /** The words after the category, joined by dots (`update.comment`, `receive`). */
  readonly event: string;
  /** The same words, one or more. */
  readonly eventWords: readonly string[];
}

/** Where topics of this bus start: `<prefix>.<env>.` (prefix may itself hold dots, e.g. `org.fedoraproject`). */
export interface TopicNamespace {
  readonly prefix: string;
  readonly env: string;
}

function fail(topic: string, reason: string): never {
  throw new TopicError('topic', topic, reason);
}

/**
 * Checks that `topic` is a well-formed topic (non-empty dot-separated words, no wildcards, at most
 * {@link MAX_TOPIC_BYTES} bytes) and returns its words.
 *
 * @throws {TopicError} `ERR_TOPIC`, naming the first problem.
 */
export function validateTopic(topic: string): string[] {
  if (typeof topic !== 'string') fail(String(topic), 'a topic must be a string');
  if (topic.length === 0) fail(topic, 'a topic cannot be empty');
  if (Buffer.byteLength(topic, 'utf8') > MAX_TOPIC_BYTES) fail(topic, `longer than ${MAX_TOPIC_BYTES} bytes`);
  const words = topic.split('.');
  words.forEach((word, index) => {
    if (word === '') fail(topic, `word ${index + 1} is empty (leading, trailing or double dot)`);
    if (word === '*' || word === '#' || word.includes('*') || word.includes('#')) {
      fail(topic, `word ${index + 1} (${JSON.stringify(word)}) holds a wildcard; wildcards belong in patterns`);
    }
    if (!WORD.test(word)) fail(topic, `word ${index + 1} (${JSON.stringify(word)}) holds white space`);
  });
  return words;
}

/** True when `topic` is well formed; see {@link validateTopic}. */
export function isValidTopic(topic: string): boolean {
  try {
    validateTopic(topic);
    return true;
  } catch {
    return false;
  }
}

function namespaceWords(namespace: TopicNamespace): string[] {
  return [...validateTopic(namespace.prefix), ...validateTopic(namespace.env)];
}

/**
 * Builds the full topic `<prefix>.<env>.<suffix>` from a suffix such as `bodhi.update.comment`.
 *
 * @throws {TopicError} when the result is not a valid topic in the grammar.
 */
export function buildTopic(namespace: TopicNamespace, suffix: string): string {
  const topic = `${namespace.prefix}.${namespace.env}.${suffix}`;
  parseTopic(topic, namespace);
  return topic;
}

/**
 * Accepts either a full topic under `namespace` or the part after `<prefix>.<env>.`, and returns the full topic.
 *
 * @throws {TopicError} when it is not a valid topic of this namespace.
 */
export function resolveTopic(namespace: TopicNamespace, topicOrSuffix: string): string {
  const head = `${namespace.prefix}.${namespace.env}.`;
  return topicOrSuffix.startsWith(head) ? (parseTopic(topicOrSuffix, namespace), topicOrSuffix) : buildTopic(namespace, topicOrSuffix);
}

/**
 * Splits a topic of this namespace into its category and the words after it.
 *
 * @throws {TopicError} when the topic is malformed, is not under `<prefix>.<env>.`, or lacks a category or
 *   a word after it.
 */
export function parseTopic(topic: string, namespace: TopicNamespace): TopicParts {
  const words = validateTopic(topic);
  const head = namespaceWords(namespace);
  const matchesHead = head.every((word, index) => words[index] === word);
  if (!matchesHead) fail(topic, `does not start with ${JSON.stringify(`${namespace.prefix}.${namespace.env}.`)}`);
  const rest = words.slice(head.length);
  if (rest.length < 2) {
    fail(topic, `needs <category>.<event…> (a category and at least one word after it) after ${JSON.stringify(`${namespace.prefix}.${namespace.env}`)}, got ${rest.length} word(s)`);
  }
  const eventWords = rest.slice(1);
  return {
    prefix: namespace.prefix,
    env: namespace.env,
    category: rest[0] as string,
    event: eventWords.join('.'),
    eventWords,
  };
}

/** The category datanommer gives a topic it cannot split (fewer words than a category needs). */
export const UNCLASSIFIED_CATEGORY = 'Unclassified';

/**
 * The category of any topic, also of topics from other namespaces found in imported archives: the word
 * after `<prefix>.<env>` when the topic is under `prefix`; otherwise as datanommer takes it, the fourth
 * word (`org.fedoraproject.prod.<category>…`), the third for ActiveMQ's `VirtualTopic.…` topics, and
 * {@link UNCLASSIFIED_CATEGORY} for a topic too short to have one.
 */
export function topicCategory(topic: string, prefix?: string): string {
  const words = topic.split('.');
  if (prefix !== undefined && topic.startsWith(`${prefix}.`)) {
    const index = prefix.split('.').length + 1;
    const word = words[index];
    if (word !== undefined) return word;
  }
  const word = words[topic.includes('VirtualTopic') ? 2 : 3];
  return word === undefined || word === '' ? UNCLASSIFIED_CATEGORY : word;
}
