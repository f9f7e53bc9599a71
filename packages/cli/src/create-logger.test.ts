import { PassThrough } from 'node:stream';
import { configSchema } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.js';
import { loadCliConfig } from './global-options.js';

/** A stderr stand-in whose text the test reads; `tty` makes it claim to be a terminal. */
function destination(tty: boolean): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  if (tty) Object.assign(stream, { isTTY: true });
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stream, text: () => chunks.join('') };
}

function logOnce(format: 'auto' | 'json' | 'pretty', tty: boolean): string {
  const out = destination(tty);
  const logger = createLogger(configSchema.parse({ log: { format } }), out.stream);
  logger.warn({ address: 'amqp://127.0.0.1:5672/', attempt: 2, err: new Error('boom') }, 'AMQP connection lost');
  return out.text();
}

describe(createLogger, () => {
  describe('when log.format is json', () => {
    it('should write one JSON object per line, even on a terminal', () => {
      const line = logOnce('json', true);
      expect(JSON.parse(line)).toMatchObject({ level: 40, msg: 'AMQP connection lost', attempt: 2 });
    });
  });

  describe('when log.format is pretty', () => {
    it('should write the time, level, message and key=value fields on one line, the stack below, without colour off a terminal', () => {
      const text = logOnce('pretty', false);
      const [first, ...rest] = text.split('\n');
      expect(first).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}AMQP connection lost address=amqp:\/\/127\.0\.0\.1:5672\/ attempt=2 err=boom$/u);
      expect(rest.join('\n')).toMatch(/^\s+at /mu);
      expect(text).not.toContain('\u001b[');
    });
  });

  describe('when log.format is auto', () => {
    it('should write JSON when stderr is not a terminal', () => {
      expect(JSON.parse(logOnce('auto', false))).toMatchObject({ msg: 'AMQP connection lost' });
    });

    it('should write readable coloured lines on a terminal', () => {
      const text = logOnce('auto', true);
      expect(text).toContain('\u001b[33mWARN ');
      expect(text).toContain('AMQP connection lost');
      expect(() => JSON.parse(text.split('\n')[0] ?? '') as unknown).toThrow();
    });
  });

  describe('--log-format and STATBUS_LOG__FORMAT', () => {
    it('should take the flag over the environment, and default to auto', () => {
      expect(loadCliConfig({}, { env: {}, cwd: '/', stdout: process.stdout, stderr: process.stderr }).config.log.format).toBe('auto');
      expect(loadCliConfig({}, { env: { STATBUS_LOG__FORMAT: 'json' }, cwd: '/', stdout: process.stdout, stderr: process.stderr }).config.log.format).toBe('json');
      expect(loadCliConfig({ logFormat: 'pretty' }, { env: { STATBUS_LOG__FORMAT: 'json' }, cwd: '/', stdout: process.stdout, stderr: process.stderr }).config.log.format).toBe('pretty');
    });
  });
});
