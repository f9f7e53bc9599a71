import { CodecError, EnvelopeError, createEnvelope, signingBytes } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { decodeAmqpMessage } from './decode-amqp-message.js';
import { decodeFedoraMessaging, encodeFedoraMessaging, fedoraMessageId, isFedoraMessagingMessage, sentAtOf } from './fedora-messaging-format.js';

const TOPIC = 'org.fedoraproject.prod.bodhi.update.comment';
const LIMIT = { maxMessageBytes: 1024 * 1024 };

/** Properties as fedora-messaging's `Message._build_properties` makes them. */
function fedoraProperties(headers: Record<string, unknown> = {}): Parameters<typeof decodeFedoraMessaging>[1] {
  return {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    messageId: '6f1c1b2e-7c55-4b0e-9d6c-0a3f9c2d1e11',
    timestamp: undefined,
    appId: undefined,
    headers: {
      fedora_messaging_schema: 'bodhi.update.comment.v1',
      'sent-at': '2019-07-30T19:12:22+00:00',
      fedora_messaging_severity: 20,
      priority: 0,
      fedora_messaging_user_jcline: true,
      fedora_messaging_user_bowlofeggs: true,
      'fedora_messaging_rpm_python-requests': true,
      fedora_messaging_container_fedora: true,
      fedora_messaging_module_nodejs: true,
      fedora_messaging_flatpak_firefox: true,
      ...headers,
    },
  };
}

const body = Buffer.from(JSON.stringify({ comment: { text: 'works for me', user: { name: 'jcline' } } }));

describe(decodeFedoraMessaging, () => {
  it('should keep the id, topic, sent-at time, users, packages, other markers, schema and severity', () => {
    const envelope = decodeFedoraMessaging(TOPIC, fedoraProperties(), body, LIMIT);
    expect(envelope.id).toBe('6f1c1b2e-7c55-4b0e-9d6c-0a3f9c2d1e11');
    expect(envelope.topic).toBe(TOPIC);
    expect(envelope.time).toBe(Date.parse('2019-07-30T19:12:22Z'));
    expect(envelope.headers).toEqual({
      schema: 'bodhi.update.comment.v1',
      severity: 'info',
      priority: '0',
      usernames: 'jcline,bowlofeggs',
      packages: 'python-requests',
      containers: 'fedora',
      modules: 'nodejs',
      flatpaks: 'firefox',
    });
    expect(envelope.body).toEqual({ comment: { text: 'works for me', user: { name: 'jcline' } } });
    expect(envelope.seq).toBe(1);
  });

  it.each([
    ['fedora_messaging_severity', 'info', 'fedora_messaging_severity'],
    ['fedora_messaging_severity', 25, 'fedora_messaging_severity'],
    ['fedora_messaging_schema', 7, 'fedora_messaging_schema'],
    ['sent-at', 1_564_513_942, 'sent-at'],
    ['sent-at', 'yesterday', 'sent-at'],
    ['priority', 'high', 'priority'],
  ])('should refuse a %s header of %j, naming it', (name, value, named) => {
    expect(() => decodeFedoraMessaging(TOPIC, fedoraProperties({ [name]: value }), body, LIMIT)).toThrow(EnvelopeError);
    expect(() => decodeFedoraMessaging(TOPIC, fedoraProperties({ [name]: value }), body, LIMIT)).toThrow(named);
  });

  it('should refuse a message without message_id, a body that is not an object, or one that is not JSON', () => {
    expect(() => decodeFedoraMessaging(TOPIC, { ...fedoraProperties(), messageId: undefined }, body, LIMIT)).toThrow('message_id');
    expect(() => decodeFedoraMessaging(TOPIC, fedoraProperties(), Buffer.from('[1,2]'), LIMIT)).toThrow(EnvelopeError);
    expect(() => decodeFedoraMessaging(TOPIC, fedoraProperties(), Buffer.from('{nope'), LIMIT)).toThrow(CodecError);
    expect(() => decodeFedoraMessaging(TOPIC, { ...fedoraProperties(), contentEncoding: 'latin-1' }, body, LIMIT)).toThrow('content_encoding');
  });

  it('should accept what fedora-messaging accepts with a complaint: no schema, no severity', () => {
    const envelope = decodeFedoraMessaging(TOPIC, { ...fedoraProperties(), headers: { 'sent-at': '2019-07-30T19:12:22+00:00' } }, body, LIMIT);
    expect(envelope.headers).toEqual({});
  });
});

