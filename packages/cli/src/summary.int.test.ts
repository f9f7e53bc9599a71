import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcpAnswers } from '@statbus/testing';
import { connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './testing/in-process-cli.js';

const AMQP_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672/%2F';
const haveBroker = await tcpAnswers(AMQP_URL);

let cwd: string;
let env: Record<string, string>;
let file: string;
const COUNT = 3_000;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'statbus-summary-'));
  env = { STATBUS_STORE: `sqlite:${join(cwd, 'archive.db')}` };
  file = join(cwd, 'export.ndjson');
  const records = Array.from({ length: COUNT }, (_, index) =>
    JSON.stringify({ id: `m-${index}`, topic: 'org.statbus.dev.bodhi.update.comment', headers: { 'sent-at': new Date(1_700_000_000_000 + index * 1000).toISOString() }, body: { n: index } }),
  );
  writeFileSync(file, `${records.join('\n')}\n{"not": "a message"}\n`);
});

afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

/** The last line of `text`, parsed as JSON. */
function lastJson(text: string): Record<string, unknown> {
  return JSON.parse(text.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
}

describe('closing summaries and progress', () => {
  it('db import of a file: --progress reports the share of its bytes read with an ETA, --summary json ends with one JSON object', async () => {
    const { code, stderr } = await runCli(['db', 'import', file, '--progress', '--batch-size', '100', '--summary', 'json'], { cwd, env });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^statbus db import: \d+% \([\d.]+ KiB of [\d.]+ KiB\)(, ETA \d+:\d\d)? — read \d+: /mu);
    expect(lastJson(stderr)).toMatchObject({ command: 'db import', read: COUNT + 1, inserted: COUNT, duplicates: 0, refused: 1 });
    expect(stderr).not.toMatch(/^statbus: /mu);
  });

  it('db import without --progress off a terminal: only the sentence', async () => {
    const { code, stderr } = await runCli(['db', 'import', file], { cwd, env });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^statbus db import: read 3001: 0 new, 3000 already stored, 1 refused\n/u);
    expect(stderr).not.toMatch(/%/u);
  });

  it('dump --summary json: the records on stdout, one JSON summary on stderr', async () => {
    const { code, stdout, stderr } = await runCli(['dump', '--summary', 'json'], { cwd, env });
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(COUNT);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(lastJson(stderr)).toEqual({ command: 'dump', written: COUNT, format: 'archive' });
  });

  it('dump --progress: percentages of the messages to write', async () => {
    const { stderr } = await runCli(['dump', '--progress'], { cwd, env });
    expect(stderr).toMatch(/^statbus dump: 33% \(1,000 of 3,000\)/mu);
    expect(stderr).toMatch(/statbus dump: 3000 message\(s\) written\n$/u);
  });

  describe.skipIf(!haveBroker)(`publish over AMQP${haveBroker ? '' : ` (skipped: no RabbitMQ at ${AMQP_URL})`}`, () => {
    it('publish --summary json: the refused lines in the JSON, exit 1, the JSON last', async () => {
      const exchange = `statbus.test.summary.${randomBytes(6).toString('hex')}`;
      try {
        const { code, stderr } = await runCli(['publish', '--json', '--topic', 'copr.build.end', '--summary', 'json'], {
          cwd,
          env: { STATBUS_TRANSPORT: 'amqp', STATBUS_AMQP__URL: AMQP_URL, STATBUS_AMQP__EXCHANGE: exchange },
          input: '{"build": 1}\nnot json\n{"build": 3}\n',
        });
        expect(code).toBe(1);
        expect(stderr.trim().split('\n')).toHaveLength(1);
        expect(lastJson(stderr)).toMatchObject({ command: 'publish', published: 2, refused: [{ line: 2, reason: expect.stringMatching(/not valid JSON/u) as unknown }] });
      } finally {
        const model = await connect(AMQP_URL);
        const channel = await model.createChannel();
        await channel.deleteExchange(exchange);
        await model.close();
      }
    });
  });
});
