import { describe, expect, it } from 'vitest';
import { TopicError } from '../errors/topic-error.js';
import { buildTopic, parseTopic, resolveTopic, topicCategory, validateTopic } from './topic-grammar.js';

const namespace = { prefix: 'org.fedoraproject', env: 'prod' };

describe(parseTopic, () => {
  it('should split category, object, subobjects and event', () => {
    expect(parseTopic('org.fedoraproject.prod.bodhi.update.comment', namespace)).toEqual({
      prefix: 'org.fedoraproject',
      env: 'prod',
      category: 'bodhi',
      object: 'update',
      subobjects: [],
      event: 'comment',
    });
    expect(parseTopic('org.fedoraproject.prod.buildsys.build.state.change', namespace).subobjects).toEqual(['state']);
  });

  describe('when the topic is outside the namespace', () => {
    it('should throw naming the expected start', () => {
      expect(() => parseTopic('org.fedoraproject.stg.bodhi.update.comment', namespace)).toThrow(/does not start with "org.fedoraproject.prod."/);
    });
  });

  describe('when category, object or event is missing', () => {
    it('should throw a TopicError', () => {
      expect(() => parseTopic('org.fedoraproject.prod.bodhi.update', namespace)).toThrow(TopicError);
    });
  });
});

describe(validateTopic, () => {
  it('should return the words', () => {
    expect(validateTopic('a.b-c.d_e')).toEqual(['a', 'b-c', 'd_e']);
  });

  it.each([
    ['', /cannot be empty/],
    ['a..b', /word 2 is empty/],
    ['a.*', /wildcard/],
    ['a b', /white space/],
    ['x'.repeat(300), /255 bytes/],
  ])('should refuse %j', (topic, reason) => {
    expect(() => validateTopic(topic)).toThrow(reason);
  });

  it('should carry the ERR_TOPIC code', () => {
    expect(() => validateTopic('a..b')).toThrow(expect.objectContaining({ code: 'ERR_TOPIC', topic: 'a..b' }));
  });
});

describe(buildTopic, () => {
  it('should put prefix and env in front of a suffix', () => {
    expect(buildTopic(namespace, 'copr.build.end')).toBe('org.fedoraproject.prod.copr.build.end');
  });
});

describe(resolveTopic, () => {
  it('should accept a full topic or a suffix', () => {
    expect(resolveTopic(namespace, 'org.fedoraproject.prod.copr.build.end')).toBe('org.fedoraproject.prod.copr.build.end');
    expect(resolveTopic(namespace, 'copr.build.end')).toBe('org.fedoraproject.prod.copr.build.end');
  });
});

describe(topicCategory, () => {
  it('should take the word after prefix and env', () => {
    expect(topicCategory('org.statbus.dev.copr.build.end', 'org.statbus')).toBe('copr');
  });

  it("should follow Fedora's layout for foreign topics", () => {
    expect(topicCategory('org.fedoraproject.prod.bodhi.update.comment', 'org.statbus')).toBe('bodhi');
    expect(topicCategory('io.pagure.prod.pagure.git.receive')).toBe('pagure');
  });
});
