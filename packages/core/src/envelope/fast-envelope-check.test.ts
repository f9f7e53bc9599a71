import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEnvelope } from './validate-envelope.js';
import { isParsedEnvelope } from './fast-envelope-check.js';

const valid = {
  id: '2026-6f1c2b1e-8b1a-4d2b-9c1e-0d6c3f6f9a10',
  topic: 'org.statbus.dev.bodhi.update.comment',
  time: 1_790_000_000_000,
  producer: { name: 'bodhi', host: 'h', pid: 1, instance: 'i' },
  seq: 1,
  headers: { usernames: 'alice' },
  body: { a: 1 },
};

const mutation = fc.oneof(
  fc.record({ field: fc.constantFrom('id', 'topic', 'time', 'seq', 'headers', 'body', 'signature', 'producer', 'extra'), value: fc.jsonValue() }),
  fc.record({ field: fc.constantFrom('producer.name', 'producer.host', 'producer.pid', 'producer.instance', 'producer.extra', 'headers.x'), value: fc.jsonValue() }),
);

describe(isParsedEnvelope, () => {
  it('should agree with the zod schema on valid and mutated envelopes', () => {
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 3 }), (mutations) => {
        const candidate = JSON.parse(JSON.stringify(valid)) as Record<string, Record<string, unknown>>;
        for (const { field, value } of mutations) {
          const [head, tail] = field.split('.') as [string, string | undefined];
          if (tail === undefined) (candidate as Record<string, unknown>)[head] = value;
          else if (typeof candidate[head] === 'object' && candidate[head] !== null) candidate[head][tail] = value;
        }
        const parsed = JSON.parse(JSON.stringify(candidate)) as unknown;
        expect(isParsedEnvelope(parsed)).toBe(checkEnvelope(parsed, { fromJson: true }).ok);
      }),
      { numRuns: 3000 },
    );
  });

  it('should judge each topic on its own, whatever was checked before it', () => {
    for (const topic of ['', valid.topic, 'a..b', valid.topic, '', 'a.b c', valid.topic, 'a.b']) {
      expect(isParsedEnvelope({ ...valid, topic }), JSON.stringify(topic)).toBe(checkEnvelope({ ...valid, topic }, { fromJson: true }).ok);
    }
  });

  it('should accept a valid envelope and refuse wildcard topics', () => {
    expect(isParsedEnvelope(valid)).toBe(true);
    expect(isParsedEnvelope({ ...valid, topic: 'a.*.b' })).toBe(false);
  });
});
