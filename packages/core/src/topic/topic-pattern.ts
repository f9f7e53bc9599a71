import { TopicError } from '../errors/topic-error.js';
import { MAX_TOPIC_BYTES } from './topic-grammar.js';

const WORD = /^[^\s.*#]+$/u;

function fail(pattern: string, reason: string): never {
  throw new TopicError('pattern', pattern, reason);
}

/**
 * Checks a topic pattern with AMQP topic-exchange semantics: dot-separated words, where a word is
 * literal, `*` (exactly one word) or `#` (zero or more words). A wildcard must be a whole word.
 *
 * @throws {TopicError} `ERR_PATTERN`, naming the first problem.
 */
export function validatePattern(pattern: string): string[] {
  if (typeof pattern !== 'string') fail(String(pattern), 'a pattern must be a string');
  if (pattern.length === 0) fail(pattern, 'a pattern cannot be empty (use "#" for every topic)');
  if (Buffer.byteLength(pattern, 'utf8') > MAX_TOPIC_BYTES) fail(pattern, `longer than ${MAX_TOPIC_BYTES} bytes`);
  const words = pattern.split('.');
  words.forEach((word, index) => {
    if (word === '') fail(pattern, `word ${index + 1} is empty (leading, trailing or double dot)`);
    if (word === '*' || word === '#') return;
    if (word.includes('*') || word.includes('#')) {
      fail(pattern, `word ${index + 1} (${JSON.stringify(word)}) mixes a wildcard with letters; "*" and "#" must be whole words`);
    }
    if (!WORD.test(word)) fail(pattern, `word ${index + 1} (${JSON.stringify(word)}) holds white space`);
  });
  return words;
}

/** A compiled pattern: `test(topic)` says whether the topic matches. */
export interface TopicMatcher {
  readonly pattern: string;
  test(topic: string): boolean;
}

// Only the syntax characters: under the `u` flag an escaped `-` or `/` is an invalid identity escape.
function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * Compiles a pattern once for repeated matching. The topic is matched as `.` + topic against a regular
 * expression where each literal word is `\.word`, `*` is one `\.[^.]+` and `#` is `(?:\.[^.]+)*`, which
 * gives exactly AMQP's semantics, `#` matching zero words included.
 *
 * @throws {TopicError} when the pattern is malformed.
 */
export function compilePattern(pattern: string): TopicMatcher {
  const words = validatePattern(pattern);
  if (!words.some((word) => word === '*' || word === '#')) {
    return { pattern, test: (topic) => topic === pattern };
  }
  if (words.every((word) => word === '#')) return { pattern, test: (topic) => topic.length > 0 };
  const source = words
    .map((word) => (word === '#' ? '(?:\\.[^.]+)*' : word === '*' ? '\\.[^.]+' : `\\.${escapeRegExp(word)}`))
    .join('');
  const regexp = new RegExp(`^${source}$`, 'u');
  return { pattern, test: (topic) => regexp.test(`.${topic}`) };
}

/** True when `topic` matches `pattern` (AMQP semantics). Compile once with {@link compilePattern} in hot paths. */
export function matchTopic(pattern: string, topic: string): boolean {
  return compilePattern(pattern).test(topic);
}

/** Compiles several patterns; `test` is true when any of them matches. */
export function compilePatterns(patterns: readonly string[]): TopicMatcher {
  const matchers = patterns.map(compilePattern);
  if (matchers.length === 1) return matchers[0] as TopicMatcher;
  return { pattern: patterns.join(' | '), test: (topic) => matchers.some((matcher) => matcher.test(topic)) };
}

/**
 * The literal text every matching topic starts with: what a ZeroMQ SUB socket subscribes to before the
 * client applies the exact match. `a.b.*` gives `a.b.` (a `*` needs a word after the dot); `a.b.#` gives
 * `a.b` (`#` may match nothing, so `a.b` itself matches); a pattern starting with a wildcard gives `""`.
 *
 * @throws {TopicError} when the pattern is malformed.
 */
export function literalPrefix(pattern: string): string {
  const words = validatePattern(pattern);
  const firstWildcard = words.findIndex((word) => word === '*' || word === '#');
  if (firstWildcard === -1) return pattern;
  const literal = words.slice(0, firstWildcard).join('.');
  if (literal === '') return '';
  return words[firstWildcard] === '*' ? `${literal}.` : literal;
}
