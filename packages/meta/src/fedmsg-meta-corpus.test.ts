import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JsonObject } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { createMetaExtractor } from './meta-extractor.js';

// Real Fedora messages with the users and packages fedmsg_meta_fedora_infrastructure's own tests expect
// (`expected_usernames` / `expected_packages`; null where a test gives none). `holdout` marks messages
// transcribed after the rules of their family were written, scored apart.
interface CorpusMessage {
  readonly name: string;
  readonly topic: string;
  readonly body: JsonObject;
  readonly usernames: readonly string[] | null;
  readonly packages: readonly string[] | null;
  readonly holdout?: boolean;
}

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const corpus = readdirSync(`${fixtures}corpus`)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .flatMap((file) => (JSON.parse(readFileSync(`${fixtures}corpus/${file}`, 'utf8')) as CorpusMessage[]).map((message) => ({ ...message, file })));
// fedmsg_meta's tests ran with this FAS cache (email and nick → username); the expectations depend on it.
const identities = JSON.parse(readFileSync(`${fixtures}identities.json`, 'utf8')) as Record<string, string>;

const sameSet = (a: readonly string[], b: readonly string[]): boolean => new Set(a).size === new Set(b).size && a.every((item) => b.includes(item));

function score(messages: typeof corpus, field: 'usernames' | 'packages', options = { identities }): { exact: number; total: number; misses: string[] } {
  const extractor = createMetaExtractor(options);
  const scored = messages.filter((message) => message[field] !== null);
  const misses = scored.filter((message) => {
    const derived = extractor.derive(message.topic, message.body);
    return !sameSet(field === 'usernames' ? derived.users : derived.packages, message[field] ?? []);
  });
  return { exact: scored.length - misses.length, total: scored.length, misses: misses.map((message) => `${message.file} ${message.name}`) };
}

describe('the built-in rules on fedmsg_meta’s expectations', () => {
  it('should hold a corpus of real messages of many families, with messages expected to have none', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    expect(new Set(corpus.map((message) => message.file)).size).toBeGreaterThanOrEqual(25);
    expect(corpus.some((message) => message.usernames?.length === 0)).toBe(true);
    expect(corpus.some((message) => message.packages?.length === 0)).toBe(true);
  });

  describe.each([
    ['usernames', false],
    ['usernames', true],
    ['packages', false],
    ['packages', true],
  ] as const)('%s (hold-out: %s)', (field, holdout) => {
    it('should give exactly the expected set for at least 90% of messages', () => {
      const result = score(corpus.filter((message) => (message.holdout ?? false) === holdout), field);
      expect(result.total).toBeGreaterThan(10);
      expect(result.exact / result.total, result.misses.join('\n')).toBeGreaterThanOrEqual(0.9);
    });
  });

  it('should give every message of the corpus exactly its expected users and packages (what the rules reach today)', () => {
    const users = score(corpus, 'usernames');
    const packages = score(corpus, 'packages');
    expect(users.misses).toEqual([]);
    expect(packages.misses).toEqual([]);
    expect([users.total, packages.total]).toEqual([189, 167]);
  });

  it('should still reach 90% for users without the FAS cache (only nicks and emails it alone knew are missed)', () => {
    const users = score(corpus, 'usernames', { identities: {} });
    expect(users.exact / users.total, users.misses.join('\n')).toBeGreaterThanOrEqual(0.95);
  });
});
