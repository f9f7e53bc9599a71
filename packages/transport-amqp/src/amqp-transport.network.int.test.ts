import { silentLogger, TransportError } from '@statbus/core';
import { startTcpProxy, waitFor } from '@statbus/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AmqpTransport } from './amqp-transport.js';
import { BROKER_URL, brokerAdmin, isBrokerUp, testConfig } from './test-support/broker.js';
import { collect, record } from './test-support/collect.js';
import { envelopes } from './test-support/envelopes.js';
import { haveOpenssl, makeTestPki, startTlsProxy, type TestPki } from './test-support/tls-proxy.js';

const brokerUp = await isBrokerUp();
const canTls = brokerUp && haveOpenssl();
const broker = new URL(BROKER_URL);
const target = { host: broker.hostname, port: Number(broker.port || 5672) };

/** The broker URL with another scheme and port (credentials and vhost kept). */
function via(protocol: 'amqp:' | 'amqps:', port: number): string {
  const url = new URL(BROKER_URL);
  url.protocol = protocol;
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

describe(AmqpTransport, () => {
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A transport on its own exchange, closed and its names deleted after the test. */
  function transportFor(amqp: Parameters<typeof testConfig>[0]): AmqpTransport {
    const config = testConfig(amqp);
    const transport = new AmqpTransport(config, silentLogger);
    cleanups.push(async () => {
      await transport.close();
      const admin = await brokerAdmin();
      try {
        await admin.cleanup({ exchanges: [config.amqp.exchange, config.amqp.dead_letter_exchange], queues: [config.amqp.dead_letter_queue] });
      } finally {
        await admin.close();
      }
    });
    return transport;
  }

  describe.skipIf(!canTls)(`over amqps:// with [amqp.tls] CA, client certificate and key${canTls ? '' : ' (skipped: needs RabbitMQ and openssl)'}`, () => {
    let pki: TestPki;

    beforeAll(() => {
      pki = makeTestPki();
    });

    afterAll(() => {
      pki.remove();
    });

    it('should verify the broker against the CA, present the client certificate, and deliver', async () => {
      const proxy = await startTlsProxy(pki, target);
      cleanups.push(() => proxy.close());
      const transport = transportFor({ url: via('amqps:', proxy.port), tls: { ca: pki.caFile, cert: pki.clientCertFile, key: pki.clientKeyFile } });
      await transport.connect();
      const collected = collect(await transport.subscribe(['#']));
      const sent = envelopes()();
      await transport.publish(sent);
      await waitFor(() => collected.deliveries.length === 1, { message: 'delivered over amqps' });
      expect(collected.deliveries[0]?.envelope.id).toBe(sent.id);
      expect(proxy.clients.length).toBeGreaterThan(0);
      expect(new Set(proxy.clients)).toEqual(new Set(['statbus-client']));
    });

    describe('when the broker’s certificate is not signed by the configured CA', () => {
      it('should reject connect() with ERR_CONNECTION naming the certificate problem', async () => {
        const proxy = await startTlsProxy(pki, target);
        cleanups.push(() => proxy.close());
        const transport = transportFor({ url: via('amqps:', proxy.port), tls: { ca: pki.otherCaFile, cert: pki.clientCertFile, key: pki.clientKeyFile } });
        const failure = await transport.connect().catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(TransportError);
        expect((failure as TransportError).code).toBe('ERR_CONNECTION');
        expect((failure as TransportError).message).toMatch(/certificate/iu);
        expect(proxy.clients).toEqual([]);
      });
    });

    describe('when no client certificate is configured', () => {
      it('should be refused by a broker that requires one, with ERR_CONNECTION', async () => {
        const proxy = await startTlsProxy(pki, target);
        cleanups.push(() => proxy.close());
        const transport = transportFor({ url: via('amqps:', proxy.port), tls: { ca: pki.caFile } });
        const failure = await transport.connect().catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(TransportError);
        expect((failure as TransportError).code).toBe('ERR_CONNECTION');
        expect(proxy.clients).toEqual([]);
      });
    });
  });

  describe.skipIf(!brokerUp)(`when the network path to the broker goes dead without closing${brokerUp ? '' : ' (skipped: no RabbitMQ)'}`, () => {
    it('should notice by missed heartbeats, reconnect, and deliver again on the same subscription', async () => {
      const proxy = await startTcpProxy(target);
      cleanups.push(() => proxy.close());
      const transport = transportFor({ url: via('amqp:', proxy.port), heartbeat_s: 1 });
      await transport.connect();
      const statuses = record(transport.status());
      const collected = collect(await transport.subscribe(['#']));
      const make = envelopes();
      await transport.publish(make());
      await waitFor(() => collected.deliveries.length === 1);

      proxy.freeze();
      await waitFor(() => statuses.some((status) => status.type === 'connected'), { timeoutMs: 20_000, message: 'reconnected after the heartbeat timeout' });
      const disconnected = statuses.find((status) => status.type === 'disconnected');
      expect(disconnected?.type === 'disconnected' ? disconnected.error?.message : undefined).toMatch(/heartbeat/iu);
      expect(proxy.accepted).toBe(2);

      await transport.publish(make());
      await waitFor(() => collected.deliveries.length === 2, { message: 'the same subscription delivers after reconnecting' });
    });
  });
});
