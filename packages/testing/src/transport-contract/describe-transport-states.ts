import { TopicError, TransportError, type StatbusErrorCode, type Transport } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { INVALID_PATTERNS } from '../fixtures/pattern-cases.js';
import { waitFor } from '../wait-for.js';
import { CONTRACT_PREFIX, collect, envelopeFactory, received, recordStatus } from './contract-helpers.js';

const TOPIC = `${CONTRACT_PREFIX}.bodhi.update.comment`;

/** Patterns every transport refuses, as a user would mistype them: an empty word, a doubled wildcard, a space. */
export const MISTYPED_PATTERNS: readonly string[] = ['a..b', '##x', 'a b'];

/** How the state cases reach the suite's bus: transports it tracks and closes after each test. */
export interface TransportStateHooks {
  /** A new transport on the bus, not connected. */
  fresh(): Promise<Transport>;
  /** A new transport on the bus, connected. */
  connected(): Promise<Transport>;
}

/** What a rejected call rejected with, for assertions on its class and code. */
async function failureOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject, but it resolved');
}

async function expectTransportError(call: () => Promise<unknown>, code: StatbusErrorCode): Promise<void> {
  const failure = await failureOf(call);
  expect(failure).toBeInstanceOf(TransportError);
  expect((failure as TransportError).code).toBe(code);
}

async function expectPatternError(call: () => Promise<unknown>, what: string): Promise<void> {
  const failure = await failureOf(call);
  expect(failure, what).toBeInstanceOf(TopicError);
  expect((failure as TopicError).code, what).toBe('ERR_PATTERN');
}

/**
 * Every call of {@link Transport} in every state (never connected, connecting, connected, closed), the
 * same on every backend: no backend connects by itself, a closed transport stays closed, and a bad or
 * empty pattern list is one error class whatever the state of the connection.
 */
export function describeTransportStates(hooks: TransportStateHooks): void {
  describe('every call in every state', () => {
    describe('before connect', () => {
      it('should reject publish with ERR_NOT_CONNECTED', async () => {
        const transport = await hooks.fresh();
        await expectTransportError(() => transport.publish(envelopeFactory()(TOPIC)), 'ERR_NOT_CONNECTED');
      });

      it('should reject subscribe with ERR_NOT_CONNECTED', async () => {
        const transport = await hooks.fresh();
        await expectTransportError(() => transport.subscribe(['#']), 'ERR_NOT_CONNECTED');
      });

      it('should refuse an empty or mistyped pattern list with a TopicError before looking at the connection', async () => {
        const transport = await hooks.fresh();
        await expectPatternError(() => transport.subscribe([]), 'no pattern');
        for (const pattern of MISTYPED_PATTERNS) await expectPatternError(() => transport.subscribe([pattern]), `pattern ${JSON.stringify(pattern)}`);
      });

      it('should count nothing and still connect after refusing a call', async () => {
        const transport = await hooks.fresh();
        await failureOf(() => transport.publish(envelopeFactory()(TOPIC)));
        expect(transport.counters().published).toBe(0);
        await transport.connect();
        const collector = collect(await transport.subscribe([TOPIC]));
        await transport.publish(envelopeFactory()(TOPIC));
        await received(collector, 1);
      });

      it('should close without having connected, report closed, and stay closed', async () => {
        const transport = await hooks.fresh();
        const statuses = recordStatus(transport.status());
        await expect(transport.close()).resolves.toBeUndefined();
        await waitFor(() => statuses.at(-1)?.type === 'closed', { message: 'closed status' });
        expect(statuses.some((status) => status.type === 'connected')).toBe(false);
        await expectTransportError(() => transport.connect(), 'ERR_CLOSED');
        await expectTransportError(() => transport.publish(envelopeFactory()(TOPIC)), 'ERR_CLOSED');
        await expectTransportError(() => transport.subscribe(['#']), 'ERR_CLOSED');
      });
    });

    describe('while connect() is under way', () => {
      it('should wait for the connection and deliver what was published', async () => {
        const subscriber = await hooks.connected();
        const collector = collect(await subscriber.subscribe([TOPIC]));
        const publisher = await hooks.fresh();
        const connecting = publisher.connect();
        const envelope = envelopeFactory()(TOPIC);
        await publisher.publish(envelope);
        await connecting;
        await received(collector, 1);
        expect(collector.envelopes[0]?.id).toBe(envelope.id);
      });
    });

    describe('when connected', () => {
      it('should resolve a second connect() and keep working', async () => {
        const transport = await hooks.connected();
        await expect(transport.connect()).resolves.toBeUndefined();
        const collector = collect(await transport.subscribe([TOPIC]));
        await transport.publish(envelopeFactory()(TOPIC));
        await received(collector, 1);
      });

      it('should refuse an empty pattern list with a TopicError (ERR_PATTERN), as a malformed pattern', async () => {
        const transport = await hooks.connected();
        await expectPatternError(() => transport.subscribe([]), 'no pattern');
        for (const pattern of [...MISTYPED_PATTERNS, ...INVALID_PATTERNS]) {
          await expectPatternError(() => transport.subscribe([pattern]), `pattern ${JSON.stringify(pattern)}`);
        }
      });

      it('should refuse a list with one bad pattern among good ones, subscribing to none of them', async () => {
        const [publisher, subscriber] = [await hooks.connected(), await hooks.connected()];
        await expectPatternError(() => subscriber.subscribe(['#', 'a..b']), 'one bad pattern');
        const collector = collect(await subscriber.subscribe([TOPIC]));
        const envelope = envelopeFactory()(TOPIC);
        await publisher.publish(envelope);
        await received(collector, 1);
        expect(collector.envelopes.map((delivered) => delivered.id)).toEqual([envelope.id]);
      });
    });

    describe('after close', () => {
      it('should resolve every further close(), sequential or concurrent, and report closed once', async () => {
        const transport = await hooks.connected();
        const statuses = recordStatus(transport.status());
        await transport.close();
        await expect(Promise.all([transport.close(), transport.close()])).resolves.toEqual([undefined, undefined]);
        await waitFor(() => statuses.at(-1)?.type === 'closed', { message: 'closed status' });
        expect(statuses.filter((status) => status.type === 'closed')).toHaveLength(1);
      });

      it('should reject connect, publish and subscribe with ERR_CLOSED, even with a bad pattern list', async () => {
        const transport = await hooks.connected();
        await transport.close();
        await expectTransportError(() => transport.connect(), 'ERR_CLOSED');
        await expectTransportError(() => transport.publish(envelopeFactory()(TOPIC)), 'ERR_CLOSED');
        await expectTransportError(() => transport.subscribe(['#']), 'ERR_CLOSED');
        await expectTransportError(() => transport.subscribe([]), 'ERR_CLOSED');
      });

      it('should end a status() iterable asked for after close, and keep its counters', async () => {
        const transport = await hooks.connected();
        await transport.close();
        const seen: string[] = [];
        for await (const status of transport.status()) seen.push(status.type);
        expect(seen.filter((type) => type !== 'closed')).toEqual([]);
        expect(transport.counters().published).toBe(0);
      });
    });
  });
}
