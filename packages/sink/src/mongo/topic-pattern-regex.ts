import { validatePattern } from '@statbus/core';

/** Escapes text for a regular expression that both PCRE (MongoDB) and JavaScript read literally. */
export function escapeRegexLiteral(text: string): string {
  // `-` and `/` are literal outside a class in both dialects; escaping `-` is an error in JavaScript's `u` mode.
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * An anchored regular expression source matching exactly the topics an AMQP pattern matches (`*` one word,
 * `#` zero or more), or `undefined` for a pattern of only `#` (every topic). The literal words before the
 * first wildcard stay a literal prefix, so MongoDB answers it from the topic index.
 *
 * Built as the core matcher's expression over `"." + topic`, then rewritten to work on the topic itself:
 * a leading `\.word` loses its dot, and a leading `#` becomes `(?:[^.]+\.)*` before the next word.
 *
 * @throws {TopicError} when the pattern is malformed.
 */
export function topicPatternRegex(pattern: string): string | undefined {
  const words = validatePattern(pattern).filter((word, index, all) => !(word === '#' && all[index - 1] === '#'));
  if (words.every((word) => word === '#')) return undefined;
  const piece = (word: string): string => (word === '*' ? '[^.]+' : escapeRegexLiteral(word));
  const parts: string[] = [];
  words.forEach((word, index) => {
    if (index === 0) {
      parts.push(word === '#' ? '(?:[^.]+\\.)*' : piece(word));
    } else if (index === 1 && words[0] === '#') {
      parts.push(piece(word));
    } else {
      parts.push(word === '#' ? '(?:\\.[^.]+)*' : `\\.${piece(word)}`);
    }
  });
  return `^${parts.join('')}$`;
}
