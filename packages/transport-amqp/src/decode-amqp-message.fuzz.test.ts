import { StatbusError, encodeEnvelope } from '@statbus/core';
import { envelopeFactory } from '@statbus/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAmqpMessage } from './decode-amqp-message.js';
import { encodeFedoraMessaging } from './fedora-messaging-format.js';

// Each property is bounded in runs and in time, so the suite stays a few seconds.
const BOUND = { numRuns: 1500, interruptAfterTimeLimit: 4000 } as const;
const TOPIC = 'org.statbus.dev.fuzz.sample';
const envelope = envelopeFactory()(TOPIC);
const statbusBytes = encodeEnvelope(envelope);
const fedora = encodeFedoraMessaging(envelope, { persistent: true, maxMessageBytes: 1 << 20 });

type Message = Parameters<typeof decodeAmqpMessage>[0];

function message(content: Buffer, properties: object = {}, routingKey = TOPIC): Message {
  return { content, fields: { routingKey } as Message['fields'], properties: properties as unknown as Message['properties'] };
}

function decodeOrRefuse(input: Message): void {
  try {
    expect(typeof decodeAmqpMessage(input, 1 << 16).id).toBe('string');
  } catch (error) {
    expect(error).toBeInstanceOf(StatbusError);
    expect((error as StatbusError).code).toMatch(/^ERR_(CODEC|ENVELOPE|MESSAGE_TOO_LARGE|TOPIC)$/u);
  }
}

const headerValue = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }), fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)));
const fedoraHeaders = fc.dictionary(
  fc.oneof(fc.constantFrom('fedora_messaging_schema', 'fedora_messaging_severity', 'sent-at', 'priority', 'statbus_producer', 'fedora_messaging_user_bob', 'fedora_messaging_rpm_x,y', 'x-death'), fc.string()),
  headerValue,
  { maxKeys: 6 },
);
const properties = fc.record(
  { headers: fc.oneof(fedoraHeaders, fc.constant(null)), messageId: fc.oneof(fc.uuid(), fc.string(), fc.integer()), timestamp: fc.oneof(fc.integer(), fc.string(), fc.double()), contentEncoding: fc.oneof(fc.constant('utf-8'), fc.string()), contentType: fc.oneof(fc.constant('application/json'), fc.string()), appId: fc.oneof(fc.string(), fc.integer()) },
  { requiredKeys: [] },
);

function mutate(bytes: Buffer, edits: readonly (readonly [number, number, boolean])[]): Buffer {
  const out = [...bytes];
  for (const [at, byte, cut] of edits) {
    if (cut) out.splice(at % Math.max(out.length, 1), 1 + (byte % 24));
    else out[at % Math.max(out.length, 1)] = byte;
  }
  return Buffer.from(out);
}
const edits = fc.array(fc.tuple(fc.nat(4096), fc.integer({ min: 0, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 6 });

describe('decodeAmqpMessage (fuzz)', () => {
  it('should refuse random bodies under random properties with a typed error, never another throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), properties, fc.string(), (content, props, key) => decodeOrRefuse(message(Buffer.from(content), props, key))), BOUND);
  });

  it('should decode or refuse mutated statbus envelopes', () => {
    fc.assert(fc.property(edits, (list) => decodeOrRefuse(message(mutate(statbusBytes, list)))), BOUND);
  });

  it('should decode or refuse fedora-messaging messages with random headers and mutated bodies', () => {
    fc.assert(
      fc.property(edits, fedoraHeaders, fc.jsonValue({ maxDepth: 5 }), (list, headers, body) => {
        decodeOrRefuse(message(mutate(fedora.bytes, list), { ...fedora.options, headers: { ...(fedora.options.headers as Record<string, unknown>), ...headers } }));
        decodeOrRefuse(message(Buffer.from(JSON.stringify(body) ?? 'null'), { ...fedora.options, headers }));
      }),
      BOUND,
    );
  });

  it('should refuse deeply nested bodies in either format before parsing them', () => {
    for (const depth of [101, 1_500, 50_000]) {
      const deep = Buffer.from(`{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`);
      expect(() => decodeAmqpMessage(message(deep, fedora.options), 1 << 20)).toThrow(/nests its body deeper than 100 levels/u);
      const statbus = Buffer.from(statbusBytes.toString('utf8').replace(/"body":\{/u, `"body":{"x":${'['.repeat(depth)}${']'.repeat(depth)},`));
      expect(() => decodeAmqpMessage(message(statbus), 1 << 20)).toThrow(/nests its body deeper than 100 levels/u);
    }
  });
});
