import { describe, expect, it } from 'vitest';
import { TopicError } from '../errors/topic-error.js';
import { UNCLASSIFIED_CATEGORY, buildTopic, parseTopic, resolveTopic, topicCategory, validateTopic } from './topic-grammar.js';

const namespace = { prefix: 'org.fedoraproject', env: 'prod' };

describe(parseTopic, () => {
  it('should split the category and the words after it', () => {
    expect(parseTopic('org.fedoraproject.prod.bodhi.update.comment', namespace)).toEqual({
      prefix: 'org.fedoraproject',
      env: 'prod',
      category: 'bodhi',
      event: 'update.comment',
      eventWords: ['update', 'comment'],
    });
    expect(parseTopic('org.fedoraproject.prod.buildsys.build.state.change', namespace).eventWords).toEqual(['build', 'state', 'change']);
  });

  it.each(['logger.log', 'buildsys.tag', 'buildsys.untag', 'git.receive', 'github.push', 'mailman.receive', 'irc.karma', 'pdc.compose', 'fas.user.create', 'ci.koji-build.test.complete', 'anitya.project_map.new', 'copr.build.end', 'Pagure2.x86_64.Done'])(
    'should accept the real topic shape <category>.%s (one or more words after the category)',
    (suffix) => {
      const parts = parseTopic(`org.fedoraproject.prod.${suffix}`, namespace);
      expect([parts.category, ...parts.eventWords].join('.')).toBe(suffix);
      expect(resolveTopic(namespace, suffix)).toBe(`org.fedoraproject.prod.${suffix}`);
    },
  );

  describe('when the topic is outside the namespace', () => {
    it('should throw naming the expected start', () => {
      expect(() => parseTopic('org.fedoraproject.stg.bodhi.update.comment', namespace)).toThrow(/does not start with "org.fedoraproject.prod."/);
    });
  });

  describe('when there is no word after the category', () => {
    it('should throw a TopicError naming the shape', () => {
      expect(() => parseTopic('org.fedoraproject.prod.bodhi', namespace)).toThrow(TopicError);
      expect(() => parseTopic('org.fedoraproject.prod.bodhi', namespace)).toThrow(/needs <category>\.<event…>.*got 1 word/);
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
    expect(topicCategory('org.fedoraproject.prod.logger.log', 'org.statbus')).toBe('logger');
  });

  it('should take the fourth word of foreign topics and the third of VirtualTopic ones, as datanommer does', () => {
    expect(topicCategory('a.b.c.d')).toBe('d');
    expect(topicCategory('VirtualTopic.eng.ci.brew-build.test.complete')).toBe('ci');
    expect(topicCategory('a.b.c')).toBe(UNCLASSIFIED_CATEGORY);
  });
});
