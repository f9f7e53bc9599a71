/**
 * `statbus publish` of a file over AMQP, timed end to end as a user runs it (a child process: start,
 * connect, read, publish with confirms, close), beside raw amqplib publishing as many messages of the
 * same size with a confirm window, in the same run against the same broker.
 *
 *   node packages/bench/dist/cli-publish/publish-cli-bench.js [--lines 100000] [--amqp-url URL]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connect, type ChannelModel } from 'amqplib';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '100000' },
    'amqp-url': { type: 'string', default: 'amqp://guest:guest@127.0.0.1:5672/%2F' },
    window: { type: 'string', default: '1000' },
    // The workspace's CLI by default (src/ and dist/ sit at the same depth).
    statbus: { type: 'string', default: fileURLToPath(new URL('../../../cli/bin/statbus.js', import.meta.url)) },
  },
});
const lines = Number(values.lines);
const url = values['amqp-url'];
const window = Number(values.window);
const statbusBin = values.statbus;

/** A bound queue so that the broker routes and stores every message, as it would for a real consumer. */
async function declare(model: ChannelModel, exchange: string): Promise<string> {
  const channel = await model.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true });
  await channel.bindQueue(queue, exchange, '#');
  await channel.close();
  return queue;
}

async function timeCli(file: string, exchange: string): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [statbusBin, 'publish', '--topic', 'bench.publish', file], {
    env: { ...process.env, STATBUS_TRANSPORT: 'amqp', STATBUS_AMQP__URL: url, STATBUS_AMQP__EXCHANGE: exchange },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`statbus publish exited ${code}: ${stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function timeRaw(exchange: string, size: number): Promise<number> {
  const started = process.hrtime.bigint();
  const model = await connect(url, { noDelay: true });
  const channel = await model.createConfirmChannel();
  const payload = randomBytes(size);
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const settled = (): void => {
    inFlight -= 1;
    wake?.();
    wake = undefined;
  };
  for (let index = 0; index < lines; index += 1) {
    while (inFlight >= window) await new Promise<void>((resolve) => {
      wake = resolve;
    });
    inFlight += 1;
    channel.publish(exchange, 'org.statbus.dev.bench.publish', payload, { persistent: true, contentType: 'application/json' }, settled);
  }
  await channel.waitForConfirms();
  await model.close();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'statbus-publish-bench-'));
  const admin = await connect(url);
  const tag = randomBytes(6).toString('hex');
  const exchanges = [`statbus.bench.publish.cli.${tag}`, `statbus.bench.publish.raw.${tag}`] as const;
  try {
    const file = join(dir, 'lines.txt');
    writeFileSync(file, Array.from({ length: lines }, (_, index) => `message number ${index + 1} of the publish benchmark`).join('\n') + '\n');
    const cliQueue = await declare(admin, exchanges[0]);
    const rawQueue = await declare(admin, exchanges[1]);
    const before = loadavg();
    const cliSeconds = await timeCli(file, exchanges[0]);
    const check = await admin.createChannel();
    const routed = (await check.checkQueue(cliQueue)).messageCount;
    // The raw run sends payloads the size of the envelopes statbus sent, read back from the queue.
    const sample = await check.get(cliQueue, { noAck: true });
    const size = sample === false ? 400 : sample.content.length;
    const rawSeconds = await timeRaw(exchanges[1], size);
    const rawRouted = (await check.checkQueue(rawQueue)).messageCount;
    const after = loadavg();
    await check.close();
    const rate = (seconds: number): string => `${Math.round(lines / seconds).toLocaleString('en-US')} msg/s`;
    process.stdout.write(
      [
        `statbus publish over AMQP: ${lines.toLocaleString('en-US')} lines of a file, envelopes of ${size} bytes, confirm window ${window}`,
        `  statbus publish (child process, end to end): ${cliSeconds.toFixed(2)} s  ${rate(cliSeconds)}  (${routed.toLocaleString('en-US')} in the queue)`,
        `  raw amqplib (confirm channel, same size):     ${rawSeconds.toFixed(2)} s  ${rate(rawSeconds)}  (${rawRouted.toLocaleString('en-US')} in the queue)`,
        `  load average before ${before.map((load) => load.toFixed(2)).join(' ')}, after ${after.map((load) => load.toFixed(2)).join(' ')}`,
        '',
      ].join('\n'),
    );
  } finally {
    const channel = await admin.createChannel();
    for (const exchange of exchanges) await channel.deleteExchange(exchange).catch(() => undefined);
    await admin.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
