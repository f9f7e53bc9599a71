import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'amqplib';
import type { BenchCandidate, BenchPair } from './scenario.js';

/**
 * Raw amqplib with the settings statbus uses: noDelay, a confirm channel with a window of unconfirmed
 * publishes, persistent messages, a topic exchange, manual acks with a prefetch.
 */
export function rawAmqpCandidate(options: { url: string; window: number; prefetch: number }): BenchCandidate {
  return {
    name: 'raw amqplib (confirms, persistent, manual ack)',
    async open(size: number): Promise<BenchPair> {
      const exchange = `statbus.bench.raw.${randomUUID()}`;
      const publisherConnection = await connect(options.url, { noDelay: true });
      const subscriberConnection = await connect(options.url, { noDelay: true });
      const publishing = await publisherConnection.createConfirmChannel();
      const consuming = await subscriberConnection.createChannel();
      await publishing.assertExchange(exchange, 'topic', { durable: false, autoDelete: true });
      await consuming.prefetch(options.prefetch);
      const { queue } = await consuming.assertQueue('', { exclusive: true, autoDelete: true });
      await consuming.bindQueue(queue, exchange, '#');
      let listener: (stamp: number) => void = () => undefined;
      await consuming.consume(queue, (message) => {
        if (message === null) return;
        listener(message.content.readDoubleLE(0));
        consuming.ack(message);
      });
      let inflight = 0;
      let wake: (() => void) | undefined;
      const settled = (): void => {
        inflight -= 1;
        const resume = wake;
        wake = undefined;
        resume?.();
      };
      const send = async (index: number, stamp: number): Promise<void> => {
        while (inflight >= options.window) await new Promise<void>((resolve) => (wake = resolve));
        const payload = Buffer.alloc(size, 0x20);
        payload.writeDoubleLE(stamp, 0);
        payload.writeInt32LE(index, 8);
        inflight += 1;
        const accepted = publishing.publish(exchange, 'org.statbus.bench.raw.message.sent', payload, { persistent: true, contentType: 'application/octet-stream' }, settled);
        if (!accepted) await once(publishing, 'drain');
      };
      return {
        send,
        flush: () => publishing.waitForConfirms(),
        onReceive: (next) => {
          listener = next;
        },
        detected: () => undefined,
        close: async () => {
          await publishing.waitForConfirms().catch(() => undefined);
          await consuming.close().catch(() => undefined);
          await publishing.deleteExchange(exchange).catch(() => undefined);
          await Promise.allSettled([publisherConnection.close(), subscriberConnection.close()]);
        },
      };
    },
  };
}
