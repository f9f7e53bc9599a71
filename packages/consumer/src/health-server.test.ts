import { Broadcaster, configSchema, silentLogger, type StatbusConfigInput, type TransportStatus } from '@statbus/core';
import { CONTRACT_PREFIX, MemoryBus, MemoryTransport, envelopeFactory, waitFor } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsumerHub } from './consumer-hub.js';
import type { HealthReport } from './health-report.js';
import { HealthServer } from './health-server.js';

const TOPIC = `${CONTRACT_PREFIX}.bodhi.update.comment`;

let transport: MemoryTransport;
let publisher: MemoryTransport;
const closers: (() => Promise<unknown>)[] = [];

function setup(consumer: StatbusConfigInput['consumer'] = {}): { hub: ConsumerHub; server: HealthServer } {
  const config = configSchema.parse({ consumer: { group: 'health', ...consumer } });
  const hub = new ConsumerHub(transport, config, silentLogger).register([TOPIC], () => undefined, { name: 'noop' });
  const server = new HealthServer(hub, config, silentLogger);
  closers.push(() => server.close(), () => hub.stop());
  return { hub, server };
}

async function probe(server: HealthServer, path: '/live' | '/ready'): Promise<{ status: number; body: HealthReport & { status: string } }> {
  const response = await server.app.inject({ method: 'GET', url: path });
  return { status: response.statusCode, body: response.json() };
}

beforeEach(async () => {
  const bus = new MemoryBus();
  transport = new MemoryTransport(bus);
  publisher = new MemoryTransport(bus);
  await publisher.connect();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await transport.close();
  await publisher.close();
});

describe(HealthServer, () => {
  describe('GET /live', () => {
    it('should answer 200 until the hub stops, then 503', async () => {
      const { hub, server } = setup();
      expect((await probe(server, '/live')).status).toBe(200);
      await hub.start();
      expect((await probe(server, '/live')).body).toMatchObject({ status: 'ok', live: true, state: 'running' });
      await hub.stop();
      expect(await probe(server, '/live')).toMatchObject({ status: 503, body: { status: 'stopped', live: false } });
    });
  });

  describe('GET /ready', () => {
    it('should answer 503 before start, then 200 with counters, groups and transport counters', async () => {
      const { hub, server } = setup();
      expect(await probe(server, '/ready')).toMatchObject({ status: 503, body: { ready: false, reasons: ['consumer is idle', 'transport is not connected'] } });
      await hub.start();
      await publisher.publish(envelopeFactory('bodhi')(TOPIC));
      await waitFor(() => hub.counters().processed === 1);
      const ready = await probe(server, '/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({
        status: 'ok',
        connected: true,
        counters: { received: 1, processed: 1, handlers: { noop: { processed: 1 } } },
        groups: [{ name: 'health', patterns: [TOPIC], handlers: ['noop'], inFlight: 0 }],
        transport: { received: 1 },
      });
      expect(ready.body.counters.lastMessageAt).toBeGreaterThan(0);
    });

    describe('when the transport reports a lost connection', () => {
      it('should answer 503 until it reports connected again', async () => {
        const statuses = new Broadcaster<TransportStatus>();
        transport.status = () => statuses.subscribe();
        const { hub, server } = setup();
        await hub.start();
        expect((await probe(server, '/ready')).status).toBe(200);
        statuses.publish({ type: 'disconnected', address: 'amqp://bus' });
        await waitFor(() => !hub.health().connected);
        expect(await probe(server, '/ready')).toMatchObject({ status: 503, body: { reasons: ['transport is not connected'] } });
        statuses.publish({ type: 'reconnecting', address: 'amqp://bus', attempt: 1, delayMs: 100 });
        statuses.publish({ type: 'connected', address: 'amqp://bus' });
        await waitFor(() => hub.health().connected);
        expect((await probe(server, '/ready')).status).toBe(200);
      });
    });

    describe('when the watchdog is on', () => {
      it('should judge silence against watchdog_s', async () => {
        const { hub } = setup({ watchdog_s: 60 });
        await hub.start();
        const now = Date.now();
        expect(hub.health(now + 59_000).ready).toBe(true);
        const stale = hub.health(now + 61_000);
        expect(stale.ready).toBe(false);
        expect(stale.reasons[0]).toMatch(/^watchdog: no message received for 6\d s \(watchdog_s = 60\)$/u);
      });

      it('should turn 503 over real HTTP while no message arrives, and 200 again when one does', async () => {
        const { hub, server } = setup({ watchdog_s: 0.2 });
        await hub.start();
        const url = await server.listen({ port: 0 });
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u);
        const status = async (): Promise<number> => (await fetch(`${url}/ready`)).status;
        await waitFor(async () => (await status()) === 503, { message: '/ready turning 503' });
        const body = (await (await fetch(`${url}/ready`)).json()) as HealthReport;
        expect(body.reasons.join()).toMatch(/watchdog/u);
        expect((await fetch(`${url}/live`)).status).toBe(200);
        const make = envelopeFactory('bodhi');
        await waitFor(
          async () => {
            await publisher.publish(make(TOPIC));
            return (await status()) === 200;
          },
          { message: '/ready turning 200 after a message' },
        );
      });
    });
  });
});
