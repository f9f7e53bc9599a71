import { describe, expect, it } from 'vitest';
import { matchTopic } from '@statbus/core';
import { PATTERN_CASES } from '@statbus/testing';
import { topicPatternRegex } from './topic-pattern-regex.js';

const EXTRA = [
  ['#', 'a'],
  ['#.#', 'a.b'],
  ['#.b', 'b'],
  ['#.b', 'a.b'],
  ['#.b', 'ab'],
  ['a.#.#.b', 'a.b'],
  ['a.#.b', 'a.x.y.b'],
  ['*.#', 'a'],
  ['#.*', 'a.b.c'],
  ['a.*.#.c', 'a.b.c'],
  ['a.*.#.c', 'a.c'],
  ['org.x+y.#', 'org.x+y.z'],
  ['org.x+y.#', 'org.xxy.z'],
] as const;

describe(topicPatternRegex, () => {
  describe('when given every case of the shared pattern table and some more', () => {
    it('should match exactly what the core matcher matches', () => {
      const cases = [...PATTERN_CASES.map((c) => [c.pattern, c.topic] as const), ...EXTRA];
      for (const [pattern, topic] of cases) {
        const source = topicPatternRegex(pattern);
        const matches = source === undefined ? topic.length > 0 : new RegExp(source).test(topic);
        expect({ pattern, topic, matches }).toEqual({ pattern, topic, matches: matchTopic(pattern, topic) });
      }
    });
  });
  describe('when the pattern starts with literal words', () => {
    it('should keep them as an anchored literal prefix', () => {
      expect(topicPatternRegex('org.fedoraproject.prod.koji.#')).toBe('^org\\.fedoraproject\\.prod\\.koji(?:\\.[^.]+)*$');
    });
  });
  describe('when the pattern is only #', () => {
    it('should need no regex', () => {
      expect(topicPatternRegex('#.#')).toBeUndefined();
    });
  });
});
