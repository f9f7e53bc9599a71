import { once } from 'node:events';
import { connect } from 'amqplib';
import type { Candidate, CandidateInfo, ConsumerSide, ProducerSide } from './candidate.js';
import { rawPayload } from './raw-payload.js';

const ROUTING_KEY = 'org.statbus.bench.raw.message.sent';

/**
 * Raw amqplib with the settings statbus uses: noDelay, a confirm channel with a window of unconfirmed
 * publishes, persistent messages, a topic exchange, manual acks with a prefetch; a shared durable queue
 * when the measurement names one, else an exclusive queue per consumer.
 */
export function rawAmqpCandidate(info: CandidateInfo): Candidate {
  return {
    ...info,
    async producer(settings): Promise<ProducerSide> {
      const connection = await connect(settings.amqpUrl, { noDelay: true });
      const channel = await connection.createConfirmChannel();
      await channel.assertExchange(settings.exchange, 'topic', { durable: true });
      let inflight = 0;
      let wake: (() => void) | undefined;
      const settled = (): void => {
        inflight -= 1;
        const resume = wake;
        wake = undefined;
        resume?.();
      };
      const publish = async (payload: Buffer): Promise<void> => {
        while (inflight >= settings.window) await new Promise<void>((resolve) => (wake = resolve));
        inflight += 1;
        const accepted = channel.publish(settings.exchange, ROUTING_KEY, payload, { persistent: true, contentType: 'application/octet-stream' }, settled);
        if (!accepted) await once(channel, 'drain');
      };
      return {
        probe: () => publish(rawPayload.encode(settings.size, 0, true, settings.index)),
        trail: () => publish(rawPayload.encode(settings.size, 0, true, settings.index)),
        send: (stamp) => publish(rawPayload.encode(settings.size, stamp, false, settings.index)),
        flush: () => channel.waitForConfirms(),
        close: async () => {
          await channel.waitForConfirms().catch(() => undefined);
          await connection.close().catch(() => undefined);
        },
      };
    },
    async consumer(settings, listener): Promise<ConsumerSide> {
      const connection = await connect(settings.amqpUrl, { noDelay: true });
      const channel = await connection.createChannel();
      await channel.assertExchange(settings.exchange, 'topic', { durable: true });
      await channel.prefetch(settings.prefetch);
      const { queue } =
        settings.queue === undefined
          ? await channel.assertQueue('', { exclusive: true, autoDelete: true })
          : await channel.assertQueue(settings.queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      await channel.bindQueue(queue, settings.exchange, '#');
      await channel.consume(queue, (message) => {
        if (message === null) return;
        rawPayload.dispatch(message.content, listener);
        channel.ack(message);
      });
      return {
        detected: () => undefined,
        close: async () => {
          await channel.close().catch(() => undefined);
          await connection.close().catch(() => undefined);
        },
      };
    },
  };
}
