import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, silentLogger } from '@statbus/core';
import { envelopeFactory } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZeroMqRelay } from './zeromq-relay.js';
import { ZeroMqTransport } from './zeromq-transport.js';

describe('ZeroMqTransport publishing through the relay', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'statbus-receipt-'));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  describe('.close', () => {
    describe('when messages are still queued towards the relay', () => {
      // A short-lived publisher exits once close() resolves, and ZeroMQ throws away what it still held: neither the relay
      // nor any subscriber could then replay or report that tail. close() resolves only once the relay holds it.
      it('should resolve only once the relay has taken in the last message', async () => {
        const config = configSchema.parse({
          zeromq: { relay_inbound: `ipc://${directory}/in.sock`, relay_outbound: `ipc://${directory}/out.sock`, send_hwm: 50, receive_hwm: 50 },
        });
        const relay = new ZeroMqRelay(config, silentLogger);
        const publisher = new ZeroMqTransport(config, silentLogger);
        try {
          await relay.start();
          await publisher.connect();
          const make = envelopeFactory();
          const count = 3000;
          for (let index = 0; index < count; index += 1) await publisher.publish(make('org.statbus.dev.koji.build.state', { index }));
          await publisher.close();
          expect(relay.counters()).toMatchObject({ forwarded: count, kept: count });
        } finally {
          await publisher.close();
          await relay.close();
        }
      });
    });
  });
});
