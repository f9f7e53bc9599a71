import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvelopeError } from '../errors/envelope-error.js';
import { createEnvelope } from './create-envelope.js';
import { newMessageId } from './message-id.js';
import { validateEnvelope } from './validate-envelope.js';

const producer = { name: 'bodhi', host: 'bodhi01', pid: 42, instance: 'i-1' };

function valid(): Record<string, unknown> {
  return {
    id: '2026-6f1c2b1e-8b1a-4d2b-9c1e-0d6c3f6f9a10',
    topic: 'org.statbus.dev.bodhi.update.comment',
    time: 1_790_000_000_000,
    producer,
    seq: 1,
    headers: { usernames: 'alice' },
    body: { comment: 'LGTM' },
  };
}

function issuesOf(value: unknown): string[] {
  try {
    validateEnvelope(value);
  } catch (error) {
    if (error instanceof EnvelopeError) return error.issues.map((issue) => issue.path);
    throw error;
  }
  return [];
}

describe(newMessageId, () => {
  it("should use fedmsg's <year>-<uuid> form, with a version 7 UUID that starts with the time", () => {
    const time = Date.UTC(2024, 5, 1, 12, 30);
    const id = newMessageId(time);
    expect(id).toMatch(/^2024-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(5, 18).replace('-', ''), 16)).toBe(time);
  });

  it('should take the year of the time at the turn of a year, and the 48-bit time whatever came before', () => {
    const lastMs = Date.UTC(2025, 11, 31, 23, 59, 59, 999);
    for (const time of [lastMs, lastMs + 1, lastMs, Date.UTC(1999, 0, 1), 0, 2 ** 47 + 12345]) {
      const id = newMessageId(time);
      const year = String(new Date(time).getUTCFullYear());
      expect(id.startsWith(`${year}-`)).toBe(true);
      const uuid = id.slice(year.length + 1);
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(uuid.slice(0, 13).replace('-', ''), 16)).toBe(time);
    }
  });

  it('should draw its random bits anew for each id (thousands of ids in one millisecond, none twice)', () => {
    const time = Date.UTC(2026, 10, 28);
    const ids = Array.from({ length: 10_000 }, () => newMessageId(time));
    expect(new Set(ids).size).toBe(ids.length);
    const tails = new Set(ids.map((id) => id.slice(-12)));
    expect(tails.size).toBe(ids.length);
  });

  it('should make ids that sort in time order, and never the same id twice', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }), { minLength: 2, maxLength: 50 }), (times) => {
        const sorted = [...times].sort((a, b) => a - b);
        const ids = sorted.map((time) => newMessageId(time));
        expect(new Set(ids).size).toBe(ids.length);
        for (let index = 1; index < ids.length; index += 1) {
          if ((sorted[index] as number) > (sorted[index - 1] as number)) expect((ids[index] as string) > (ids[index - 1] as string)).toBe(true);
        }
      }),
    );
  });
});

describe(createEnvelope, () => {
  it('should fill in id and time and keep the canonical field order', () => {
    const envelope = createEnvelope({ topic: 'org.statbus.dev.a.b.c', body: { x: 1 }, producer, seq: 3 });
    expect(Object.keys(envelope)).toEqual(['id', 'topic', 'time', 'producer', 'seq', 'headers', 'body']);
    expect(envelope.id.startsWith(`${new Date(envelope.time).getUTCFullYear()}-`)).toBe(true);
  });

  it('should refuse a body holding what JSON cannot carry', () => {
    expect(() => createEnvelope({ topic: 'a.b.c', body: { when: new Date() as never }, producer, seq: 1 })).toThrow(EnvelopeError);
    expect(() => createEnvelope({ topic: 'a.b.c', body: { n: Number.NaN }, producer, seq: 1 })).toThrow(/body\.n/);
  });
});

describe(validateEnvelope, () => {
  it('should accept a valid envelope unchanged', () => {
    expect(validateEnvelope(valid())).toEqual(valid());
  });

  it('should accept a plain UUID id (fedora-messaging)', () => {
    expect(validateEnvelope({ ...valid(), id: '6f1c2b1e-8b1a-4d2b-9c1e-0d6c3f6f9a10' }).id).toBe('6f1c2b1e-8b1a-4d2b-9c1e-0d6c3f6f9a10');
  });

  describe('when fields are missing', () => {
    it('should list every one of them', () => {
      const { topic: _topic, seq: _seq, ...rest } = valid();
      expect(issuesOf(rest)).toEqual(expect.arrayContaining(['topic', 'seq']));
    });
  });

  describe('when fields have the wrong type', () => {
    it.each([
      ['time', '2026-01-01', 'time'],
      ['seq', 0, 'seq'],
      ['seq', 1.5, 'seq'],
      ['headers', { severity: 3 }, 'headers.severity'],
      ['body', [1, 2], 'body'],
      ['body', 'text', 'body'],
      ['topic', 'a..b', 'topic'],
      ['id', 'has space', 'id'],
      ['producer', { name: 'x' }, 'producer.host'],
    ])('should name %s', (field, value, path) => {
      expect(issuesOf({ ...valid(), [field]: value })).toContain(path);
    });
  });

  it('should refuse unknown top-level fields', () => {
    expect(() => validateEnvelope({ ...valid(), extra: true })).toThrow(/unknown field\(s\) extra/);
  });

  it('should refuse what is not an object', () => {
    expect(() => validateEnvelope('{"id":1}')).toThrow(EnvelopeError);
    expect(() => validateEnvelope(null)).toThrow(EnvelopeError);
  });
});
