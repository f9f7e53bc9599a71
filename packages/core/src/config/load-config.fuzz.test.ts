import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/config-error.js';
import { loadConfig } from './load-config.js';

// Random TOML, keys, values and environment variables: the loader answers a config or a ConfigError naming
// what is wrong, never another throw. Bounded in runs and time.
const BOUND = { numRuns: 600, interruptAfterTimeLimit: 5000 } as const;
const dir = mkdtempSync(join(tmpdir(), 'statbus-config-fuzz-'));
const file = join(dir, 'statbus.toml');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECTIONS = ['', 'producer', 'codec', 'log', 'zeromq', 'amqp', 'amqp.tls', 'signing', 'consumer', 'sink', 'sink.retention', 'schemas', 'query', 'zeromq.relay', 'constructor', '__proto__'];
const KEYS = ['transport', 'store', 'topic_prefix', 'environment', 'name', 'level', 'url', 'endpoints', 'bind', 'prefetch', 'port', 'host', 'cors_origins', 'max_rows_per_page', 'max_message_bytes', 'verify', 'keys', 'batch_size', 'hwm', 'admin_token', 'toString', 'x'];

const tomlString = fc.string({ maxLength: 20 }).map((text) => JSON.stringify(text));
const scalar = fc.oneof(tomlString, fc.integer().map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Number.isInteger(n) ? `${n}.0` : String(n))), fc.boolean().map(String), fc.constantFrom('inf', 'nan', '1979-05-27T07:32:00Z', '0x1F', '1_000', '"zeromq"', '"amqp"', '"sqlite:./x.db"', '"amqp://guest:guest@127.0.0.1:5672/%2F"'));
const tomlValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }).map((items) => `[${items.join(', ')}]`), fc.dictionary(fc.constantFrom(...KEYS), scalar, { maxKeys: 3 }).map((table) => `{ ${Object.entries(table).map(([key, value]) => `${key} = ${value}`).join(', ')} }`));
const section = fc.tuple(fc.constantFrom(...SECTIONS), fc.array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.stringMatching(/^[a-z_]{1,10}$/u)), tomlValue), { maxLength: 5 }));
const tomlText = fc.array(section, { maxLength: 4 }).map((sections) =>
  sections.map(([name, pairs]) => `${name === '' ? '' : `[${name}]\n`}${pairs.map(([key, value]) => `${key} = ${value}`).join('\n')}\n`).join('\n'),
);

function mutate(text: string, edits: readonly (readonly [number, string])[]): string {
  let out = text;
  for (const [at, insert] of edits) {
    const index = at % (out.length + 1);
    out = `${out.slice(0, index)}${insert}${out.slice(index + (insert.length % 3))}`;
  }
  return out;
}

function loadOrRefuse(text: string, env: Record<string, string> = {}): void {
  writeFileSync(file, text);
  try {
    expect(loadConfig({ file, env, cwd: dir }).config).toBeTypeOf('object');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.length).toBeGreaterThan(0);
  }
}

describe('loadConfig (fuzz)', () => {
  it('should give a config or a ConfigError for random sections, keys and values', () => {
    fc.assert(fc.property(tomlText, (text) => loadOrRefuse(text)), BOUND);
  });

  it('should give a config or a ConfigError for mutated and random text', () => {
    const edits = fc.array(fc.tuple(fc.nat(400), fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('[', ']', '=', '"', '\n', '[[', '{', '\\u0000', '#'))), { maxLength: 5 });
    fc.assert(fc.property(tomlText, edits, (text, list) => loadOrRefuse(mutate(text, list))), BOUND);
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => loadOrRefuse(text)), BOUND);
  });

  it('should give a config or a ConfigError for random STATBUS_ variables', () => {
    const name = fc.tuple(fc.constantFrom(...SECTIONS.filter((s) => s !== '' && !s.includes('.'))), fc.constantFrom(...KEYS)).map(([s, k]) => `STATBUS_${s.toUpperCase()}__${k.toUpperCase()}`);
    const env = fc.dictionary(fc.oneof(name, fc.constantFrom('STATBUS_TRANSPORT', 'STATBUS_STORE', 'STATBUS_', 'STATBUS___', 'STATBUS_A____B')), fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('[1,2', '{"a":', 'true', '1e999', '[[[[[[')), { maxKeys: 4 });
    fc.assert(fc.property(env, (variables) => loadOrRefuse('', variables)), BOUND);
  });

  it('should refuse deeply nested TOML arrays with a ConfigError', () => {
    for (const depth of [150, 5_000]) loadOrRefuse(`transport = ${'['.repeat(depth)}1${']'.repeat(depth)}\n`);
  });
});

describe('loadConfig (counterexamples found by fuzzing)', () => {
  it('should refuse a variable named after an Object prototype key as an unknown key', () => {
    writeFileSync(file, '');
    expect(() => loadConfig({ env: { STATBUS_CONSTRUCTOR__TRANSPORT: "[1,2" }, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { STATBUS_CONSTRUCTOR__TRANSPORT: '[1,2' }, cwd: dir })).toThrow(/constructor.*unknown key/u);
  });

  it('should refuse a __proto__ table as an unknown key, not take it as a prototype', () => {
    writeFileSync(file, '[__proto__]\ntransport = "amqp"\n');
    expect(() => loadConfig({ file, cwd: dir })).toThrow(/__proto__ \(.*statbus.toml, line 1.*\): unknown key/u);
  });
});
