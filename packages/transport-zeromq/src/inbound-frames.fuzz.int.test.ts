import { silentLogger } from '@statbus/core';
import { collect, envelopeFactory, waitFor } from '@statbus/testing';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RelayBus } from './testing/relay-bus.js';

const TOPIC = 'org.fedoraproject.prod.fuzz.smoke';

describe('random frames over real ZeroMQ sockets (fuzz smoke)', () => {
  let bus: RelayBus;

  beforeEach(async () => {
    bus = await RelayBus.start({}, silentLogger);
  });

  afterEach(async () => {
    await bus.close();
  });

  it('should drop a few hundred random frames by reason and go on delivering', async () => {
    const subscriber = bus.transport();
    await subscriber.connect();
    const collector = collect(await subscriber.subscribe(['org.fedoraproject.#']));
    const frames = fc.sample(
      fc.oneof(
        fc.tuple(fc.constant(TOPIC), fc.oneof(fc.string(), fc.jsonValue().map((value) => JSON.stringify(value) ?? ''))),
        fc.tuple(fc.constant(`${TOPIC} s1 p 1 2 1`), fc.string()).map(([head, tail]) => [`${head} ${tail}`]),
        fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 4 }).map((list) => [TOPIC, ...list.map((bytes) => Buffer.from(bytes))]),
      ),
      { numRuns: 300, seed: 14 },
    );
    for (const message of frames) await bus.inject(message.map((frame) => (typeof frame === 'string' ? Buffer.from(frame) : frame)));
    const publisher = bus.transport();
    await publisher.connect();
    const valid = envelopeFactory()(TOPIC, { after: 'fuzz' });
    await publisher.publish(valid);
    await waitFor(() => collector.envelopes.some((envelope) => envelope.id === valid.id), { message: 'the valid message after the random frames' });
    const dropped = subscriber.counters().dropped;
    expect(Object.values(dropped).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(200);
    await Promise.all([subscriber.close(), publisher.close()]);
  });
});
