import { randomBytes } from 'node:crypto';
import { configSchema, type StatbusConfig, type StatbusConfigInput } from '@statbus/core';
import { tcpAnswers } from '@statbus/testing';
import { connect, type ConfirmChannel, type ChannelModel } from 'amqplib';

/** The broker integration tests use: `AMQP_URL`, else the local RabbitMQ. */
export const BROKER_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672/%2F';

/** Whether something accepts TCP connections at the broker's address (checked once per test file). */
export function isBrokerUp(url: string = BROKER_URL, timeoutMs = 1_000): Promise<boolean> {
  return tcpAnswers(url, timeoutMs);
}

/** A name no other test (or program sharing the broker) uses: `statbus.test.<what>.<random>`. */
export function uniqueName(what: string): string {
  return `statbus.test.${what}.${randomBytes(6).toString('hex')}`;
}

/** A config for the AMQP transport on its own exchange and dead-letter names, fast to fail. */
export function testConfig(amqp: NonNullable<StatbusConfigInput['amqp']> = {}): StatbusConfig {
  const tag = randomBytes(6).toString('hex');
  return configSchema.parse({
    transport: 'amqp',
    amqp: {
      url: BROKER_URL,
      exchange: `statbus.test.${tag}`,
      dead_letter_exchange: `statbus.test.${tag}.dlx`,
      dead_letter_queue: `statbus.test.${tag}.dlq`,
      connect_attempts: 1,
      reconnect_initial_ms: 20,
      reconnect_max_ms: 200,
      close_timeout_ms: 2_000,
      ...amqp,
    },
  });
}

/** A plain amqplib connection for setting up, inspecting and cleaning up behind the transport's back. */
export interface BrokerAdmin {
  readonly model: ChannelModel;
  /** A confirm channel: `publish` then `waitForConfirms()` to know the broker has the message. */
  readonly channel: ConfirmChannel;
  /** Deletes the exchanges and queues (missing ones are fine), then closes. */
  cleanup(names: { exchanges?: readonly string[]; queues?: readonly string[] }): Promise<void>;
  close(): Promise<void>;
}

export async function brokerAdmin(url: string = BROKER_URL): Promise<BrokerAdmin> {
  const model = await connect(url, { noDelay: true });
  model.on('error', () => undefined);
  let channel = await model.createConfirmChannel();
  channel.on('error', () => undefined);
  const fresh = async (): Promise<ConfirmChannel> => {
    channel = await model.createConfirmChannel();
    channel.on('error', () => undefined);
    return channel;
  };
  return {
    model,
    get channel() {
      return channel;
    },
    cleanup: async ({ exchanges = [], queues = [] }) => {
      for (const queue of queues) await channel.deleteQueue(queue).catch(fresh);
      for (const exchange of exchanges) await channel.deleteExchange(exchange).catch(fresh);
    },
    close: async () => {
      await model.close().catch(() => undefined);
    },
  };
}
