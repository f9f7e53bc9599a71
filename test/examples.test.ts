import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, tcpAnswers } from '@statbus/testing';
import { connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const exec = promisify(execFile);
const AMQP_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672/%2F';
const haveBroker = await tcpAnswers(AMQP_URL);

/** Runs `examples/<file>` as a user would (tsx, the examples' own tsconfig, the built packages); its stdout. */
async function runExample(file: string, env: Record<string, string>, args: string[] = []): Promise<string> {
  const { stdout } = await exec(process.execPath, ['--import', 'tsx', join(root, 'examples', file), ...args], {
    cwd: join(root, 'examples'),
    env: { PATH: process.env['PATH'] ?? '', TSX_TSCONFIG_PATH: join(root, 'examples', 'tsconfig.json'), ...env },
    timeout: 60_000,
  });
  return stdout;
}

/** Settings for one AMQP run: its own exchange, dead-letter exchange and queue, deleted afterwards. */
function amqpEnv(): Record<string, string> {
  const exchange = `statbus.test.examples.${randomBytes(6).toString('hex')}`;
  created.push(exchange);
  return {
    STATBUS_TRANSPORT: 'amqp',
    STATBUS_AMQP__URL: AMQP_URL,
    STATBUS_AMQP__EXCHANGE: exchange,
    STATBUS_AMQP__DEAD_LETTER_EXCHANGE: `${exchange}.dlx`,
    STATBUS_AMQP__DEAD_LETTER_QUEUE: `${exchange}.dlq`,
  };
}

async function zeromqEnv(): Promise<Record<string, string>> {
  return {
    STATBUS_ZEROMQ__ENDPOINTS: JSON.stringify({ example: [`tcp://127.0.0.1:${await freePort()}`] }),
    STATBUS_ZEROMQ__BIND: 'example',
    STATBUS_ZEROMQ__USE_RELAY: 'false',
  };
}

let cwd: string;
const created: string[] = [];

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'statbus-examples-'));
});

afterAll(async () => {
  rmSync(cwd, { recursive: true, force: true });
  if (created.length === 0) return;
  const model = await connect(AMQP_URL);
  const channel = await model.createChannel();
  for (const exchange of created) {
    await channel.deleteExchange(exchange);
    await channel.deleteExchange(`${exchange}.dlx`);
    await channel.deleteQueue(`${exchange}.dlq`);
    await channel.deleteQueue(`${exchange}.example-archive`);
  }
  await model.close();
});

const PUBLISHED = ['karma=1', 'karma=2', 'karma=3'];

describe('examples/', () => {
  describe('over ZeroMQ', () => {
    it('publish-consume.ts: three messages published and consumed', async () => {
      const out = await runExample('publish-consume.ts', await zeromqEnv());
      expect(out.trim().split('\n')).toEqual(PUBLISHED.map((karma) => `zeromq: org.statbus.dev.bodhi.update.comment ${karma}`));
    });

    it('swap-transport.ts: the container holds the ZeroMQ transport', async () => {
      expect(await runExample('swap-transport.ts', await zeromqEnv())).toMatch(/^ZeroMqTransport carried org\.statbus\.dev\.koji\.build\.end build=42/u);
    });

    it('archive-query.ts: archived into SQLite, found by the store and over HTTP', async () => {
      const out = await runExample('archive-query.ts', await zeromqEnv(), [join(cwd, 'zeromq.db')]);
      expect(out.trim().split('\n')).toEqual([
        'store: org.statbus.dev.bodhi.update.request.stable users=bob',
        'store: org.statbus.dev.bodhi.update.comment users=alice',
        'http: /raw?package=bash → 1 message(s): org.statbus.dev.koji.build.end build=42',
      ]);
    });
  });

  it('own-fastify.ts: your route and the API under /archive from one Fastify app', async () => {
    const out = await runExample('own-fastify.ts', {}, [join(cwd, 'own.db')]);
    expect(out.trim().split('\n')).toEqual([
      'GET /hello → {"hello":"world"}',
      'GET /archive/raw?category=bodhi → 1 message(s): org.statbus.dev.bodhi.update.comment',
      'GET /archive/id?id=nope → 404',
    ]);
  });

  describe.skipIf(!haveBroker)(`over RabbitMQ${haveBroker ? '' : ` (skipped: no RabbitMQ at ${AMQP_URL})`}`, () => {
    it('publish-consume.ts: the same program, the transport swapped by config', async () => {
      const out = await runExample('publish-consume.ts', amqpEnv());
      expect(out.trim().split('\n')).toEqual(PUBLISHED.map((karma) => `amqp: org.statbus.dev.bodhi.update.comment ${karma}`));
    });

    it('swap-transport.ts: the container holds the AMQP transport', async () => {
      expect(await runExample('swap-transport.ts', amqpEnv())).toMatch(/^AmqpTransport carried org\.statbus\.dev\.koji\.build\.end build=42/u);
    });

    it('consumer-retries.ts: retried, dead-lettered, dropped', async () => {
      const out = await runExample('consumer-retries.ts', amqpEnv());
      expect(out.trim().split('\n')).toEqual([
        'handled flaky at attempt 3',
        'processed 1, dropped 1, dead-lettered 1, retries 4',
        'dead letter: org.statbus.dev.koji.build.end poison',
      ]);
    });

    it("the root README's library snippet: runs as written, defining everything it uses", async () => {
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/gu)].map((match) => match[1] ?? '');
      expect(snippets.length).toBeGreaterThan(0);
      for (const [index, snippet] of snippets.entries()) {
        const file = `.readme-snippet-${randomBytes(4).toString('hex')}-${index}.ts`;
        writeFileSync(join(root, 'examples', file), snippet);
        try {
          expect(await runExample(file, amqpEnv())).toMatch(/^org\.statbus\.dev\.bodhi\.update\.comment \{ karma: 1 \}/u);
        } finally {
          rmSync(join(root, 'examples', file), { force: true });
        }
      }
    });

    it('archive-query.ts: archived from RabbitMQ', async () => {
      const out = await runExample('archive-query.ts', amqpEnv(), [join(cwd, 'amqp.db')]);
      expect(out).toContain('http: /raw?package=bash → 1 message(s)');
    });
  });
});
