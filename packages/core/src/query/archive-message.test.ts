import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../envelope/create-envelope.js';
import { archiveMessage, selectExtractor, type MessageExtractor } from './archive-message.js';

const producer = { name: 'p', host: 'h', pid: 1, instance: 'i' };
const envelope = (headers: Record<string, string> = {}) =>
  createEnvelope({ topic: 'org.fedoraproject.prod.bodhi.update.comment', body: { author: 'alice', pkg: 'kernel' }, seq: 1, producer, headers });

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const bodhi: MessageExtractor = { patterns: ['org.fedoraproject.*.bodhi.#'], users: (e) => [text(e.body['author'])], packages: (e) => [text(e.body['pkg'])] };
const never: MessageExtractor = { patterns: ['org.fedoraproject.*.koji.#'], users: () => ['wrong'] };

describe(archiveMessage, () => {
  it('should derive users and packages with the first extractor whose patterns match', () => {
    const archived = archiveMessage(envelope(), { prefix: 'org.fedoraproject', extractors: [never, bodhi] });
    expect([archived.category, archived.users, archived.packages]).toEqual(['bodhi', ['alice'], ['kernel']]);
  });

  it('should keep what the headers give, an empty list included, and derive only what they do not', () => {
    const archived = archiveMessage(envelope({ usernames: 'bob, carol' }), { extractors: [bodhi] });
    expect([archived.users, archived.packages]).toEqual([['bob', 'carol'], ['kernel']]);
    expect(archiveMessage(envelope({ usernames: '', packages: '' }), { extractors: [bodhi] })).toMatchObject({ users: [], packages: [] });
  });

  it("should read fedora-messaging's user and rpm markers as given", () => {
    const archived = archiveMessage(envelope({ fedora_messaging_user_dave: 'true', fedora_messaging_rpm_vim: 'true' }), { extractor: selectExtractor([bodhi]) });
    expect([archived.users, archived.packages]).toEqual([['dave'], ['vim']]);
  });

  it('should treat an extractor that throws as finding nothing', () => {
    const broken: MessageExtractor = { patterns: ['#'], users: () => { throw new Error('boom'); } };
    expect(archiveMessage(envelope(), { extractors: [broken] })).toMatchObject({ users: [], packages: [] });
  });
});
