import { describe, expect, it } from 'vitest';
import { archiveMessage, createEnvelope } from '@statbus/core';
import { toV1Message } from './v1-message.js';
import { toV2Message } from './v2-message.js';

const message = archiveMessage(
  createEnvelope({
    topic: 'org.fedoraproject.prod.bodhi.update.comment',
    producer: { name: 'bodhi', host: 'bodhi01', pid: 7, instance: 'b1' },
    seq: 42,
    headers: { usernames: 'adamw,kevin', packages: 'kernel', severity: 'warning', schema: 'bodhi.update.comment.v1' },
    body: { comment: 'LGTM' },
  }),
);

describe(toV1Message, () => {
  it('should give datanommer\'s fields, timestamp in seconds, meta only when asked', () => {
    const v1 = toV1Message(message, [], '1.0.0');
    expect(v1).toMatchObject({ msg_id: message.envelope.id, i: 42, timestamp: message.envelope.time / 1000, msg: { comment: 'LGTM' }, source_version: '1.0.0' });
    expect(v1.meta).toBeUndefined();
    expect(toV1Message(message, ['usernames', 'link']).meta).toEqual({ usernames: ['adamw', 'kevin'], link: null });
  });

  describe('when the message carries a signature', () => {
    const signed = { ...message, envelope: { ...message.envelope, signature: 'c2lnbmF0dXJl' } };
    it('should present it only when the archiver verified it', () => {
      expect(toV1Message(signed)).toMatchObject({ signature: null, crypto: null, verified: false });
      expect(toV1Message({ ...signed, verified: false })).toMatchObject({ signature: null, crypto: null, verified: false });
      expect(toV1Message({ ...signed, verified: true })).toMatchObject({ signature: 'c2lnbmF0dXJl', crypto: 'ed25519', verified: true });
    });
  });
});

describe(toV2Message, () => {
  it('should give fedora-messaging\'s dump with its headers', () => {
    const v2 = toV2Message(message);
    expect(v2).toMatchObject({ id: message.envelope.id, topic: message.envelope.topic, body: { comment: 'LGTM' }, queue: null, priority: 0 });
    expect(v2.headers).toMatchObject({
      fedora_messaging_schema: 'bodhi.update.comment.v1',
      fedora_messaging_severity: 30,
      fedora_messaging_user_adamw: true,
      fedora_messaging_user_kevin: true,
      fedora_messaging_rpm_kernel: true,
      priority: 0,
    });
    expect(v2.headers['statbus_verified']).toBe(false);
    expect(toV2Message({ ...message, verified: true }).headers['statbus_verified']).toBe(true);
    expect(v2.headers['sent-at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/u);
  });
});
