import { TopicError } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { topicPatterns, topicPatternsOf } from './resolve-pattern.js';

const config = { topic_prefix: 'org.statbus', environment: 'dev' };

describe(topicPatterns, () => {
  it('should match a short form both as given and under <prefix>.<env>.', () => {
    expect(topicPatterns(config, 'bodhi.#')).toEqual(['bodhi.#', 'org.statbus.dev.bodhi.#']);
  });

  it('should let a full topic under another prefix match as given', () => {
    expect(topicPatterns(config, 'org.fedoraproject.prod.bodhi.update.comment')).toContain('org.fedoraproject.prod.bodhi.update.comment');
  });

  it('should take a value already under <prefix>.<env>. alone', () => {
    expect(topicPatterns(config, 'org.statbus.dev.git.receive')).toEqual(['org.statbus.dev.git.receive']);
  });

  it('should take a value starting with # alone (it matches under every prefix)', () => {
    expect(topicPatterns(config, '#')).toEqual(['#']);
    expect(topicPatterns(config, '#.comment')).toEqual(['#.comment']);
  });

  it('should refuse a malformed value with a TopicError', () => {
    expect(() => topicPatterns(config, 'bodhi..x')).toThrow(TopicError);
  });

  it('should make a malformed --topic a usage error (exit 2) naming the flag', () => {
    const failure = ((): unknown => {
      try {
        return topicPatternsOf(config, ['bodhi.#', 'a..b']);
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(CliError);
    expect(failure).toMatchObject({ exitCode: 2 });
    expect((failure as Error).message).toMatch(/^--topic: Invalid pattern "a\.\.b"/u);
  });
});

describe(topicPatternsOf, () => {
  it('should list each pattern once', () => {
    expect(topicPatternsOf(config, ['git.receive', 'org.statbus.dev.git.receive'])).toEqual(['git.receive', 'org.statbus.dev.git.receive']);
  });
});
