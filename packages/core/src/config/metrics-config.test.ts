import { describe, expect, it } from 'vitest';
import { configSchema } from './config-schema.js';
import { parseDurationMs, parseIntervalMs } from './metrics-config.js';

describe('[metrics] config', () => {
  it('should default to 1m, 1h, 1d kept 7 days, a year and ten years', () => {
    expect(configSchema.parse({}).metrics).toMatchObject({ enabled: true, intervals: ['1m', '1h', '1d'], plugins: [], retention: { '1m': '7d', '1h': '1y', '1d': '10y' } });
  });
  it('should take plugins, intervals and retention', () => {
    const metrics = configSchema.parse({ metrics: { intervals: ['5m', '6h'], plugins: ['./p.js:mine'], retention: { '5m': '2d' } } }).metrics;
    expect(metrics).toMatchObject({ intervals: ['5m', '6h'], plugins: ['./p.js:mine'], retention: { '5m': '2d' } });
  });
  it.each([
    ['an unknown key', { colour: 'red' }],
    ['a bad interval', { intervals: ['7m'] }],
    ['a plugin without an export', { plugins: ['./p.js'] }],
    ['a bad retention', { retention: { '1m': 'forever' } }],
    ['a retention of a bad interval', { retention: { '7x': '1d' } }],
  ])('should refuse %s', (_name, metrics) => {
    expect(configSchema.safeParse({ metrics }).success).toBe(false);
  });
});

describe(parseIntervalMs, () => {
  it('should read minutes, hours and days that divide a day, or whole days', () => {
    expect([parseIntervalMs('1m'), parseIntervalMs('15m'), parseIntervalMs('6h'), parseIntervalMs('2d')]).toEqual([60_000, 900_000, 21_600_000, 172_800_000]);
    expect([parseIntervalMs('7m'), parseIntervalMs('5h'), parseIntervalMs('1w'), parseIntervalMs('')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe(parseDurationMs, () => {
  it('should read s, m, h, d, w and y', () => {
    expect([parseDurationMs('90s'), parseDurationMs('2w'), parseDurationMs('1y')]).toEqual([90_000, 1_209_600_000, 31_536_000_000]);
    expect(parseDurationMs('1.5d')).toBeUndefined();
  });
});
