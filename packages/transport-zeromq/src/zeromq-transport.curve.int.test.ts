import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, TransportError, configSchema, silentLogger, type Envelope } from '@statbus/core';
import { envelopeFactory, waitFor } from '@statbus/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Subscriber, curveKeyPair } from 'zeromq';
import { curveOptions } from './curve-options.js';
import { ZeroMqRelay } from './zeromq-relay.js';
import { ZeroMqTransport } from './zeromq-transport.js';

const TOPIC = 'org.statbus.dev.curve.secret';

describe(`${ZeroMqTransport.name} with CURVE ([zeromq.curve])`, () => {
  it('should deliver everything to a keyed subscriber and nothing to an un-keyed one', async () => {
    const server = curveKeyPair();
    const client = curveKeyPair();
    const directory = mkdtempSync(join(tmpdir(), 'statbus-curve-'));
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
    // The relay's keys from files: a zcert secret file (czmq's format) and a bare public key.
    writeFileSync(join(directory, 'relay.key_secret'), `metadata\ncurve\n    public-key = "${server.publicKey}"\n    secret-key = "${server.secretKey}"\n`);
    writeFileSync(join(directory, 'relay.key'), `${server.publicKey}\n`);
    const relayCurve = {
      public_key_file: join(directory, 'relay.key'),
      secret_key_file: join(directory, 'relay.key_secret'),
      server_key_file: join(directory, 'relay.key'),
    };
    const relay = new ZeroMqRelay(
      configSchema.parse({ zeromq: { relay_inbound: 'tcp://127.0.0.1:*', relay_outbound: 'tcp://127.0.0.1:*', relay_replay: 'tcp://127.0.0.1:*', curve: relayCurve } }),
      silentLogger,
    );
    await relay.start();
    onTestFinished(() => relay.close());
    const bus = { relay_inbound: relay.inboundAddress, relay_outbound: relay.outboundAddress, relay_replay: relay.replayAddress, ready_timeout_ms: 500 };
    const keyed = { public_key: client.publicKey, secret_key: client.secretKey, server_key: server.publicKey };
    const transport = (zeromq: Record<string, unknown>): ZeroMqTransport => {
      const made = new ZeroMqTransport(configSchema.parse({ zeromq: { ...bus, ...zeromq } }), silentLogger);
      onTestFinished(() => made.close());
      return made;
    };
    const publisher = transport({ curve: keyed });
    const subscriber = transport({ curve: keyed });
    // Un-keyed: a statbus subscriber without [zeromq.curve] (it needs no relay to connect: it binds nothing and
    // lists the relay's outbound side as an endpoint), and a bare ZeroMQ SUB socket taking every topic.
    const eavesdropper = transport({ use_relay: false, endpoints: { relay: [relay.outboundAddress] } });
    const bare = new Subscriber({ linger: 0 });
    onTestFinished(() => bare.close());
    bare.subscribe();
    bare.connect(relay.outboundAddress ?? '');
    const overheardFrames: Buffer[][] = [];
    void (async () => {
      for await (const frames of bare) overheardFrames.push(frames);
    })().catch(() => undefined);
    await Promise.all([publisher.connect(), subscriber.connect(), eavesdropper.connect()]);
    const received: Envelope[] = [];
    const overheard: Envelope[] = [];
    for (const [who, into] of [
      [subscriber, received],
      [eavesdropper, overheard],
    ] as const) {
      const subscription = await who.subscribe([TOPIC]);
      void (async () => {
        for await (const delivery of subscription) {
          into.push(delivery.envelope);
          await delivery.ack();
        }
      })();
    }
    const make = envelopeFactory();
    const published = 200;
    for (let index = 0; index < published; index += 1) await publisher.publish(make(TOPIC, { index }));
    await waitFor(() => received.length === published, { message: 'the keyed subscriber got every message' });
    // Published after: had the eavesdropper been able to connect, its messages would have arrived by now.
    await publisher.publish(make(TOPIC, { last: true }));
    await waitFor(() => received.length === published + 1, { message: 'the keyed subscriber got the last one' });
    expect(overheard).toEqual([]);
    expect(overheardFrames).toEqual([]);
    expect(eavesdropper.counters().received).toBe(0);
    expect(received.map((envelope) => envelope.seq)).toEqual(Array.from({ length: published + 1 }, (_, index) => index + 1));
  });

  it('should refuse to connect an un-keyed publisher to a CURVE relay (ERR_CONNECTION)', async () => {
    const server = curveKeyPair();
    const relay = new ZeroMqRelay(
      configSchema.parse({
        zeromq: {
          relay_inbound: 'tcp://127.0.0.1:*',
          relay_outbound: 'tcp://127.0.0.1:*',
          relay_replay: 'tcp://127.0.0.1:*',
          curve: { public_key: server.publicKey, secret_key: server.secretKey, server_key: server.publicKey },
        },
      }),
      silentLogger,
    );
    await relay.start();
    onTestFinished(() => relay.close());
    const intruder = new ZeroMqTransport(configSchema.parse({ zeromq: { relay_inbound: relay.inboundAddress, ready_timeout_ms: 300 } }), silentLogger);
    onTestFinished(() => intruder.close());
    await expect(intruder.connect()).rejects.toSatisfy((error) => error instanceof TransportError && error.code === 'ERR_CONNECTION');
  });

  it('should name a key file that holds no key (ConfigError)', () => {
    const directory = mkdtempSync(join(tmpdir(), 'statbus-curve-bad-'));
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
    const file = join(directory, 'empty.key');
    writeFileSync(file, 'not a key\n');
    const { publicKey, secretKey } = curveKeyPair();
    const config = configSchema.parse({ zeromq: { curve: { public_key: publicKey, secret_key: secretKey, server_key_file: file } } });
    expect(() => curveOptions(config.zeromq)).toThrow(ConfigError);
    expect(() => curveOptions(config.zeromq)).toThrow(/server_key_file.*empty\.key/su);
  });

  it('should refuse a config with a malformed key or a key given twice', () => {
    const { publicKey, secretKey } = curveKeyPair();
    expect(() => configSchema.parse({ zeromq: { curve: { public_key: 'short', secret_key: secretKey, server_key: publicKey } } })).toThrow(/Z85/u);
    expect(() => configSchema.parse({ zeromq: { curve: { public_key: publicKey, public_key_file: '/x', secret_key: secretKey, server_key: publicKey } } })).toThrow(/not both/u);
    expect(() => configSchema.parse({ zeromq: { curve: { public_key: publicKey, secret_key: secretKey } } })).toThrow(/server_key/u);
  });
});
