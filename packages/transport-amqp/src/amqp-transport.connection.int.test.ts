import { createServer } from 'node:net';
import { TransportError, configSchema, silentLogger, type Envelope, type Transport } from '@statbus/core';
import { startTcpProxy, type TcpProxy, waitFor } from '@statbus/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { AmqpTransport } from './amqp-transport.js';
import { BROKER_URL, brokerAdmin, isBrokerUp, testConfig, uniqueName } from './test-support/broker.js';
import { collect, record } from './test-support/collect.js';
import { envelopes } from './test-support/envelopes.js';

const brokerUp = await isBrokerUp();

/** A local port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function viaPort(port: number): string {
  const url = new URL(BROKER_URL);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

describe(AmqpTransport, () => {
  describe('.connect', () => {
    describe('when nothing listens at the address', () => {
      it('should retry connect_attempts times, reporting each retry, then reject with ERR_CONNECTION without the password', async () => {
        const url = `amqp://statbus:s3cret@127.0.0.1:${await deadPort()}/%2F`;
        const transport = new AmqpTransport(testConfig({ url, connect_attempts: 3, reconnect_initial_ms: 5, reconnect_max_ms: 10 }), silentLogger);
        const statuses = record(transport.status());
        try {
          const connecting = transport.connect();
          const publishing = transport.publish(envelopes()()).catch((error: unknown) => error);
          const failure = await connecting.catch((error: unknown) => error);
          expect(await publishing).toBe(failure);
          expect(failure).toBeInstanceOf(TransportError);
          expect((failure as TransportError).code).toBe('ERR_CONNECTION');
          expect((failure as TransportError).message).toContain('after 3 attempt(s)');
          expect((failure as TransportError).message).toContain('statbus:***@127.0.0.1');
          expect((failure as TransportError).message).not.toContain('s3cret');
          expect((failure as TransportError).address).not.toContain('s3cret');
          await waitFor(() => statuses.filter((status) => status.type === 'reconnecting').length === 2);
          expect(statuses.map((status) => (status.type === 'reconnecting' ? status.attempt : status.type))).toEqual([1, 2]);
        } finally {
          await transport.close();
        }
      });
    });

    describe('when the URL is not an AMQP URL', () => {
      it('should be refused by the config schema, and by connect() with ERR_CONNECTION if it got through', async () => {
        const parsed = configSchema.safeParse({ transport: 'amqp', amqp: { url: 'http://broker:5672' } });
        expect(parsed.success).toBe(false);
        expect(parsed.error?.issues[0]?.path).toEqual(['amqp', 'url']);
        const config = testConfig();
        const transport = new AmqpTransport({ ...config, amqp: { ...config.amqp, url: 'not a url' } }, silentLogger);
        try {
          const failure = await transport.connect().catch((error: unknown) => error);
          expect(failure).toBeInstanceOf(TransportError);
          expect((failure as TransportError).code).toBe('ERR_CONNECTION');
          expect((failure as TransportError).message).toContain('Invalid AMQP settings');
        } finally {
          await transport.close();
        }
      });
    });

    describe('when a TLS file cannot be read', () => {
      it('should reject with ERR_CONNECTION naming the problem, without retrying', async () => {
        const config = testConfig({ url: 'amqps://127.0.0.1:5671/', tls: { ca: '/nonexistent/statbus-ca.pem' }, connect_attempts: 5 });
        const transport = new AmqpTransport(config, silentLogger);
        try {
          const failure = await transport.connect().catch((error: unknown) => error);
          expect((failure as TransportError).code).toBe('ERR_CONNECTION');
          expect((failure as TransportError).message).toContain('/nonexistent/statbus-ca.pem');
        } finally {
          await transport.close();
        }
      });
    });
  });

  describe.skipIf(!brokerUp)(`against RabbitMQ at ${BROKER_URL}`, () => {
    const transports: Transport[] = [];
    const exchanges: string[] = [];
    const queues: string[] = [];
    let proxy: TcpProxy | undefined;

    afterEach(async () => {
      await Promise.allSettled(transports.splice(0).map((transport) => transport.close()));
      await proxy?.close();
      proxy = undefined;
      const admin = await brokerAdmin();
      try {
        await admin.cleanup({ queues: queues.splice(0), exchanges: exchanges.splice(0) });
      } finally {
        await admin.close();
      }
    });

    async function throughProxy(queueType: 'quorum' | 'classic' = 'quorum'): Promise<{ transport: AmqpTransport; proxy: TcpProxy }> {
      const target = new URL(BROKER_URL);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5672) });
      const config = testConfig({ url: viaPort(proxy.port), queue_type: queueType, confirm_window: 64 });
      exchanges.push(config.amqp.exchange, config.amqp.dead_letter_exchange);
      queues.push(config.amqp.dead_letter_queue);
      const transport = new AmqpTransport(config, silentLogger);
      transports.push(transport);
      await transport.connect();
      return { transport, proxy };
    }

    describe('when the connection is cut', () => {
      it('should report disconnected, reconnecting and connected, and resume its subscriptions', async () => {
        const { transport, proxy } = await throughProxy();
        const statuses = record(transport.status());
        const subscription = await transport.subscribe(['#']);
        const collected = collect(subscription);
        const make = envelopes();
        await transport.publish(make());
        await waitFor(() => collected.deliveries.length === 1);
        proxy.cut();
        await waitFor(() => statuses.some((status) => status.type === 'connected'), { message: 'reconnected' });
        expect(statuses.map((status) => status.type)).toEqual(['disconnected', 'reconnecting', 'connected']);
        await transport.publish(make());
        await waitFor(() => collected.deliveries.length === 2, { message: 'the same subscription delivers after reconnecting' });
        expect(transport.counters().reconnects).toBe(1);
      });

      it('should lose no confirmed message of a stream cut mid-way (at-least-once)', async () => {
        const { transport, proxy } = await throughProxy();
        const queue = uniqueName('stream');
        queues.push(queue);
        const subscription = await transport.subscribe(['#'], { queue });
        const received = new Set<string>();
        const collected = collect(subscription, (delivery) => {
          received.add(delivery.envelope.id);
          return delivery.ack();
        });
        const make = envelopes();
        const confirmed: Envelope[] = [];
        const failed: unknown[] = [];
        const count = 3_000;
        const publishes: Promise<void>[] = [];
        for (let index = 0; index < count; index += 1) {
          const envelope = make({ index });
          publishes.push(transport.publish(envelope).then(() => void confirmed.push(envelope), (error: unknown) => void failed.push(error)));
          if (index === count / 3 || index === (2 * count) / 3) {
            await waitFor(() => confirmed.length > index / 2, { message: `some confirms before cut at ${index}` });
            proxy.cut();
          }
        }
        await Promise.all(publishes);
        expect(failed).toEqual([]);
        expect(confirmed).toHaveLength(count);
        await waitFor(() => confirmed.every((envelope) => received.has(envelope.id)), {
          timeoutMs: 20_000,
          message: `every confirmed message received (missing ${confirmed.filter((envelope) => !received.has(envelope.id)).length})`,
        });
        expect(transport.counters().reconnects).toBeGreaterThanOrEqual(2);
        expect(collected.deliveries.length).toBeGreaterThanOrEqual(count);
      });
    });

    describe('when closed while disconnected', () => {
      it('should reject the unconfirmed publishes with ERR_CLOSED after close_timeout_ms and report closed', async () => {
        const { transport, proxy } = await throughProxy();
        const statuses = record(transport.status());
        await proxy.close();
        await waitFor(() => statuses.some((status) => status.type === 'reconnecting'));
        const pending = transport.publish(envelopes()()).catch((error: unknown) => error);
        await transport.close();
        expect(((await pending) as TransportError).code).toBe('ERR_CLOSED');
        await waitFor(() => statuses.at(-1)?.type === 'closed');
      });
    });
  });
});
