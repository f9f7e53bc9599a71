import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, tcpAnswers } from '@statbus/testing';
import { connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/in-process-cli.js';

const AMQP_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672/%2F';
const haveBroker = await tcpAnswers(AMQP_URL);

let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'statbus-publish-'));
});

afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

describe('statbus publish', () => {
  describe('with a topic outside the grammar and no relay running', () => {
    it('should exit 2 with one usage error naming --topic, before reading input or connecting', async () => {
      const port = await freePort();
      const input = `${Array.from({ length: 50 }, (_, index) => String(index + 1)).join('\n')}\n`;
      const env = { STATBUS_ZEROMQ__RELAY_INBOUND: `tcp://127.0.0.1:${port}` };
      const { code, stderr } = await runCli(['publish', '--topic', 'bodhi..update'], { cwd, env, input });
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^statbus: --topic: .*bodhi\.\.update/u);
      expect(stderr).not.toMatch(/did not answer/u);
    });
  });

  describe('with a good topic and no relay running', () => {
    it('should exit 1 with one line hinting at statbus relay', async () => {
      const port = await freePort();
      const env = { STATBUS_ZEROMQ__RELAY_INBOUND: `tcp://127.0.0.1:${port}`, STATBUS_ZEROMQ__READY_TIMEOUT_MS: '300' };
      const { code, stderr } = await runCli(['publish', '--topic', 'bodhi.update', '--message', 'hi'], { cwd, env });
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/did not answer within 300 ms; is a relay running\? start one with `statbus relay`/u);
    });
  });

  describe('over AMQP with the broker down', () => {
    it('should exit 1 with one line naming the address, and no warnings or stacks before it', async () => {
      const port = await freePort();
      const env = { STATBUS_TRANSPORT: 'amqp', STATBUS_AMQP__URL: `amqp://guest:guest@127.0.0.1:${port}/`, STATBUS_AMQP__CONNECT_ATTEMPTS: '3', STATBUS_AMQP__RECONNECT_INITIAL_MS: '10' };
      const { code, stderr } = await runCli(['publish', '--topic', 'bodhi.update', '--message', 'hi'], { cwd, env });
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^statbus: Cannot connect to amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+\/ after 3 attempt\(s\): .*; is RabbitMQ running there\?/u)]);
    });
  });

  describe('other commands over AMQP with the broker down', () => {
    it.each([['tail'], ['nom'], ['demo', '--count', '1']])('statbus %s: one line naming the address and what to do, exit 1', async (...args) => {
      const port = await freePort();
      const env = { STATBUS_TRANSPORT: 'amqp', STATBUS_AMQP__URL: `amqp://guest:guest@127.0.0.1:${port}/`, STATBUS_AMQP__CONNECT_ATTEMPTS: '2', STATBUS_AMQP__RECONNECT_INITIAL_MS: '10', STATBUS_STORE: `sqlite:${join(cwd, 'other.db')}` };
      const { code, stderr } = await runCli(args, { cwd, env });
      expect(code).toBe(1);
      expect(stderr.trim().split('\n').at(-1)).toMatch(/^statbus: Cannot connect to amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+\/ after 2 attempt\(s\): .*; is RabbitMQ running there\?/u);
      expect(stderr).not.toMatch(/\n\s+at /u);
    });
  });

  describe.skipIf(!haveBroker)(`over AMQP with a broker${haveBroker ? '' : ` (skipped: no RabbitMQ at ${AMQP_URL})`}`, () => {
    it('should show the share of a file published with --progress', async () => {
      const exchange = `statbus.test.publish.${randomBytes(6).toString('hex')}`;
      const file = join(cwd, 'lines.txt');
      // Several read chunks' worth of lines: progress moves as the file is read.
      writeFileSync(file, `${Array.from({ length: 20_000 }, (_, index) => `line ${index + 1} ${'x'.repeat(20)}`).join('\n')}\n`);
      try {
        const env = { STATBUS_TRANSPORT: 'amqp', STATBUS_AMQP__URL: AMQP_URL, STATBUS_AMQP__EXCHANGE: exchange };
        const { code, stderr } = await runCli(['publish', '--topic', 'bodhi.update', '--progress', file], { cwd, env });
        expect(code, stderr).toBe(0);
        expect(stderr).toMatch(/^statbus publish: \d0% \([\d.]+ KiB of [\d.]+ KiB\)(, ETA \d+:\d\d)? — \d+ published$/mu);
        expect(stderr).toMatch(/statbus publish: 20000 published\n$/u);
      } finally {
        const model = await connect(AMQP_URL);
        const channel = await model.createChannel();
        await channel.deleteExchange(exchange);
        await model.close();
      }
    });

    it('should publish every line of a 5,000-line file, log nothing at info, and report the count', async () => {
      const exchange = `statbus.test.publish.${randomBytes(6).toString('hex')}`;
      const env = { STATBUS_TRANSPORT: 'amqp', STATBUS_AMQP__URL: AMQP_URL, STATBUS_AMQP__EXCHANGE: exchange };
      const model = await connect(AMQP_URL);
      try {
        const channel = await model.createChannel();
        await channel.assertExchange(exchange, 'topic', { durable: true });
        const { queue } = await channel.assertQueue('', { exclusive: true });
        await channel.bindQueue(queue, exchange, '#');
        const input = `${Array.from({ length: 5_000 }, (_, index) => `line ${index + 1}`).join('\n')}\n`;
        const { code, stderr } = await runCli(['publish', '--topic', 'bodhi.update'], { cwd, env, input });
        expect(code, stderr).toBe(0);
        expect(stderr).toBe('statbus publish: 5000 published\n');
        expect((await channel.checkQueue(queue)).messageCount).toBe(5_000);
      } finally {
        await model.close().catch(() => undefined);
        const cleanup = await connect(AMQP_URL);
        const channel = await cleanup.createChannel();
        await channel.deleteExchange(exchange);
        await cleanup.close();
      }
    });
  });
});
