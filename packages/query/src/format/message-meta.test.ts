import { describe, expect, it } from 'vitest';
import { archiveMessage, createEnvelope, type ArchivedMessage, type JsonObject } from '@statbus/core';
import { conglomerate } from './conglomerate.js';
import { listNames, messageLink, messageSubtitle, messageTitle, metaFields } from './message-meta.js';

function message(options: { topic?: string; headers?: Record<string, string>; body?: JsonObject; time?: number } = {}): ArchivedMessage {
  return archiveMessage(
    createEnvelope({
      topic: options.topic ?? 'org.fedoraproject.prod.bodhi.update.comment',
      producer: { name: 'bodhi', host: 'bodhi01', pid: 7, instance: 'b1' },
      seq: 1,
      headers: { usernames: 'adamw,kevin', packages: 'kernel, firefox', agent: 'adamw', ...options.headers },
      body: options.body ?? { comment: 'LGTM' },
      ...(options.time === undefined ? {} : { time: options.time }),
    }),
  );
}

describe(listNames, () => {
  it.each([
    [[], ''],
    [['a'], 'a'],
    [['a', 'b'], 'a and b'],
    [['a', 'b', 'c'], 'a, b and c'],
    [['a', 'b', 'c', 'd', 'e'], 'a, b, c and 2 more'],
  ])('should list %j as %j', (names, expected) => expect(listNames(names)).toBe(expected));
});

describe(metaFields, () => {
  describe('when every meta value is asked', () => {
    it('should fill title, subtitle, usernames, packages, objects and date, and leave link and icons null without a URL', () => {
      const m = message();
      expect(metaFields(m, ['title', 'subtitle', 'link', 'icon', 'secondary_icon', 'usernames', 'packages', 'objects', 'date'])).toEqual({
        title: 'bodhi.update.comment',
        subtitle: 'bodhi update comment by adamw on kernel and firefox, with kevin',
        link: null,
        icon: null,
        secondary_icon: null,
        usernames: ['adamw', 'kevin'],
        packages: ['kernel', 'firefox'],
        objects: ['packages/kernel', 'packages/firefox', 'users/adamw', 'users/kevin'],
        date: new Date(m.envelope.time).toISOString(),
      });
    });
  });
  describe('when the message carries a link, icons or its own subtitle', () => {
    it('should use them, http(s) URLs only', () => {
      const m = message({ headers: { subtitle: 'adamw said LGTM', icon: 'https://example.org/bodhi.png', link: 'javascript:alert(1)' }, body: { url: 'https://bodhi.example.org/updates/1' } });
      expect(metaFields(m, ['subtitle', 'link', 'icon', 'secondary_icon'])).toEqual({ subtitle: 'adamw said LGTM', link: 'https://bodhi.example.org/updates/1', icon: 'https://example.org/bodhi.png', secondary_icon: null });
      expect(messageLink(message({ headers: { link: 'https://example.org/x' } }))).toBe('https://example.org/x');
    });
  });
  describe('when the message has no users, packages or agent', () => {
    it('should name the producer', () => {
      const m = message({ topic: 'org.fedoraproject.prod.fas.user.create', headers: { usernames: '', packages: '', agent: '' } });
      expect(messageTitle(m)).toBe('fas.user.create');
      expect(messageSubtitle(m)).toBe('fas user create by bodhi');
    });
  });
});

describe(conglomerate, () => {
  it('should group by topic and actor in order of first appearance, keeping every message', () => {
    const comments = [message({ time: 3000 }), message({ time: 2000 }), message({ time: 1000 })];
    const other = message({ topic: 'org.fedoraproject.prod.koji.build.state.change', time: 2500 });
    const groups = conglomerate([comments[0], other, comments[1], comments[2]] as ArchivedMessage[], (m) => ({ id: m.envelope.id }));
    expect(groups.map((group) => Object.keys(group.msg_ids))).toEqual([comments.map((m) => m.envelope.id), [other.envelope.id]]);
    expect(groups[0]).toMatchObject({
      subtitle: 'adamw: 3 × bodhi update comment on kernel and firefox',
      start_time: 1,
      end_time: 3,
      timestamp: 2,
      topics: ['org.fedoraproject.prod.bodhi.update.comment'],
      categories: ['bodhi'],
      usernames: ['adamw', 'kevin'],
      packages: ['kernel', 'firefox'],
    });
    expect(groups[1]?.subtitle).toBe(messageSubtitle(other));
  });
});
