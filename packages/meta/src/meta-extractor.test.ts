import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, archiveMessage, createEnvelope } from '@statbus/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMetaRulesFile, parseMetaRules } from './load-meta-rules.js';
import { createMetaExtractor, defaultExtractors, deriveUsersAndPackages } from './meta-extractor.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-meta-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(deriveUsersAndPackages, () => {
  it("should find a real bodhi comment's author, mentions and package with the built-in facts", () => {
    const body = { comment: { author: 'ralph', text: 'LGTM /cc @codeblock', update_title: 'fedmsg-1.0-1.fc20' } };
    expect(deriveUsersAndPackages('org.fedoraproject.prod.bodhi.update.comment', body)).toEqual({ users: ['ralph', 'codeblock'], packages: ['fedmsg'] });
  });
});

describe(createMetaExtractor, () => {
  it("should try the caller's rules before Fedora's, and only those when builtIn is false", () => {
    const rules = [{ topic: 'bodhi.update.comment', users: ['comment.author'], packages: [] }];
    const body = { comment: { author: 'ralph', text: '@codeblock', update_title: 'fedmsg-1.0-1' } };
    expect(createMetaExtractor({ rules }).derive('org.fedoraproject.prod.bodhi.update.comment', body)).toMatchObject({ users: ['ralph'], packages: [] });
    expect(createMetaExtractor({ rules, builtIn: false }).derive('org.fedoraproject.prod.buildsys.tag', { owner: 'x' }).matched).toEqual({ users: false, packages: false });
  });
});

describe(defaultExtractors, () => {
  it('should plug into core archiveMessage as a MessageExtractor', () => {
    const envelope = createEnvelope({
      topic: 'org.fedoraproject.prod.buildsys.tag',
      body: { owner: 'ralph', user: 'bodhi', name: 'stage', version: '4.1.1', release: '3.fc18', tag: 'f18' },
      seq: 1,
      producer: { name: 'koji', host: 'h', pid: 1, instance: 'i' },
    });
    const archived = archiveMessage(envelope, { prefix: 'org.fedoraproject', extractors: defaultExtractors() });
    expect([archived.users, archived.packages]).toEqual([['ralph', 'bodhi'], ['stage']]);
  });

  it("should answer each message's users and packages from its own body, one message after another", () => {
    const [extractor] = defaultExtractors();
    const envelope = (owner: string, name: string) =>
      createEnvelope({ topic: 'org.fedoraproject.prod.buildsys.tag', body: { owner, name, version: '1', release: '1.fc18', tag: 'f18' }, seq: 1, producer: { name: 'koji', host: 'h', pid: 1, instance: 'i' } });
    const first = envelope('ralph', 'stage');
    const second = envelope('toshio', 'kernel');
    expect([extractor?.users?.(first), extractor?.packages?.(first), extractor?.users?.(second), extractor?.packages?.(second), extractor?.packages?.(first)]).toEqual([
      ['ralph'],
      ['stage'],
      ['toshio'],
      ['kernel'],
      ['stage'],
    ]);
  });
});

describe(loadMetaRulesFile, () => {
  it('should read rules and identities a user keeps in a JSON file', () => {
    const path = join(dir, 'rules.json');
    writeFileSync(path, JSON.stringify({ rules: [{ topic: 'shop.#', users: [{ path: 'buyer', as: 'nick' }] }], identities: { annie: 'ann' } }));
    const extractor = createMetaExtractor(loadMetaRulesFile(path));
    expect(extractor.derive('com.example.prod.shop.order', { buyer: 'annie' }).users).toEqual(['ann']);
  });

  it('should name the file and the problem when it is unreadable or malformed', () => {
    expect(() => loadMetaRulesFile(join(dir, 'missing.json'))).toThrow(ConfigError);
    let error: unknown;
    try {
      parseMetaRules({ rules: {}, extra: 1, identities: { a: 1 } }, 'x.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => [issue.path, issue.source])).toEqual([
      ['extra', 'x.json'],
      ['rules', 'x.json'],
      ['identities', 'x.json'],
    ]);
  });
});
