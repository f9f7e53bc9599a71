import { createEnvelope, silentLogger, type TransportStatus } from '@statbus/core';
import { collect, envelopeFactory, recordStatus, waitFor } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RelayBus } from './testing/relay-bus.js';

const TOPIC = 'org.fedoraproject.prod.git.receive';

describe("fedmsg's frames over real ZeroMQ sockets", () => {
  let bus: RelayBus;

  beforeEach(async () => {
    bus = await RelayBus.start({}, silentLogger);
  });

  afterEach(async () => {
    await bus.close();
  });

  it('should deliver statbus and fedmsg messages on one subscription, and drop, count and report frames in neither format', async () => {
    const subscriber = bus.transport();
    const statuses = recordStatus(subscriber.status());
    await subscriber.connect();
    const collector = collect(await subscriber.subscribe(['org.fedoraproject.#']));
    const statbusPublisher = bus.transport();
    const fedmsgPublisher = bus.transport({ wire_format: 'fedmsg' });
    await Promise.all([statbusPublisher.connect(), fedmsgPublisher.connect()]);
    const make = envelopeFactory();
    const fromStatbus = make(TOPIC, { via: 'statbus' });
    const fromStatbusAsFedmsg = make(TOPIC, { via: 'fedmsg' });
    await statbusPublisher.publish(fromStatbus);
    await fedmsgPublisher.publish(fromStatbusAsFedmsg);
    const fedmsg = { topic: TOPIC, msg: { repo: 'valgrind' }, msg_id: '2024-5b1f6c1e-3d43-4f1e-8a51-0c3c1b1a2b3c', timestamp: 1_700_000_000, i: 4, username: 'apache' };
    await bus.inject([TOPIC, JSON.stringify(fedmsg)]);
    await bus.inject([TOPIC, JSON.stringify({ hello: 'neither' })]);
    await bus.inject([TOPIC, 'not json at all']);
    await bus.inject([TOPIC, JSON.stringify({ ...fedmsg, i: 'four' })]);

    await waitFor(() => collector.envelopes.length === 3 && subscriber.counters().dropped.invalid + subscriber.counters().dropped.malformed === 3, {
      message: 'three delivered, three dropped',
    });
    expect(collector.envelopes.map((envelope) => envelope.id)).toEqual([fromStatbus.id, fromStatbusAsFedmsg.id, fedmsg.msg_id]);
    expect(collector.envelopes[1]).toEqual(fromStatbusAsFedmsg);
    expect(collector.envelopes[2]).toMatchObject({ time: 1_700_000_000_000, seq: 4, producer: { name: 'apache' }, body: fedmsg.msg });
    expect(subscriber.counters().dropped).toMatchObject({ invalid: 2, malformed: 1 });
    const dropped = statuses.filter((event): event is Extract<TransportStatus, { type: 'dropped' }> => event.type === 'dropped');
    expect(dropped.map((event) => event.error.message)).toEqual([
      expect.stringMatching(/neither a statbus envelope nor a fedmsg message/u),
      expect.stringMatching(/neither a statbus envelope nor a fedmsg message/u),
      expect.stringMatching(/i: must be a whole number/u),
    ]);
    expect(subscriber.counters().gaps).toBe(0);
    await Promise.all([subscriber.close(), statbusPublisher.close(), fedmsgPublisher.close()]);
  });

  it("should report a gap in a statbus producer's fedmsg frames by i, and none for fedmsg's own", async () => {
    const subscriber = bus.transport();
    const statuses = recordStatus(subscriber.status());
    await subscriber.connect();
    const collector = collect(await subscriber.subscribe(['#']));
    const publisher = bus.transport({ wire_format: 'fedmsg' });
    await publisher.connect();
    const producer = { name: 'koji', host: 'koji01', pid: 5, instance: 'koji-instance' };
    for (const seq of [1, 2, 5]) await publisher.publish(createEnvelope({ topic: TOPIC, seq, producer, body: { seq } }));
    // fedmsg's own messages: `i` of many processes, never checked.
    for (const i of [7, 3]) {
      await bus.inject([TOPIC, JSON.stringify({ topic: TOPIC, msg: {}, msg_id: `2024-00000000-0000-4000-8000-00000000000${i}`, timestamp: 1, i, username: 'apache' })]);
    }
    await waitFor(() => collector.envelopes.length === 5, { message: 'five delivered' });
    expect(statuses.filter((event) => event.type === 'gap')).toEqual([{ type: 'gap', producer: 'koji', instance: 'koji-instance', from: 3, to: 4, missed: 2 }]);
    await Promise.all([subscriber.close(), publisher.close()]);
  });
});
