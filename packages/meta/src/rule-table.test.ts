import { ConfigError } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import type { ExtractionRule } from './extraction-rule.js';
import { RuleTable, topicSubject } from './rule-table.js';

describe(topicSubject, () => {
  it('should take what follows the configured prefix and environment', () => {
    expect(topicSubject('com.example.apps.prod.ci.build.done', 'com.example.apps')).toEqual(['ci', 'build', 'done']);
  });
  it('should take what follows the third word of a topic under another prefix', () => {
    expect(topicSubject('io.pagure.prod.pagure.issue.new', 'org.fedoraproject')).toEqual(['pagure', 'issue', 'new']);
  });
});

describe(RuleTable, () => {
  describe('.derive', () => {
    const table = new RuleTable(
      [
        { topic: 'shop.order.#', users: ['buyer', 'seller.name', { path: 'note', as: 'mentions' }], packages: [{ path: 'items[].nvr', as: 'nvr' }] },
        { topic: 'shop.#', users: ['agent', { path: 'email', as: 'email', fallback: true }], packages: [] },
        { topic: 'repo.push.#', when: { path: 'namespace', notIn: ['rpms'], whenMissing: false }, packages: [] },
        { topic: 'repo.push.#', users: [{ path: 'people.*', except: ['bot*'] }], packages: [{ path: 'path', as: 'dist-git' }, { topicWords: [2], fallback: true }] },
        { topic: 'repo.#', packages: ['list[kind=rpm].name'] },
      ],
      { identities: { 'r@example.com': 'ralph' }, prefix: 'org.example' },
    );

    it('should read paths, arrays and typed transforms', () => {
      const body = { buyer: 'ann', seller: { name: 'bob' }, note: 'thanks @carl', items: [{ nvr: 'kernel-6.1-1.fc39' }, { nvr: 'foo-bar-1.0-2' }] };
      expect(table.derive('org.example.prod.shop.order.paid', body)).toEqual({
        users: ['ann', 'bob', 'carl'],
        packages: ['kernel', 'foo-bar'],
        matched: { users: true, packages: true },
      });
    });

    it('should use a fallback only when the sources before it found nothing, and map emails to usernames', () => {
      expect(table.derive('org.example.prod.shop.cart.add', { agent: 'dan', email: 'x@y' }).users).toEqual(['dan']);
      expect(table.derive('org.example.prod.shop.cart.add', { email: 'r@example.com' }).users).toEqual(['ralph']);
      expect(table.derive('org.example.prod.shop.cart.add', { email: 'eve@fedoraproject.org' }).users).toEqual(['eve']);
    });

    it('should let a rule with a condition decide first, and the next rule decide otherwise', () => {
      expect(table.derive('org.example.prod.repo.push', { namespace: 'modules', path: 'modules/foo' }).packages).toEqual([]);
      expect(table.derive('org.example.prod.repo.push', { namespace: 'rpms', path: 'rpms/foo.git' }).packages).toEqual(['foo']);
      expect(table.derive('org.example.prod.repo.push.legacy', {}).packages).toEqual(['legacy']);
    });

    it('should walk object values, leave out excluded values and filter array elements', () => {
      expect(table.derive('org.example.prod.repo.push', { people: { a: 'ann', b: 'bot-ci' } }).users).toEqual(['ann']);
      expect(table.derive('org.example.prod.repo.tag', { list: [{ kind: 'RPM', name: 'a' }, { kind: 'module', name: 'b' }] }).packages).toEqual(['a']);
    });

    it('should say nothing matched for a topic no rule knows, and never throw on odd bodies', () => {
      expect(table.derive('org.example.prod.other.thing', { buyer: 'x' })).toEqual({ users: [], packages: [], matched: { users: false, packages: false } });
      expect(table.derive('org.example.prod.shop.order.paid', { buyer: 42, seller: null, items: 'nope', note: { text: 1 } }).users).toEqual([]);
    });
  });

  describe('when a rule is wrong', () => {
    it('should throw one ConfigError naming every problem', () => {
      const bad = [
        { topic: 'a.b*', users: ['x'] },
        { topic: 'a.#', users: [{ path: 'x', as: 'shout' }], extra: 1 },
        { topic: 'a.#', packages: [{ path: 'x', value: 'y' }, { path: 'y', split: '(' }] },
      ] as unknown as ExtractionRule[];
      let error: unknown;
      try {
        new RuleTable(bad);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues.map((issue) => issue.path);
      expect(issues).toEqual(expect.arrayContaining(['rules[0].topic', 'rules[1].users[0].as', 'rules[1].extra', 'rules[2].packages[0]', 'rules[2].packages[1].split']));
      expect((error as ConfigError).code).toBe('ERR_CONFIG');
    });
  });
});
