import { configSchema, silentLogger } from '@statbus/core';
import { MemoryBus, MemoryTransport } from '@statbus/testing';
import { AmqpTransport } from '@statbus/transport-amqp';
import { ZeroMqTransport } from '@statbus/transport-zeromq';
import { createServer } from 'node:net';
import { rawAmqpCandidate } from './raw-amqp.js';
import { rawZeroMqCandidate } from './raw-zeromq.js';
import type { BenchCandidate } from './scenario.js';
import { statbusCandidate } from './statbus-candidate.js';

const WINDOW = 1_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Every candidate, each statbus transport right after the raw library it is compared with. */
export function transportCandidates(options: { amqpUrl: string; highWaterMark: number }): BenchCandidate[] {
  const rawZeroMq = rawZeroMqCandidate({ highWaterMark: options.highWaterMark });
  const rawAmqp = rawAmqpCandidate({ url: options.amqpUrl, window: WINDOW, prefetch: 100 });
  let zeromqEndpoint = '';
  let memoryBus = new MemoryBus();
  return [
    rawZeroMq,
    statbusCandidate({
      name: 'statbus ZeroMQ',
      baseline: rawZeroMq.name,
      window: WINDOW,
      create: async (role) => {
        if (role === 'publisher') zeromqEndpoint = `tcp://127.0.0.1:${await freePort()}`;
        const config = configSchema.parse({
          zeromq:
            role === 'publisher'
              ? { bind: [zeromqEndpoint], use_relay: false }
              : { endpoints: { bench: [zeromqEndpoint] }, use_relay: false },
        });
        return new ZeroMqTransport(config, silentLogger);
      },
    }),
    rawAmqp,
    statbusCandidate({
      name: 'statbus AMQP',
      baseline: rawAmqp.name,
      window: WINDOW,
      create: (_role) => Promise.resolve(new AmqpTransport(configSchema.parse({ transport: 'amqp', amqp: { url: options.amqpUrl, confirm_window: WINDOW } }), silentLogger)),
    }),
    statbusCandidate({
      name: 'statbus in-memory',
      window: WINDOW,
      create: (role) => {
        if (role === 'publisher') memoryBus = new MemoryBus();
        return Promise.resolve(new MemoryTransport(memoryBus));
      },
    }),
  ];
}
