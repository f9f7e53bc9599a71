import { compilePatterns } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { cachedMatcher } from './cached-matcher.js';

describe('cachedMatcher', () => {
  it('should answer as the matcher it wraps, asking it once per topic', () => {
    const inner = compilePatterns(['org.a.*.x', 'org.b.#']);
    let asked = 0;
    const matcher = cachedMatcher({ pattern: inner.pattern, test: (topic) => (asked += 1, inner.test(topic)) });
    const topics = ['org.a.k.x', 'org.a.k.y', 'org.b', 'org.b.c.d', 'org.c'];
    for (let round = 0; round < 3; round += 1) expect(topics.map((topic) => matcher.test(topic))).toEqual(topics.map((topic) => inner.test(topic)));
    expect(asked).toBe(topics.length);
    expect(matcher.pattern).toBe(inner.pattern);
  });
});
