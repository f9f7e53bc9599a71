import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EnvelopeError,
  SigningKeyError,
  TopicError,
  TransportError,
  Verifier,
  configSchema,
  generateKeyPair,
  silentLogger,
  type Envelope,
  type JsonObject,
  SchemaValidationError,
  type StatbusConfigInput,
} from '@statbus/core';
import { MemoryTransport, collect, received, waitFor } from '@statbus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Producer } from './producer.js';

const COMMENT = 'org.statbus.dev.bodhi.update.comment';

const commentSchema = {
  type: 'object',
  required: ['update', 'karma', 'user'],
  properties: {
    update: { type: 'string', pattern: '^FEDORA-' },
    karma: { type: 'integer', minimum: -1, maximum: 1 },
    user: { type: 'string' },
    packages: { type: 'array', items: { type: 'string' } },
  },
} as const;

let transport: MemoryTransport;

function producerWith(config: StatbusConfigInput = {}): Producer {
  return new Producer(transport, configSchema.parse(config), silentLogger);
}

async function subscribe(): Promise<ReturnType<typeof collect>> {
  return collect(await transport.subscribe(['org.statbus.dev.#']));
}

beforeEach(async () => {
  transport = new MemoryTransport();
  await transport.connect();
});

afterEach(async () => {
  await transport.close();
});

