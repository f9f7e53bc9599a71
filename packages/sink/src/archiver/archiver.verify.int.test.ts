import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Signer, configSchema, createEnvelope, generateKeyPair, silentLogger, type BusEvent, type Envelope, type JsonObject, type StatbusConfig } from '@statbus/core';
import { CONTRACT_PREFIX, MemoryBus, MemoryTransport, waitFor } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteMessageStore } from '../sqlite/sqlite-message-store.js';
import { Archiver } from './archiver.js';

const BODHI = `${CONTRACT_PREFIX}.bodhi.update.comment`;
const KOJI = `${CONTRACT_PREFIX}.koji.build.complete`;

let dir: string;
let bus: MemoryBus;
let transport: MemoryTransport;
let foreign: MemoryTransport;
let store: SqliteMessageStore;
let seq = 0;

function raw(name: string, topic: string, body: JsonObject, signer?: Signer, instance = 'foreign'): Envelope {
  seq += 1;
  const envelope = createEnvelope({ topic, body, seq, producer: { name, host: 'elsewhere', pid: 1, instance } });
  return signer === undefined ? envelope : signer.sign(envelope);
}

/** Bus events the archivers of a test recorded for the metrics. */
let recorded: BusEvent[] = [];

async function archiverWith(config: StatbusConfig): Promise<Archiver> {
  const recorder = { recordEvents: (events: readonly BusEvent[]) => Promise.resolve(void recorded.push(...events)) };
  const archiver = new Archiver(transport, store, config, silentLogger, { batchSize: 4, maxWaitMs: 5 }, recorder);
  await archiver.start();
  return archiver;
}

beforeEach(async () => {
  recorded = [];
  dir = await mkdtemp(join(tmpdir(), 'statbus-archiver-verify-'));
  bus = new MemoryBus();
  transport = new MemoryTransport(bus);
  foreign = new MemoryTransport(bus);
  await transport.connect();
  await foreign.connect();
  store = new SqliteMessageStore(join(dir, 'archive.db'));
  await store.init();
});

afterEach(async () => {
  await transport.close();
  await foreign.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe(`${Archiver.name} with [signing] verify`, () => {
  it('should store only messages signed by a known key on an allowed topic, marked verified, and dead-letter and count the rest by reason', async () => {
    const keys = join(dir, 'keys');
    await generateKeyPair('bodhi', keys);
    await generateKeyPair('koji', keys);
    await generateKeyPair('mallory', join(dir, 'elsewhere'));
    const bodhi = await Signer.fromDirectory('bodhi', keys);
    const koji = await Signer.fromDirectory('koji', keys);
    const mallory = await Signer.fromDirectory('mallory', join(dir, 'elsewhere'));
    const config = configSchema.parse({
      topic_prefix: CONTRACT_PREFIX.split('.').slice(0, -1).join('.'),
      signing: { verify: true, keys_dir: keys, routing_policy: { bodhi: [`${CONTRACT_PREFIX}.bodhi.#`] } },
    });
    const archiver = await archiverWith(config);

    const good = raw('bodhi', BODHI, { n: 1 }, bodhi);
    const forged = { ...raw('bodhi', BODHI, { n: 2 }), signature: mallory.signature(raw('bodhi', BODHI, { n: 2 })) };
    const tampered = { ...raw('bodhi', BODHI, { n: 3 }, bodhi), body: { n: 33 } };
    const unknown = raw('mallory', BODHI, { n: 4 }, mallory);
    const unsigned = raw('bodhi', BODHI, { n: 5 });
    const offPolicy = raw('koji', BODHI, { n: 6 }, koji);
    const kojiOwn = raw('koji', KOJI, { n: 7 }, koji);
    const fedoraMessaging = raw('bodhi', BODHI, { n: 8 }, undefined, 'fedora-messaging');
    const fedmsg = raw('bodhi', BODHI, { n: 9 }, undefined, 'fedmsg');
    const all = [good, forged, tampered, unknown, unsigned, offPolicy, kojiOwn, fedoraMessaging, fedmsg];
    for (const envelope of all) await foreign.publish(envelope);

    await waitFor(() => archiver.counters().archived === 2 && bus.deadLetters.length === 7);
    expect(archiver.counters().refused).toEqual({
      'missing-signature': 1,
      'unknown-producer': 1,
      'bad-signature': 2,
      'topic-not-allowed': 1,
      'foreign-format': 2,
    });
    // The metrics' refusals plugin counts the same, by reason.
    const refusals: Record<string, number> = {};
    for (const event of recorded) if (event.type === 'refused') refusals[event.reason] = (refusals[event.reason] ?? 0) + 1;
    expect(refusals).toEqual(archiver.counters().refused);
    expect((await store.get(good.id))?.verified).toBe(true);
    expect((await store.get(kojiOwn.id))?.verified).toBe(true);
    for (const refused of [forged, tampered, unknown, unsigned, offPolicy, fedoraMessaging, fedmsg]) expect(await store.get(refused.id)).toBeUndefined();
    await archiver.stop();
  });

  it('should archive foreign-format messages as not verified with foreign_formats = "accept-unverified"', async () => {
    const keys = join(dir, 'keys');
    await generateKeyPair('bodhi', keys);
    const config = configSchema.parse({ signing: { verify: true, keys_dir: keys, foreign_formats: 'accept-unverified' } });
    const archiver = await archiverWith(config);
    const fedoraMessaging = raw('bodhi', BODHI, { n: 1 }, undefined, 'fedora-messaging');
    const unsigned = raw('bodhi', BODHI, { n: 2 });
    await foreign.publish(fedoraMessaging);
    await foreign.publish(unsigned);
    await waitFor(() => archiver.counters().archived === 1 && bus.deadLetters.length === 1);
    const stored = await store.get(fedoraMessaging.id);
    expect(stored?.envelope.id).toBe(fedoraMessaging.id);
    expect(stored?.verified).toBeUndefined();
    expect(archiver.counters().refused['missing-signature']).toBe(1);
    await archiver.stop();
  });

  it('should archive everything, none marked verified, without verify', async () => {
    const keys = join(dir, 'keys');
    await generateKeyPair('bodhi', keys);
    const bodhi = await Signer.fromDirectory('bodhi', keys);
    const archiver = await archiverWith(configSchema.parse({}));
    const signed = raw('bodhi', BODHI, { n: 1 }, bodhi);
    const tampered = { ...raw('bodhi', BODHI, { n: 2 }, bodhi), body: { n: 22 } };
    await foreign.publish(signed);
    await foreign.publish(tampered);
    await waitFor(() => archiver.counters().archived === 2);
    expect((await store.get(signed.id))?.verified).toBeUndefined();
    expect((await store.get(tampered.id))?.verified).toBeUndefined();
    await archiver.stop();
  });
});
