import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../errors/codec-error.js';
import { EnvelopeError } from '../errors/envelope-error.js';
import { decodeEnvelope, encodeEnvelope } from '../codec/envelope-codec.js';
import { createEnvelope } from './create-envelope.js';
import type { JsonObject } from './envelope.js';
import { MAX_BODY_DEPTH, jsonDepthExceeds, jsonTextDepthExceeds } from './json-depth.js';
import { validateEnvelope } from './validate-envelope.js';

const producer = { name: 'copr', host: 'copr-be', pid: 7, instance: 'i-9' };

/** A body whose nesting is `depth` levels, the body itself being the first; arrays and objects alternate. */
function nested(depth: number): JsonObject {
  const body: JsonObject = {};
  let current: JsonObject | unknown[] = body;
  for (let level = 2; level <= depth; level += 1) {
    const child: JsonObject | unknown[] = level % 2 === 0 ? [] : {};
    if (Array.isArray(current)) current.push(child);
    else current['a'] = child as JsonObject;
    current = child;
  }
  return body;
}

function rawEnvelope(body: JsonObject): Buffer {
  // Built by hand: encodeEnvelope would refuse nothing, but createEnvelope refuses the deep body first.
  const text = `{"id":"x1","topic":"org.statbus.dev.a.b","time":1,"producer":${JSON.stringify(producer)},"seq":1,"headers":{},"body":${JSON.stringify(body)}}`;
  return Buffer.from(text);
}

describe(jsonTextDepthExceeds, () => {
  it('should agree with the depth of the parsed value, brackets in strings ignored', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 6 }), (value, max) => {
        const text = JSON.stringify(value);
        expect(jsonTextDepthExceeds(text, max)).toBe(jsonDepthExceeds(value, max));
      }),
    );
  });

  it('should not count brackets inside strings, escaped quotes included', () => {
    expect(jsonTextDepthExceeds(JSON.stringify({ a: '[[[[[{{{{\\"[[[' }), 1)).toBe(false);
  });
});

describe('when a body nests deeper than MAX_BODY_DEPTH', () => {
  it('should be refused by createEnvelope and validateEnvelope with an EnvelopeError naming body', () => {
    for (const depth of [MAX_BODY_DEPTH + 1, 1500, 200_000]) {
      expect(() => createEnvelope({ topic: 'org.statbus.dev.a.b', body: nested(depth), producer, seq: 1 })).toThrow(EnvelopeError);
      expect(() => createEnvelope({ topic: 'org.statbus.dev.a.b', body: nested(depth), producer, seq: 1 })).toThrow(/body: nested deeper than 100 levels/);
    }
  });

  it('should be refused by decodeEnvelope before parsing, with a CodecError', () => {
    const frames = [rawEnvelope(nested(MAX_BODY_DEPTH + 1)), rawEnvelope(nested(1500))];
    // Deeper than JSON.stringify itself can write: the text is made by hand.
    frames.push(Buffer.from(rawEnvelope({}).toString().replace('"body":{}', `"body":{"a":${'['.repeat(200_000)}${']'.repeat(200_000)}}`)));
    for (const frame of frames) {
      expect(() => decodeEnvelope(frame)).toThrow(CodecError);
      expect(() => decodeEnvelope(frame)).toThrow(/deeper than 100 levels/);
    }
  });

  it('should accept a body exactly MAX_BODY_DEPTH deep, on both paths', () => {
    const envelope = createEnvelope({ topic: 'org.statbus.dev.a.b', body: nested(MAX_BODY_DEPTH), producer, seq: 1 });
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
    expect(validateEnvelope(JSON.parse(rawEnvelope(nested(MAX_BODY_DEPTH)).toString()))).toBeDefined();
  });
});
