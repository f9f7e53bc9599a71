import { describe, expect, it } from 'vitest';
import type { ArchivedMessage, StoredMessageJson } from '@statbus/core';
import { makeStoreFixture } from '@statbus/testing';
import { parseStoredMessage, v1StoredJson, v2StoredJson } from './message-json.js';
import { toV1Message } from './v1-message.js';
import { toV2Message } from './v2-message.js';

/** `message` as a store keeps it: its JSON fields as `JSON.stringify` wrote them. */
function asStored(message: ArchivedMessage): StoredMessageJson {
  const { envelope } = message;
  return {
    id: envelope.id,
    topic: envelope.topic,
    time: envelope.time,
    category: message.category,
    agent: message.agent ?? null,
    producer: envelope.producer,
    seq: envelope.seq,
    signature: envelope.signature ?? null,
    verified: message.verified === true,
    headers: JSON.stringify(envelope.headers),
    body: JSON.stringify(envelope.body),
    users: JSON.stringify(message.users),
    packages: JSON.stringify(message.packages),
  };
}

const base = makeStoreFixture({ count: 200 }).messages;
const edges: ArchivedMessage[] = [
  // An imported message keeps its own source name and version in headers: v1 takes them out.
  { ...base[0]!, envelope: { ...base[0]!.envelope, headers: { ...base[0]!.envelope.headers, source_name: 'fedmsg', source_version: '1.1' } } },
  // Headers of the names v2 adds, replaced in place there.
  { ...base[1]!, envelope: { ...base[1]!.envelope, headers: { priority: '3', 'sent-at': 'x', fedora_messaging_user_ralph: 'y', '12': 'integer key' } } },
  { ...base[2]!, envelope: { ...base[2]!.envelope, headers: {}, body: {}, signature: 'c2ln' }, verified: true, users: ['ralph', 'ralph'], packages: [] },
  { ...base[3]!, envelope: { ...base[3]!.envelope, signature: 'c2ln' }, verified: false },
  { ...base[4]!, envelope: { ...base[4]!.envelope, headers: { severity: 'constructor', '3': 'three' }, body: { '2': 2, a: [1.5e300, -0, 'Σ\u2028"\\'] } } },
];
const messages = [...base, ...edges];

describe(parseStoredMessage, () => {
  it('should give back the message that was stored, as JSON keeps it (verified only when true, as stores keep it)', () => {
    for (const { verified, ...message } of messages) {
      const kept: unknown = JSON.parse(JSON.stringify(verified === true ? { ...message, verified } : message));
      expect(parseStoredMessage(asStored({ ...message, verified }))).toEqual(kept);
    }
  });
});

describe(v1StoredJson, () => {
  it('should write exactly what JSON.stringify writes of the v1 message', () => {
    for (const message of messages) expect(v1StoredJson(asStored(message), '2.0')).toBe(JSON.stringify(toV1Message(message, [], '2.0')));
  });
});

describe(v2StoredJson, () => {
  it('should write exactly what JSON.stringify writes of the v2 message', () => {
    for (const message of messages) expect(v2StoredJson(asStored(message))).toBe(JSON.stringify(toV2Message(message)));
  });
});
