import { randomUUID } from 'node:crypto';
import { createEnvelope, type Envelope, type JsonObject } from '@statbus/core';

/** Topics of these tests. */
export const TOPIC = 'org.statbus.dev.bodhi.update.comment';

/** A producer numbering its envelopes from 1 under one instance id. */
export function envelopes(name = 'amqp-test'): (body?: JsonObject, topic?: string) => Envelope {
  const instance = randomUUID();
  let seq = 0;
  return (body = {}, topic = TOPIC) => {
    seq += 1;
    return createEnvelope({ topic, body, seq, producer: { name, host: 'localhost', pid: process.pid, instance } });
  };
}
