import { describe, expect, it } from 'vitest';
import { QueryError } from '../errors/query-error.js';
import { createEnvelope } from '../envelope/create-envelope.js';
import { archiveMessage } from './archive-message.js';
import { queryWindow, validateMessageQuery } from './validate-message-query.js';

function fieldOf(value: unknown): string | undefined {
  try {
    validateMessageQuery(value);
  } catch (error) {
    if (error instanceof QueryError) return error.field;
    throw error;
  }
  return undefined;
}

describe(validateMessageQuery, () => {
  it('should accept a full query', () => {
    const query = { start: 1, end: 2, topics: ['a.b.c'], notUsers: ['bob'], contains: ['(x'], containsCase: 'insensitive', order: 'asc', page: 2, rowsPerPage: 100 };
    expect(validateMessageQuery(query)).toEqual(query);
  });

  it.each([
    [{ topic: ['x'] }, 'topic'],
    [{ start: 10, end: 5 }, 'end'],
    [{ rowsPerPage: 0 }, 'rowsPerPage'],
    [{ rowsPerPage: 5000 }, 'rowsPerPage'],
    [{ page: 0 }, 'page'],
    [{ order: 'up' }, 'order'],
    [{ containsCase: 'folded' }, 'containsCase'],
    [{ users: [''] }, 'users.0'],
    [{ cursor: '' }, 'cursor'],
    [{ start: 'yesterday' }, 'start'],
  ])('should name the bad field of %j', (query, field) => {
    expect(fieldOf(query)).toBe(field);
  });
});

describe(queryWindow, () => {
  it('should apply delta before end (default now)', () => {
    expect(queryWindow({ delta: 1000 }, 10_000)).toEqual({ start: 9000, end: 10_000 });
    expect(queryWindow({ delta: 1000, end: 5000 }, 10_000)).toEqual({ start: 4000, end: 5000 });
    expect(queryWindow({ delta: 1000, start: 5000 }, 10_000)).toEqual({ start: 5000, end: 6000 });
    expect(queryWindow({}, 10_000)).toEqual({});
  });
});

describe(archiveMessage, () => {
  const producer = { name: 'p', host: 'h', pid: 1, instance: 'i' };

  it('should take users, packages and agent from the headers', () => {
    const envelope = createEnvelope({
      topic: 'org.statbus.dev.bodhi.update.comment',
      body: {},
      producer,
      seq: 1,
      headers: { usernames: 'alice, bob,alice', packages: 'kernel', agent: 'alice' },
    });
    expect(archiveMessage(envelope, { prefix: 'org.statbus' })).toEqual({ envelope, category: 'bodhi', users: ['alice', 'bob'], packages: ['kernel'], agent: 'alice' });
  });

  it('should ask the extractor when a header is absent', () => {
    const envelope = createEnvelope({ topic: 'org.statbus.dev.copr.build.end', body: { owner: 'carol', pkg: 'vim' }, producer, seq: 1 });
    const archived = archiveMessage(envelope, {
      extractor: () => ({ patterns: ['#'], users: (e) => [e.body['owner'] as string], packages: (e) => [e.body['pkg'] as string] }),
    });
    expect([archived.users, archived.packages, archived.agent]).toEqual([['carol'], ['vim'], undefined]);
  });
});
