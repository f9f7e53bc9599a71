import type { TopicMatcher } from '@statbus/core';

/** Topics whose answer is remembered at most; past it the memory starts again (a bus has few topics). */
const MAX_REMEMBERED = 4096;

/**
 * `matcher` with its answer remembered per topic: a subscription tests every message's topic, and topics
 * repeat (the frame readers give the same string again for the same topic, so the lookup does not even
 * hash it twice), while a wildcard pattern costs a regular-expression run.
 */
export function cachedMatcher(matcher: TopicMatcher): TopicMatcher {
  const answers = new Map<string, boolean>();
  return {
    pattern: matcher.pattern,
    test(topic: string): boolean {
      let answer = answers.get(topic);
      if (answer === undefined) {
        answer = matcher.test(topic);
        if (answers.size >= MAX_REMEMBERED) answers.clear();
        answers.set(topic, answer);
      }
      return answer;
    },
  };
}
