import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Signer, configSchema, createEnvelope, generateKeyPair, silentLogger, type Envelope, type JsonObject } from '@statbus/core';
import { CONTRACT_PREFIX, MemoryBus, MemoryTransport, waitFor } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsumerHub } from './consumer-hub.js';

const BODHI = `${CONTRACT_PREFIX}.bodhi.update.comment`;
const KOJI = `${CONTRACT_PREFIX}.koji.build.complete`;

let dir: string;
let bus: MemoryBus;
let transport: MemoryTransport;
let foreign: MemoryTransport;
let seq = 0;

/** An envelope as a foreign producer would put it on the bus, bypassing any Producer. */
function raw(name: string, topic: string, body: JsonObject, signer?: Signer): Envelope {
  seq += 1;
  const envelope = createEnvelope({ topic, body, seq, producer: { name, host: 'elsewhere', pid: 1, instance: 'foreign' } });
  return signer === undefined ? envelope : signer.sign(envelope);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'statbus-consumer-'));
  bus = new MemoryBus();
  transport = new MemoryTransport(bus);
  foreign = new MemoryTransport(bus);
  await foreign.connect();
});

afterEach(async () => {
  await transport.close();
  await foreign.close();
  await rm(dir, { recursive: true, force: true });
});

describe(ConsumerHub, () => {
  describe('when [signing] verify is on', () => {
    it('should hand over only messages signed by a known key on an allowed topic, and dead-letter the rest', async () => {
      const keys = join(dir, 'keys');
      await generateKeyPair('bodhi', keys);
      await generateKeyPair('koji', keys);
      await generateKeyPair('mallory', join(dir, 'elsewhere'));
      const bodhi = await Signer.fromDirectory('bodhi', keys);
      const koji = await Signer.fromDirectory('koji', keys);
      const mallory = await Signer.fromDirectory('mallory', join(dir, 'elsewhere'));
      const config = configSchema.parse({
        consumer: { group: 'verified' },
        signing: { verify: true, keys_dir: keys, routing_policy: { bodhi: [`${CONTRACT_PREFIX}.bodhi.#`] } },
      });
      const handled: string[] = [];
      const hub = new ConsumerHub(transport, config, silentLogger).register(['#'], (envelope) => void handled.push(envelope.id));
      await hub.start();

      const good = raw('bodhi', BODHI, { n: 1 }, bodhi);
      const forged = { ...raw('bodhi', BODHI, { n: 2 }), signature: mallory.signature(raw('bodhi', BODHI, { n: 2 })) };
      const tampered = { ...raw('bodhi', BODHI, { n: 3 }, bodhi), body: { n: 33 } };
      const unknown = raw('mallory', BODHI, { n: 4 }, mallory);
      const unsigned = raw('bodhi', BODHI, { n: 5 });
      const offPolicy = raw('koji', BODHI, { n: 6 }, koji);
      const kojiOwn = raw('koji', KOJI, { n: 7 }, koji);
      for (const envelope of [good, forged, tampered, unknown, unsigned, offPolicy, kojiOwn]) await foreign.publish(envelope);

      await waitFor(() => hub.counters().received === 7);
      await waitFor(() => hub.counters().rejected === 5);
      expect([...handled].sort()).toEqual([good.id, kojiOwn.id].sort());
      expect(hub.counters()).toMatchObject({ processed: 2, rejected: 5, retried: 0, failed: 0 });
      expect(bus.deadLetters).toHaveLength(5);
      await hub.stop();
    });

    it('should refuse to start when the keys directory cannot be read', async () => {
      const config = configSchema.parse({ signing: { verify: true, keys_dir: join(dir, 'missing') } });
      const hub = new ConsumerHub(transport, config, silentLogger).register(['#'], () => undefined);
      await expect(hub.start()).rejects.toMatchObject({ code: 'ERR_CONFIG' });
      await expect(hub.finished).resolves.toMatchObject({ exitCode: 1 });
    });
  });

  describe('when a schema is registered for the topic', () => {
    it('should dead-letter bodies a foreign producer sent that fail it, without calling the handler', async () => {
      const handled: JsonObject[] = [];
      const hub = new ConsumerHub(transport, configSchema.parse({ consumer: { group: 'schemas' } }), silentLogger)
        .registerSchema(`${CONTRACT_PREFIX}.bodhi.#`, { type: 'object', required: ['update'], properties: { update: { type: 'string' } } }, { name: 'bodhi.v1' })
        .register(['#'], (envelope) => void handled.push(envelope.body));
      await hub.start();
      await foreign.publish(raw('bodhi', BODHI, { update: 42 }));
      await foreign.publish(raw('bodhi', BODHI, { karma: 1 }));
      await foreign.publish(raw('bodhi', BODHI, { update: 'FEDORA-2026-1' }));
      await foreign.publish(raw('koji', KOJI, { anything: true }));
      await waitFor(() => hub.counters().processed === 2);
      await waitFor(() => hub.counters().rejected === 2);
      expect(handled).toHaveLength(2);
      expect(handled).toEqual(expect.arrayContaining([{ update: 'FEDORA-2026-1' }, { anything: true }]));
      expect(bus.deadLetters.map((frame) => frame.topic)).toEqual([BODHI, BODHI]);
      await hub.stop();
    });
  });
});