describe(Producer, () => {
  it('should identify itself by the configured name, this host, this process and a random instance', () => {
    const producer = producerWith({ producer: { name: 'bodhi' } });
    const other = producerWith({ producer: { name: 'bodhi' } });
    expect(producer.identity).toMatchObject({ name: 'bodhi', pid: process.pid });
    expect(producer.identity.host).not.toBe('');
    expect(producer.identity.instance).not.toBe(other.identity.instance);
  });

  describe('.publish', () => {
    describe('when given the part of the topic after <prefix>.<env>', () => {
      it('should publish on the full topic and resolve with the envelope sent', async () => {
        const collector = await subscribe();
        const producer = producerWith();
        const sent = await producer.publish('bodhi.update.comment', { update: 'FEDORA-2026-1' });
        await received(collector, 1);
        expect(sent).toMatchObject({ topic: COMMENT, seq: 1, body: { update: 'FEDORA-2026-1' }, producer: producer.identity });
        expect(collector.envelopes[0]).toEqual(sent);
        expect(sent.signature).toBeUndefined();
      });
    });

    describe('when given a full topic', () => {
      it('should keep it', async () => {
        expect((await producerWith().publish(COMMENT, {})).topic).toBe(COMMENT);
      });
    });

    describe('when the topic has one word after the category, as many of Fedora\'s do', () => {
      it.each(['logger.log', 'git.receive', 'buildsys.tag'])('should publish %s', async (suffix) => {
        expect((await producerWith({ topic_prefix: 'org.fedoraproject', environment: 'prod' }).publish(suffix, {})).topic).toBe(`org.fedoraproject.prod.${suffix}`);
      });
    });

    describe('when the topic is malformed or outside the namespace', () => {
      it.each(['bodhi', 'bodhi.up date.comment', 'org.statbus.prod.bodhi', 'bodhi..comment', 'bodhi.*.comment'])('should reject %s with a TopicError', async (topic) => {
        const producer = producerWith({ topic_prefix: 'org.statbus', environment: 'prod' });
        await expect(producer.publish(topic, {})).rejects.toBeInstanceOf(TopicError);
        expect(producer.seq).toBe(0);
      });
    });

    describe('when publishing on a topic again, or on more topics than it remembers', () => {
      it('should resolve each the same way every time and refuse a bad one every time', async () => {
        const producer = producerWith({ topic_prefix: 'org.statbus', environment: 'prod' });
        for (let round = 0; round < 2; round += 1) {
          await expect(producer.publish('bodhi..comment', {})).rejects.toBeInstanceOf(TopicError);
          expect((await producer.publish('bodhi.update.comment', {})).topic).toBe('org.statbus.prod.bodhi.update.comment');
        }
        for (let index = 0; index < 1100; index += 1) expect((await producer.publish(`bodhi.t${index}.done`, {})).topic).toBe(`org.statbus.prod.bodhi.t${index}.done`);
        expect((await producer.publish('bodhi.t0.done', {})).topic).toBe('org.statbus.prod.bodhi.t0.done');
      });
    });

    describe('when publishing several messages', () => {
      it('should number them from 1 without holes, even when some were refused', async () => {
        const collector = await subscribe();
        const producer = producerWith().registerSchema('org.statbus.dev.bodhi.update.comment', commentSchema, { name: 'bodhi.comment.v1' });
        await producer.publish('bodhi.update.request', {});
        await expect(producer.publish('bodhi.update.comment', { update: 'nope' })).rejects.toBeInstanceOf(SchemaValidationError);
        await expect(producer.publish('bodhi.update.request', 'text' as unknown as JsonObject)).rejects.toBeInstanceOf(EnvelopeError);
        await expect(producer.publish('bodhi.update.request', {}, { severity: 'loud' as 'info' })).rejects.toBeInstanceOf(EnvelopeError);
        await expect(producer.publish('bodhi.update.request', { n: Number.NaN })).rejects.toBeInstanceOf(EnvelopeError);
        await producer.publish('bodhi.update.comment', { update: 'FEDORA-2026-1', karma: 1, user: 'alice' });
        await Promise.all(Array.from({ length: 20 }, (_, index) => producer.publish('bodhi.update.request', { index })));
        await received(collector, 22);
        expect(collector.envelopes.map((envelope) => envelope.seq)).toEqual(Array.from({ length: 22 }, (_, index) => index + 1));
        expect(producer.seq).toBe(22);
      });
    });

    describe('when a schema is registered for the topic', () => {
      it('should refuse an invalid body with every failure and its instance path, and send nothing', async () => {
        const collector = await subscribe();
        const producer = producerWith().registerSchema('org.statbus.dev.bodhi.update.*', commentSchema, { name: 'bodhi.comment.v1' });
        const error = await producer.publish('bodhi.update.comment', { update: 'FEDORA-2026-1', karma: 'lots', packages: ['ok', 3] }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(SchemaValidationError);
        expect(error).toMatchObject({ code: 'ERR_ENVELOPE', topic: COMMENT, schema: 'bodhi.comment.v1' });
        const issues = (error as SchemaValidationError).issues;
        expect(issues).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ instancePath: '', keyword: 'required', params: { missingProperty: 'user' } }),
            expect.objectContaining({ instancePath: '/karma', keyword: 'type' }),
            expect.objectContaining({ instancePath: '/packages/1', keyword: 'type' }),
          ]),
        );
        expect((error as Error).message).toContain('/karma must be integer');
        expect(transport.counters().published).toBe(0);
        expect(collector.envelopes).toEqual([]);
      });

      it('should send a valid body with the schema name and the extracted headers', async () => {
        const producer = producerWith().registerSchema('org.statbus.dev.bodhi.#', commentSchema, {
          name: 'bodhi.comment.v1',
          extract: (body) => ({ usernames: [body['user'] as string], packages: (body['packages'] ?? []) as string[], agent: body['user'] as string, severity: 'info' }),
        });
        const sent = await producer.publish('bodhi.update.comment', { update: 'FEDORA-2026-1', karma: 1, user: 'alice', packages: ['kernel', 'glibc', 'kernel'] });
        expect(sent.headers).toEqual({ schema: 'bodhi.comment.v1', usernames: 'alice', packages: 'kernel,glibc', agent: 'alice', severity: 'info' });
      });

      it('should let options win over the extractor', async () => {
        const producer = producerWith().registerSchema('org.statbus.dev.bodhi.#', {}, { name: 'any', extract: () => ({ agent: 'robot', severity: 'debug' }) });
        const sent = await producer.publish('bodhi.update.comment', {}, { agent: 'alice', usernames: ['alice', 'bob'], headers: { trace: 'abc', agent: 'x' } });
        expect(sent.headers).toEqual({ schema: 'any', agent: 'alice', severity: 'debug', usernames: 'alice,bob', trace: 'abc' });
      });

      it('should not validate topics the pattern does not match', async () => {
        const producer = producerWith().registerSchema('org.statbus.dev.bodhi.#', commentSchema, { name: 'c' });
        expect((await producer.publish('koji.build.complete', { anything: true })).headers).toEqual({});
      });
    });

    describe('when signing is on', () => {
      let keys: string;

      beforeEach(async () => {
        keys = await mkdtemp(join(tmpdir(), 'statbus-producer-'));
      });

      afterEach(async () => {
        await rm(keys, { recursive: true, force: true });
      });

      it('should sign with the key of its name, verifiably', async () => {
        await generateKeyPair('bodhi', keys);
        const producer = producerWith({ producer: { name: 'bodhi' }, signing: { enabled: true, keys_dir: keys } });
        const sent = await producer.publish('bodhi.update.comment', { update: 'FEDORA-2026-1' });
        const verifier = await Verifier.fromConfig(configSchema.parse({ signing: { keys_dir: keys } }).signing);
        expect(sent.signature).toMatch(/^[A-Za-z0-9+/]+=*$/u);
        expect(verifier.verify(sent)).toEqual({ outcome: 'ok' });
      });

      it('should reject without taking a seq while the key is missing, and sign once it exists', async () => {
        const producer = producerWith({ producer: { name: 'bodhi' }, signing: { enabled: true, keys_dir: keys } });
        await expect(producer.publish('bodhi.update.comment', {})).rejects.toBeInstanceOf(SigningKeyError);
        expect(producer.seq).toBe(0);
        await generateKeyPair('bodhi', keys);
        const sent = await producer.publish('bodhi.update.comment', {});
        expect(sent.seq).toBe(1);
        expect(sent.signature).toBeDefined();
      });
    });

    describe('when the transport refuses the message', () => {
      it('should reject with the transport error', async () => {
        const producer = producerWith();
        await transport.close();
        await expect(producer.publish('bodhi.update.comment', {})).rejects.toMatchObject({ code: 'ERR_CLOSED' });
        await expect(producer.publish('bodhi.update.comment', {})).rejects.toBeInstanceOf(TransportError);
      });

      it('should resolve only when the transport publish resolved', async () => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        const sent: Envelope[] = [];
        const slow = Object.assign(Object.create(transport) as MemoryTransport, {
          publish: async (envelope: Envelope) => {
            await gate;
            sent.push(envelope);
          },
        });
        const producer = new Producer(slow, configSchema.parse({}), silentLogger);
        let done = false;
        const publishing = producer.publish('bodhi.update.comment', {}).then(() => {
          done = true;
        });
        await waitFor(() => producer.seq === 1);
        expect(done).toBe(false);
        release();
        await publishing;
        expect(sent).toHaveLength(1);
      });
    });
  });
});
