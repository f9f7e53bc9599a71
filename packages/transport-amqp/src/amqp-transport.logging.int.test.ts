import { Writable } from 'node:stream';
import { TransportError, type Logger } from '@statbus/core';
import { startTcpProxy, waitFor } from '@statbus/testing';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AmqpTransport } from './amqp-transport.js';
import { BROKER_URL, brokerAdmin, isBrokerUp, testConfig } from './test-support/broker.js';
import { record } from './test-support/collect.js';
import { envelopes } from './test-support/envelopes.js';

const brokerUp = await isBrokerUp();
const broker = new URL(BROKER_URL);

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A pino logger at debug level whose lines are kept, parsed, for the test to read. */
function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text !== '') lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

const WARN = 40;
const INFO = 30;

describe('AmqpTransport logging', () => {
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('should log nothing at warn or above while the first connection fails, and reject with one error naming the address', async () => {
    const { logger, lines } = capturingLogger();
    // Nothing listens on port 1: every attempt is refused at once.
    const transport = new AmqpTransport(testConfig({ url: 'amqp://guest:guest@127.0.0.1:1/', connect_attempts: 3, reconnect_initial_ms: 1, reconnect_max_ms: 2 }), logger);
    const failure = await transport.connect().catch((error: unknown) => error);
    await transport.close();
    expect(failure).toBeInstanceOf(TransportError);
    expect((failure as TransportError).message).toMatch(/^Cannot connect to amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1\/ after 3 attempt\(s\): .*ECONNREFUSED/u);
    expect(lines.filter((line) => line.level >= WARN)).toEqual([]);
    expect(lines.filter((line) => line.msg === 'AMQP connection attempt failed')).toHaveLength(3);
    expect(JSON.stringify(lines)).not.toMatch(/\\n\s+at /u);
  });

  describe.skipIf(!brokerUp)(`against a broker${brokerUp ? '' : ' (skipped: no RabbitMQ)'}`, () => {
    it('should log connecting at debug only, and a cut TCP link as a lost connection, not as the broker closing anything', async () => {
      const proxy = await startTcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
      cleanups.push(() => proxy.close());
      const { logger, lines } = capturingLogger();
      const url = new URL(BROKER_URL);
      url.port = String(proxy.port);
      const config = testConfig({ url: url.toString() });
      const transport = new AmqpTransport(config, logger);
      cleanups.push(async () => {
        await transport.close();
        const admin = await brokerAdmin();
        try {
          await admin.cleanup({ exchanges: [config.amqp.exchange, config.amqp.dead_letter_exchange], queues: [config.amqp.dead_letter_queue] });
        } finally {
          await admin.close();
        }
      });
      await transport.connect();
      await transport.publish(envelopes()());
      expect(lines.filter((line) => line.level >= INFO)).toEqual([]);
      expect(lines.some((line) => line.msg === 'AMQP connected')).toBe(true);

      const statuses = record(transport.status());
      proxy.cut();
      await waitFor(() => statuses.some((status) => status.type === 'connected'), { timeoutMs: 10_000, message: 'reconnected after the cut' });
      const loud = lines.filter((line) => line.level >= INFO).map((line) => line.msg);
      expect(loud.some((msg) => /AMQP connection to .* lost \(the TCP connection was lost: .*\); reconnecting/u.test(msg))).toBe(true);
      expect(loud).toContain('AMQP connection restored');
      expect(loud.filter((msg) => /broker/iu.test(msg))).toEqual([]);
      await transport.publish(envelopes()());
    });
  });
});
