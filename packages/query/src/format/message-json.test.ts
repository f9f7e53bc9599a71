import { describe, expect, it } from 'vitest';
import { keepStoredJson, type ArchivedMessage } from '@statbus/core';
import { makeStoreFixture } from '@statbus/testing';
import type { MetaValue } from '../params/parse-params.js';
import { v1MessageJson, v2MessageJson } from './message-json.js';
import { toV1Message } from './v1-message.js';
import { toV2Message } from './v2-message.js';

/** A copy of `message` as a store reads it back: the JSON text of what it keeps as JSON noted. */
function asStored(message: ArchivedMessage): ArchivedMessage {
  const copy = structuredClone(message);
  keepStoredJson(copy, {
    headers: JSON.stringify(copy.envelope.headers),
    body: JSON.stringify(copy.envelope.body),
    users: JSON.stringify(copy.users),
    packages: JSON.stringify(copy.packages),
  });
  return copy;
}

const base = makeStoreFixture({ count: 200 }).messages;
const edges: ArchivedMessage[] = [
  // An imported message keeps its own source name and version in headers: v1 takes them out.
  { ...base[0]!, envelope: { ...base[0]!.envelope, headers: { ...base[0]!.envelope.headers, source_name: 'fedmsg', source_version: '1.1' } } },
  // Headers of the names v2 adds, replaced in place there.
  { ...base[1]!, envelope: { ...base[1]!.envelope, headers: { priority: '3', 'sent-at': 'x', fedora_messaging_user_ralph: 'y', '12': 'integer key' } } },
  { ...base[2]!, envelope: { ...base[2]!.envelope, headers: {}, body: {}, signature: 'c2ln' }, verified: true, users: ['ralph', 'ralph'], packages: [] },
  { ...base[3]!, envelope: { ...base[3]!.envelope, headers: { severity: 'constructor', '3': 'three' }, body: { '2': 2, a: [1.5e300, -0, 'Σ\u2028"\\'] } } },
];
const messages = [...base, ...edges];
const metas: (readonly MetaValue[])[] = [[], ['title', 'subtitle', 'link', 'usernames', 'packages', 'objects', 'date', 'icon']];

describe(v1MessageJson, () => {
  it('should write exactly what JSON.stringify writes of the v1 message, stored JSON noted or not', () => {
    for (const message of messages) {
      for (const meta of metas) {
        const expected = JSON.stringify(toV1Message(message, meta, '2.0'));
        expect(v1MessageJson(asStored(message), meta, '2.0')).toBe(expected);
        expect(v1MessageJson(message, meta, '2.0')).toBe(expected);
      }
    }
  });
});

describe(v2MessageJson, () => {
  it('should write exactly what JSON.stringify writes of the v2 message, stored JSON noted or not', () => {
    for (const message of messages) {
      for (const meta of metas) {
        const expected = JSON.stringify(toV2Message(message, meta));
        expect(v2MessageJson(asStored(message), meta)).toBe(expected);
        expect(v2MessageJson(message, meta)).toBe(expected);
      }
    }
  });
});
