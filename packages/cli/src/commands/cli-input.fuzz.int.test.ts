import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/in-process-cli.js';

// Lines of random, mutated and hostile input into `statbus publish --json` and `statbus db import`, run in
// this process: every line is tried, each refusal is counted and named, and nothing escapes as an
// unexpected error. Each property is bounded in runs and time (each run is one whole CLI invocation).
const BOUND = { numRuns: 25, interruptAfterTimeLimit: 8000 } as const;
let cwd: string;
let env: Record<string, string>;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'statbus-cli-fuzz-'));
  // A publisher that binds its own socket: nothing to connect to, no relay needed. A socket file of this test's
  // own rather than a TCP port, which another test's connection could take between two of the runs that bind it.
  env = {
    STATBUS_STORE: `sqlite:${join(cwd, 'archive.db')}`,
    STATBUS_ZEROMQ__USE_RELAY: 'false',
    STATBUS_ZEROMQ__BIND: `ipc://${join(cwd, 'publisher.sock')}`,
  };
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const deep = (depth: number, open: string, close: string): string => `{"x":${open.repeat(depth)}1${close.repeat(depth)}}`;
const record = fc.record(
  {
    id: fc.oneof(fc.uuid(), fc.string({ maxLength: 12 }), fc.integer()),
    topic: fc.oneof(fc.constantFrom('org.statbus.dev.fuzz.a', 'org.fedoraproject.prod.bodhi.update.comment', 'a..b', '##', ''), fc.string({ maxLength: 12 })),
    time: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 10 }), fc.constant('2024-03-01T10:00:00+00:00')),
    headers: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }), fc.jsonValue({ maxDepth: 2 })),
    body: fc.jsonValue({ maxDepth: 4 }),
    msg: fc.jsonValue({ maxDepth: 3 }),
    msg_id: fc.string({ maxLength: 12 }),
    timestamp: fc.oneof(fc.double(), fc.integer()),
    producer: fc.jsonValue({ maxDepth: 2 }),
    seq: fc.oneof(fc.integer(), fc.string({ maxLength: 3 })),
  },
  { requiredKeys: [] },
);
const line = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'null') },
  { weight: 4, arbitrary: record.map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 60 }).map((text) => text.replace(/[\r\n\u2028\u2029]/gu, ' ')) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 101, max: 3000 }), fc.constantFrom(['[', ']'], ['{"a":', '}'])).map(([depth, [open = '[', close = ']']]) => deep(depth, open, close)) },
  { weight: 1, arbitrary: fc.constantFrom('{', '[', '{"body": 1e999}', '{"__proto__": {"x": 1}}', '{"constructor": 1}', `{"message":"${'x'.repeat(200_000)}"}`) },
);
const lines = fc.array(line, { minLength: 1, maxLength: 40 });

function tried(input: readonly string[]): number {
  return input.filter((text) => text.trim() !== '').length;
}

describe('statbus publish --json (fuzz)', () => {
  it('should try every line, naming each refused one, and never fail unexpectedly', async () => {
    await fc.assert(
      fc.asyncProperty(lines, async (input) => {
        const { code, stderr } = await runCli(['publish', '--json', '--topic', 'fuzz.line', '-'], { env, cwd, input: `${input.join('\n')}\n` });
        expect(stderr).not.toMatch(/unexpected error|RangeError|TypeError/u);
        const summary = /statbus publish: (\d+) published(?:, (\d+) refused)?/u.exec(stderr);
        expect(summary, stderr).not.toBeNull();
        const published = Number(summary?.[1]);
        const refused = Number(summary?.[2] ?? 0);
        expect(published + refused).toBe(tried(input));
        expect(code).toBe(refused === 0 ? 0 : 1);
        expect(stderr.match(/^ {2}line \d+: /gmu)?.length ?? 0).toBe(refused);
      }),
      BOUND,
    );
  });
});

describe('statbus db import (fuzz)', () => {
  it('should read every record, counting each refusal by reason, and never fail unexpectedly', async () => {
    await fc.assert(
      fc.asyncProperty(lines, async (input) => {
        // A first line opening a JSON document makes the whole input one document: keep to NDJSON here.
        const ndjson = input.map((text) => (text.trimStart().startsWith('[') || text.trimStart().startsWith('{') ? text : JSON.stringify(text)));
        const { code, stderr } = await runCli(['db', 'import', '-'], { env, cwd, input: `${ndjson.join('\n')}\n` });
        expect(stderr).not.toMatch(/unexpected error|RangeError|TypeError|Maximum call stack/u);
        const summary = /statbus db import: read (\d+): (\d+) new, (\d+) already stored, (\d+) refused/u.exec(stderr);
        expect(summary, stderr).not.toBeNull();
        const [read, inserted, duplicates, refused] = [1, 2, 3, 4].map((group) => Number(summary?.[group]));
        expect((inserted ?? 0) + (duplicates ?? 0) + (refused ?? 0)).toBe(read);
        expect(code).toBe(refused === 0 ? 0 : 1);
      }),
      BOUND,
    );
  });
});

describe('statbus db import (counterexamples)', () => {
  it('should refuse a line nested 50,000 deep before parsing it, naming the depth, and import the rest', async () => {
    const { code, stderr } = await runCli(['db', 'import', '-'], { env, cwd, input: `${deep(50_000, '[', ']')}\n{"id":"ok-1","topic":"org.statbus.dev.a.b","time":1,"producer":{"name":"n","host":"h","pid":1,"instance":"i"},"seq":1,"headers":{},"body":{}}\n` });
    expect(code).toBe(1);
    expect(stderr).toMatch(/read 2: 1 new, 0 already stored, 1 refused/u);
    expect(stderr).toMatch(/line 1: nested deeper than 104 levels/u);
  });
});

describe('statbus publish (counterexamples)', () => {
  it('should refuse a line longer than max_message_bytes before parsing it, and publish the next', async () => {
    const { code, stderr } = await runCli(['publish', '--json', '--topic', 'fuzz.line', '-'], { env: { ...env, STATBUS_CODEC__MAX_MESSAGE_BYTES: '4096' }, cwd, input: `{"x":"${'y'.repeat(10_000)}"}\n{"ok":1}\n` });
    expect(code).toBe(1);
    expect(stderr).toContain('1 published, 1 refused');
    expect(stderr).toMatch(/line 1: 10008 characters: larger than \[codec\] max_message_bytes \(4096\)/u);
  });
});
