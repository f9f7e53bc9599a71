import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopicError } from '../errors/topic-error.js';
import { compilePattern, compilePatterns, literalPrefix, matchTopic, validatePattern } from './topic-pattern.js';

/** Reference matcher, word by word, straight from the AMQP definition. */
function reference(pattern: readonly string[], topic: readonly string[]): boolean {
  if (pattern.length === 0) return topic.length === 0;
  const [head, ...rest] = pattern;
  if (head === '#') return reference(rest, topic) || (topic.length > 0 && reference(pattern, topic.slice(1)));
  if (topic.length === 0) return false;
  return (head === '*' || head === topic[0]) && reference(rest, topic.slice(1));
}

const word = fc.constantFrom('a', 'b', 'c', 'build', 'org', 'pull-request', 'x/y', 'c++');
const patternWord = fc.oneof(word, fc.constant('*'), fc.constant('#'));

describe(compilePattern, () => {
  it('should agree with the word-by-word AMQP definition on random patterns and topics', () => {
    fc.assert(
      fc.property(fc.array(patternWord, { minLength: 1, maxLength: 6 }), fc.array(word, { minLength: 1, maxLength: 7 }), (pattern, topic) => {
        expect(compilePattern(pattern.join('.')).test(topic.join('.'))).toBe(reference(pattern, topic));
      }),
      { numRuns: 2000 },
    );
  });

  it('should treat regular-expression characters in words literally', () => {
    expect(matchTopic('a.b+c.*', 'a.b+c.d')).toBe(true);
    expect(matchTopic('a.b+c.*', 'a.bbc.d')).toBe(false);
    expect(matchTopic('a.(x).#', 'a.(x)')).toBe(true);
    expect(matchTopic('a.pull-request.*', 'a.pull-request.new')).toBe(true);
    expect(matchTopic('a.x/y|z.*', 'a.x/y|z.new')).toBe(true);
  });

  describe('when a pattern has no wildcard', () => {
    it('should match only the same topic', () => {
      const matcher = compilePattern('a.b.c');
      expect([matcher.test('a.b.c'), matcher.test('a.b.cd'), matcher.test('a.b')]).toEqual([true, false, false]);
    });
  });
});

describe(compilePatterns, () => {
  it('should match when any pattern matches', () => {
    const matcher = compilePatterns(['a.*', 'b.#']);
    expect([matcher.test('a.x'), matcher.test('b'), matcher.test('c.x')]).toEqual([true, true, false]);
  });
});

describe(validatePattern, () => {
  it('should name the empty word', () => {
    expect(() => validatePattern('a..b')).toThrow(/word 2 is empty/);
  });

  it('should refuse wildcards glued to letters', () => {
    expect(() => validatePattern('a.b*')).toThrow(TopicError);
  });
});

describe(literalPrefix, () => {
  it.each([
    ['a.b.c', 'a.b.c'],
    ['a.b.*', 'a.b.'],
    ['a.b.#', 'a.b'],
    ['a.*.c', 'a.'],
    ['a.#.c', 'a'],
    ['#', ''],
    ['*.b', ''],
  ])('should give %j → %j', (pattern, prefix) => {
    expect(literalPrefix(pattern)).toBe(prefix);
  });

  it('should be a prefix of every topic the pattern matches', () => {
    fc.assert(
      fc.property(fc.array(patternWord, { minLength: 1, maxLength: 5 }), fc.array(word, { minLength: 1, maxLength: 6 }), (pattern, topic) => {
        const joined = pattern.join('.');
        if (matchTopic(joined, topic.join('.'))) expect(topic.join('.').startsWith(literalPrefix(joined))).toBe(true);
      }),
    );
  });
});
