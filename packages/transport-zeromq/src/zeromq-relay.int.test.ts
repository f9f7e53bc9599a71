import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, silentLogger } from '@statbus/core';
import { collect, envelopeFactory, waitFor } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZeroMqRelay } from './zeromq-relay.js';
import { ZeroMqTransport } from './zeromq-transport.js';

describe(ZeroMqRelay, () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'statbus-relay-'));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  describe('.start', () => {
    describe('when publishers and subscribers meet only through it (ipc://)', () => {
      it('should forward every message, frames untouched, and answer each probe', async () => {
        const config = configSchema.parse({
          zeromq: { relay_inbound: `ipc://${directory}/in.sock`, relay_outbound: `ipc://${directory}/out.sock` },
        });
        const relay = new ZeroMqRelay(config, silentLogger);
        const publisher = new ZeroMqTransport(config, silentLogger);
        const subscriber = new ZeroMqTransport(config, silentLogger);
        try {
          await relay.start();
          await relay.start();
          await Promise.all([publisher.connect(), subscriber.connect()]);
          const collector = collect(await subscriber.subscribe(['org.statbus.dev.#']));
          const make = envelopeFactory();
          const sent = Array.from({ length: 100 }, (_, index) => make('org.statbus.dev.koji.build.state', { index }));
          for (const envelope of sent) await publisher.publish(envelope);
          await waitFor(() => collector.envelopes.length === sent.length);
          expect(collector.envelopes).toEqual(sent);
          expect(relay.counters()).toMatchObject({ forwarded: 100, probes: 1 });
          expect(relay.outboundAddress).toBe(`ipc://${directory}/out.sock`);
        } finally {
          await publisher.close();
          await subscriber.close();
          await relay.close();
          await relay.close();
        }
      });
    });

    describe('when its address is taken', () => {
      it('should reject with ERR_CONNECTION naming the address', async () => {
        const config = configSchema.parse({ zeromq: { relay_inbound: `ipc://${directory}/in.sock`, relay_outbound: 'tcp://127.0.0.1:*' } });
        const first = new ZeroMqRelay(config, silentLogger);
        try {
          await first.start();
          const taken = configSchema.parse({ zeromq: { relay_inbound: 'tcp://127.0.0.1:*', relay_outbound: first.outboundAddress } });
          const third = new ZeroMqRelay(taken, silentLogger);
          await expect(third.start()).rejects.toMatchObject({ code: 'ERR_CONNECTION', address: first.outboundAddress });
          await third.close();
        } finally {
          await first.close();
        }
      });
    });
  });
});