describe(encodeFedoraMessaging, () => {
  const producer = { name: 'bodhi', host: 'bodhi01', pid: 42, instance: 'i-1' };
  const envelope = createEnvelope({
    topic: TOPIC,
    seq: 7,
    producer,
    time: 1_564_513_942_123,
    body: { comment: 'hi' },
    headers: { usernames: 'jcline,bowlofeggs', packages: 'python-requests', modules: 'nodejs', severity: 'warning', schema: 'bodhi.x', agent: 'jcline' },
  });

  it('should send exactly the wire format: body alone, properties and headers as fedora-messaging sets them', () => {
    const { bytes, options } = encodeFedoraMessaging(envelope, { persistent: true, ...LIMIT });
    expect(JSON.parse(bytes.toString('utf8'))).toEqual({ comment: 'hi' });
    expect(options).toMatchObject({ contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, priority: 0 });
    expect(options.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u);
    expect(options.headers).toMatchObject({
      fedora_messaging_schema: 'bodhi.x',
      fedora_messaging_severity: 30,
      'sent-at': '2019-07-30T19:12:22+00:00',
      priority: 0,
      fedora_messaging_user_jcline: true,
      fedora_messaging_user_bowlofeggs: true,
      'fedora_messaging_rpm_python-requests': true,
      fedora_messaging_module_nodejs: true,
      agent: 'jcline',
    });
    expect(Object.keys(options.headers as object)).not.toContain('usernames');
  });

  it('should give back the very envelope to a statbus consumer, signature bytes included', () => {
    const { bytes, options } = encodeFedoraMessaging(envelope, { persistent: true, ...LIMIT });
    const back = decodeAmqpMessage(
      { content: bytes, fields: { routingKey: TOPIC } as never, properties: { ...options, timestamp: undefined } as never },
      LIMIT.maxMessageBytes,
    );
    expect(back.id).toBe(envelope.id);
    expect(back.time).toBe(envelope.time);
    expect(back.producer).toEqual(producer);
    expect(back.seq).toBe(7);
    expect(back.headers).toEqual(envelope.headers);
    expect(signingBytes(back)).toEqual(signingBytes(envelope));
  });

  it('should keep a UUID 4 message id and give the same derived one on every send of another id', () => {
    expect(fedoraMessageId('6f1c1b2e-7c55-4b0e-9d6c-0a3f9c2d1e11')).toBe('6f1c1b2e-7c55-4b0e-9d6c-0a3f9c2d1e11');
    expect(fedoraMessageId('2013-8fb1c4f6-2cb9-4a2e-9d1d-4bd2e0e9b3a7')).toBe(fedoraMessageId('2013-8fb1c4f6-2cb9-4a2e-9d1d-4bd2e0e9b3a7'));
    expect(sentAtOf(Date.parse('2019-07-30T19:12:22.999Z'))).toBe('2019-07-30T19:12:22+00:00');
  });
});

describe(decodeAmqpMessage, () => {
  it('should tell the formats apart per message and name a message in neither', () => {
    expect(isFedoraMessagingMessage({ headers: {} })).toBe(false);
    expect(isFedoraMessagingMessage(fedoraProperties())).toBe(true);
    const plain = { content: Buffer.from('{"hello":"world"}'), fields: { routingKey: TOPIC } as never, properties: { headers: {} } as never };
    expect(() => decodeAmqpMessage(plain, LIMIT.maxMessageBytes)).toThrow(/neither a statbus envelope nor a fedora-messaging message/u);
    const junk = { ...plain, content: Buffer.from('not json') };
    expect(() => decodeAmqpMessage(junk, LIMIT.maxMessageBytes)).toThrow(/neither/u);
  });
});
