import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEnvelope } from './validate-envelope.js';
import { isBuiltEnvelope, isParsedEnvelope } from './fast-envelope-check.js';

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

const hasProtoKey = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && (Object.hasOwn(value, '__proto__') || Object.values(value).some(hasProtoKey));

describe(isBuiltEnvelope, () => {
  const anything = fc.anything({
    withBoxedValues: true,
    withMap: true,
    withSet: true,
    withDate: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    withBigInt: true,
    maxDepth: 4,
  });

  it('should accept only what the zod schema accepts, for bodies and headers of any kind', () => {
    fc.assert(
      fc.property(anything, anything, (body, headers) => {
        for (const candidate of [{ ...valid, body }, { ...valid, headers }, { ...valid, body, headers }]) {
          if (isBuiltEnvelope(candidate)) expect(checkEnvelope(candidate).ok).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('should agree with the zod schema on bodies of JSON values (bar __proto__ keys, left to the schema)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (body) => {
        const fast = isBuiltEnvelope({ ...valid, body });
        if (hasProtoKey(body)) expect(fast).toBe(false);
        else expect(fast).toBe(checkEnvelope({ ...valid, body }).ok);
      }),
      { numRuns: 1000 },
    );
  });

  it('should leave to the schema what it refuses or changes: non-finite numbers, holes, symbol and __proto__ keys, class instances, cycles', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const protoKey = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    // eslint-disable-next-line no-sparse-arrays -- the hole is the case
    for (const body of [{ n: Number.NaN }, { a: [1, , 3] }, { [Symbol('s')]: 1 }, protoKey, { d: new Date(0) }, { m: new Map() }, cyclic, { u: undefined }]) {
      expect(isBuiltEnvelope({ ...valid, body })).toBe(false);
    }
    expect(isBuiltEnvelope({ ...valid, headers: protoKey })).toBe(false);
    expect(isBuiltEnvelope({ ...valid, headers: { [Symbol('s')]: 'x' } })).toBe(false);
    expect(isBuiltEnvelope({ ...valid, body: { deep: { er: [{ x: ['y', 1, true, null] }] } } })).toBe(true);
  });
});
