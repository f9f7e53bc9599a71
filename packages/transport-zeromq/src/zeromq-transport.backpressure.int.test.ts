import { configSchema, silentLogger, TransportError, type StatbusConfigInput } from '@statbus/core';
import { envelopeFactory, waitFor } from '@statbus/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { XSubscriber } from 'zeromq';
import { isBatchFrame, splitBatchFrame } from './batch-frames.js';
import { SUBSCRIBE_BYTE } from './wire-frames.js';
import { ZeroMqTransport } from './zeromq-transport.js';

const TOPIC = 'org.statbus.dev.backpressure.test';
const MESSAGES = 20_000;

type ZeroMqInput = NonNullable<StatbusConfigInput['zeromq']>;

interface StalledRelay {
  readonly socket: XSubscriber;
  /** The one read kept pending so that the socket attaches its publisher; it takes the first message. */
  readonly first: Promise<Buffer[]>;
}

/** How many messages one received ZeroMQ message carries (a batch carries several). */
function carried([frame]: Buffer[]): number {
  if (frame === undefined || !isBatchFrame(frame)) return 1;
  const batch = splitBatchFrame(frame);
  return Array.isArray(batch) ? batch.length : 0;
}

/**
 * A relay inbound side that subscribes to everything and, past the first message, reads nothing until told:
 * a stalled relay. (A socket processes its peers' attachment only while a read is pending.)
 */
async function stalledRelay(): Promise<StalledRelay> {
  const socket = new XSubscriber({ receiveHighWaterMark: 10, linger: 0 });
  await socket.bind('tcp://127.0.0.1:*');
  await socket.send(Buffer.from([SUBSCRIBE_BYTE]));
  const first = socket.receive();
  first.catch(() => undefined);
  return { socket, first };
}

describe(`${ZeroMqTransport.name} at the high-water mark towards the relay`, () => {
  const closing: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  async function publisherTo({ socket: relay }: StalledRelay, options: ZeroMqInput): Promise<ZeroMqTransport> {
    const config = configSchema.parse({ zeromq: { relay_inbound: relay.lastEndpoint, send_hwm: 10, linger_ms: 0, stream_heartbeat_ms: 0, ...options } });
    const transport = new ZeroMqTransport(config, silentLogger);
    closing.unshift(() => transport.close());
    await transport.connect();
    return transport;
  }

  const body = { text: 'x'.repeat(1000) };

  it('should wait (backpressure) instead of refusing, and deliver every message once the relay reads', async () => {
    const relay = await stalledRelay();
    closing.push(() => relay.socket.close());
    const transport = await publisherTo(relay, {});
    const make = envelopeFactory();
    let settled = 0;
    const refused: unknown[] = [];
    const publishes = Array.from({ length: MESSAGES }, () =>
      transport.publish(make(TOPIC, body)).then(
        () => {
          settled += 1;
        },
        (error: unknown) => {
          settled += 1;
          refused.push(error);
        },
      ),
    );
    // Nothing read yet: the publisher must be held at the high-water mark, not refusing.
    await waitFor(() => transport.counters().published > 0, { message: 'the first messages went out' });
    expect(refused).toEqual([]);
    let received = carried(await relay.first);
    const reading = (async () => {
      while (received < MESSAGES) received += carried(await relay.socket.receive());
    })();
    await Promise.all(publishes);
    await reading;
    expect(refused).toEqual([]);
    expect(settled).toBe(MESSAGES);
    expect(received).toBe(MESSAGES);
    expect(transport.counters().published).toBe(MESSAGES);
  });

  it('should reject with a typed ERR_PUBLISH naming send_timeout_ms after send_timeout_ms when the relay never reads', async () => {
    const relay = await stalledRelay();
    closing.push(() => relay.socket.close());
    const transport = await publisherTo(relay, { send_timeout_ms: 200 });
    const make = envelopeFactory();
    const results = await Promise.allSettled(Array.from({ length: MESSAGES }, () => transport.publish(make(TOPIC, body))));
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    const [first] = rejected;
    expect(first?.reason).toBeInstanceOf(TransportError);
    expect(first?.reason).toMatchObject({ code: 'ERR_PUBLISH' });
    expect(String((first?.reason as Error).message)).toMatch(/send_timeout_ms/u);
  });

  it('should drop and count with on_full = "drop", and never reject', async () => {
    const relay = await stalledRelay();
    closing.push(() => relay.socket.close());
    const transport = await publisherTo(relay, { on_full: 'drop' });
    const make = envelopeFactory();
    const results = await Promise.allSettled(Array.from({ length: MESSAGES }, () => transport.publish(make(TOPIC, body))));
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const { published, dropped } = transport.counters();
    expect(dropped.overflow).toBeGreaterThan(0);
    expect(published + dropped.overflow).toBe(MESSAGES);
  });
});
