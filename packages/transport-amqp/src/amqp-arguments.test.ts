import { AMQP_DEFAULTS, configSchema, createEnvelope } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import {
  connectionUrl,
  deadLetterQueueOptions,
  isBrokerExchange,
  namedQueueOptions,
  publishOptions,
  quorumDeliveryCount,
  socketOptions,
} from './amqp-arguments.js';

const amqp = configSchema.parse({ transport: 'amqp' }).amqp;

describe(connectionUrl, () => {
  it('should add the configured heartbeat', () => {
    expect(new URL(connectionUrl({ url: 'amqp://u:p@host:5672/vh', heartbeat_s: 15 })).searchParams.get('heartbeat')).toBe('15');
  });

  describe('when the URL sets its own heartbeat', () => {
    it('should keep it', () => {
      expect(new URL(connectionUrl({ url: 'amqp://host/?heartbeat=5', heartbeat_s: 15 })).searchParams.get('heartbeat')).toBe('5');
    });
  });
});

describe(socketOptions, () => {
  it('should turn Nagle off and set the connect timeout', () => {
    const options = socketOptions(amqp, () => Buffer.alloc(0), 'test');
    expect(options).toMatchObject({ noDelay: true, timeout: AMQP_DEFAULTS.connect_timeout_ms, keepAlive: true });
    expect(options.ca).toBeUndefined();
  });

  describe('when the URL is amqps:// with [amqp.tls] files', () => {
    it('should read the CA, certificate and key', () => {
      const read = (path: string): Buffer => Buffer.from(`<${path}>`);
      const options = socketOptions(
        { ...amqp, url: 'amqps://broker:5671/', tls: { ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem', passphrase: 'pw', reject_unauthorized: false } },
        read,
        'test',
      );
      expect(options.ca?.map(String)).toEqual(['<ca.pem>']);
      expect(String(options.cert)).toBe('<cert.pem>');
      expect(String(options.key)).toBe('<key.pem>');
      expect(options).toMatchObject({ passphrase: 'pw', rejectUnauthorized: false });
    });
  });
});

describe(publishOptions, () => {
  const envelope = createEnvelope({
    topic: 'org.statbus.dev.a.b',
    body: {},
    seq: 1,
    time: 1_700_000_000_123,
    producer: { name: 'p', host: 'h', pid: 1, instance: 'i' },
  });

  it('should carry the id, the time in seconds and the JSON content type', () => {
    expect(publishOptions(envelope, true)).toEqual({
      messageId: envelope.id,
      timestamp: 1_700_000_000,
      contentType: 'application/json',
      deliveryMode: 2,
    });
  });

  describe('when not persistent', () => {
    it('should use delivery mode 1', () => {
      expect(publishOptions(envelope, false).deliveryMode).toBe(1);
    });
  });
});

describe(namedQueueOptions, () => {
  describe('when the queue type is quorum', () => {
    it('should set a delivery limit so that max_deliveries is the most deliveries, and dead-letter', () => {
      expect(namedQueueOptions({ queue_type: 'quorum', max_deliveries: 5, dead_letter_exchange: 'dlx' })).toEqual({
        durable: true,
        exclusive: false,
        autoDelete: false,
        arguments: { 'x-queue-type': 'quorum', 'x-dead-letter-exchange': 'dlx', 'x-delivery-limit': 4 },
      });
    });
  });

  describe('when the queue type is classic', () => {
    it('should not set a delivery limit (the subscriber counts)', () => {
      expect(namedQueueOptions({ queue_type: 'classic', max_deliveries: 5, dead_letter_exchange: 'dlx' }).arguments).toEqual({
        'x-queue-type': 'classic',
        'x-dead-letter-exchange': 'dlx',
      });
    });
  });
});

describe(deadLetterQueueOptions, () => {
  it('should be durable, of the configured type', () => {
    expect(deadLetterQueueOptions({ queue_type: 'classic' })).toMatchObject({ durable: true, arguments: { 'x-queue-type': 'classic' } });
  });
});

describe(isBrokerExchange, () => {
  it('should recognise amq.* exchanges only', () => {
    expect([isBrokerExchange('amq.topic'), isBrokerExchange('statbus'), isBrokerExchange('amqx')]).toEqual([true, false, false]);
  });
});

describe(quorumDeliveryCount, () => {
  it('should add this delivery to the x-delivery-count header', () => {
    expect(quorumDeliveryCount({ 'x-delivery-count': 2 }, true)).toBe(3);
  });

  describe('when there is no header', () => {
    it('should count 1, or 2 when redelivered', () => {
      expect([quorumDeliveryCount(undefined, false), quorumDeliveryCount({}, true)]).toEqual([1, 2]);
    });
  });
});
