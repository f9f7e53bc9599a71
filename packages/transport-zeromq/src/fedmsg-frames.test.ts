import { compilePatterns, createEnvelope, encodeEnvelope, signingBytes } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { decodeFedmsg, encodeFedmsgFrames, envelopeToFedmsg } from './fedmsg-frames.js';
import { classifyFrames } from './inbound-frames.js';

const TOPIC = 'org.fedoraproject.prod.git.receive';
const matcher = compilePatterns(['org.fedoraproject.#']);
const LIMIT = 1 << 20;

/** What fedmsg's `publish` sends, signed by its x509 backend. */
const fedmsgJson = {
  topic: TOPIC,
  msg: { commit: { username: 'pingou', repo: 'valgrind', branch: 'rawhide' } },
  msg_id: '2014-1b6e3a5c-8f0c-4cbb-8cb2-4c2e8d6e9d14',
  timestamp: 1_400_000_000.123456,
  i: 3,
  username: 'apache',
  crypto: 'x509',
  signature: 'c2lnbmF0dXJl',
  certificate: 'Y2VydGlmaWNhdGU=',
};

describe(decodeFedmsg, () => {
  it('should keep msg_id, timestamp, i, username and the crypto fields as given', () => {
    const { envelope, numbered } = decodeFedmsg(TOPIC, Buffer.from(JSON.stringify(fedmsgJson)), LIMIT);
    expect(envelope).toMatchObject({
      id: fedmsgJson.msg_id,
      topic: TOPIC,
      time: 1_400_000_000_123,
      seq: 3,
      producer: { name: 'apache', instance: 'fedmsg' },
      body: fedmsgJson.msg,
      headers: { fedmsg_crypto: 'x509', fedmsg_signature: 'c2lnbmF0dXJl', fedmsg_certificate: 'Y2VydGlmaWNhdGU=', fedmsg_timestamp: '1400000000.123456' },
    });
    expect(numbered).toBe(false);
  });

  it('should write a signed fedmsg message back with exactly its own keys and values', () => {
    const { envelope } = decodeFedmsg(TOPIC, Buffer.from(JSON.stringify(fedmsgJson)), LIMIT);
    expect(envelopeToFedmsg(envelope)).toEqual(fedmsgJson);
  });

  it.each([
    [{ ...fedmsgJson, msg_id: 7 }, 'msg_id'],
    [{ ...fedmsgJson, timestamp: 'noon' }, 'timestamp'],
    [{ ...fedmsgJson, i: 'three' }, 'i'],
    [{ ...fedmsgJson, msg: 'hello' }, 'msg'],
    [{ ...fedmsgJson, topic: 'org.fedoraproject.prod.other.thing' }, 'topic'],
  ])('should refuse %j naming %s', (json, field) => {
    expect(() => decodeFedmsg(TOPIC, Buffer.from(JSON.stringify(json)), LIMIT)).toThrow(field);
  });
});

describe(encodeFedmsgFrames, () => {
  it('should send a statbus envelope as fedmsg frames a statbus subscriber reads back whole', () => {
    const envelope = createEnvelope({
      topic: TOPIC,
      seq: 12,
      time: 1_700_000_000_456,
      producer: { name: 'pagure', host: 'pagure01', pid: 9, instance: 'inst-1' },
      headers: { usernames: 'pingou', packages: 'valgrind' },
      body: { hello: 'world' },
    });
    const [topic, json] = encodeFedmsgFrames(envelope, LIMIT);
    expect(topic).toBe(TOPIC);
    expect(JSON.parse(json.toString('utf8'))).toMatchObject({ topic: TOPIC, msg: { hello: 'world' }, msg_id: envelope.id, timestamp: 1_700_000_000.456, i: 12, username: 'pagure' });
    const inbound = classifyFrames([Buffer.from(topic), json], matcher, LIMIT);
    expect(inbound).toMatchObject({ kind: 'message', topic: TOPIC });
    expect(inbound).not.toHaveProperty('unnumbered');
    if (inbound.kind !== 'message') throw new Error('not a message');
    expect(signingBytes(inbound.envelope)).toEqual(signingBytes(envelope));
  });
});

describe(classifyFrames, () => {
  it('should tell statbus envelopes and fedmsg messages apart in [topic, json] frames', () => {
    const envelope = createEnvelope({ topic: TOPIC, seq: 1, producer: { name: 'p', host: 'h', pid: 1, instance: 'i' }, body: {} });
    expect(classifyFrames([Buffer.from(TOPIC), encodeEnvelope(envelope)], matcher, LIMIT)).toMatchObject({ kind: 'message', envelope });
    expect(classifyFrames([Buffer.from(TOPIC), Buffer.from(JSON.stringify(fedmsgJson))], matcher, LIMIT)).toMatchObject({
      kind: 'message',
      unnumbered: true,
      envelope: { id: fedmsgJson.msg_id },
    });
  });

  it('should drop, naming both formats, a frame in neither, and a fedmsg message with bad fields as invalid', () => {
    expect(classifyFrames([Buffer.from(TOPIC), Buffer.from('{"hello":1}')], matcher, LIMIT)).toMatchObject({
      kind: 'dropped',
      reason: 'invalid',
      error: { message: expect.stringMatching(/neither a statbus envelope nor a fedmsg message/u) as unknown },
    });
    expect(classifyFrames([Buffer.from(TOPIC), Buffer.from('garbage')], matcher, LIMIT)).toMatchObject({ kind: 'dropped', reason: 'malformed' });
    expect(classifyFrames([Buffer.from(TOPIC), Buffer.from(JSON.stringify({ ...fedmsgJson, i: 'x' }))], matcher, LIMIT)).toMatchObject({
      kind: 'dropped',
      reason: 'invalid',
    });
  });
});
