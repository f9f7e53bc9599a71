import { describe, expect, it } from 'vitest';
import { BUILT_IN_PLUGINS } from './built-in-plugins.js';
import { MetricsCatalog } from './metrics-catalog.js';
import type { MetricsPlugin } from './metrics-plugin.js';

const valid: MetricsPlugin = { name: 'mine', description: 'd', key: null, fields: ['count'], observe: () => undefined };

describe(MetricsCatalog, () => {
  it('should list the built-in plugins with the names the API promises', () => {
    expect(new MetricsCatalog(BUILT_IN_PLUGINS).names()).toEqual([
      'volume',
      'volume-by-category',
      'volume-by-topic',
      'volume-by-user',
      'volume-by-package',
      'volume-by-agent',
      'latest-by-topic',
      'latest-by-category',
      'archive-delay',
      'gaps',
      'dead-letters',
      'refusals',
    ]);
  });
  it('should resolve intervals, grain, alignment and retention', () => {
    const entry = new MetricsCatalog([{ ...valid, intervals: ['1d', '15m', '6h'] }], { retention: { '15m': '2d' } }).get('mine');
    expect(entry.intervals).toEqual([{ name: '15m', ms: 900_000, retentionMs: 2 * 86_400_000 }, { name: '6h', ms: 21_600_000 }, { name: '1d', ms: 86_400_000 }]);
    expect(entry.grainMs).toBe(900_000);
    expect(entry.alignMs).toBe(86_400_000);
  });
  describe('when a plugin is badly defined or unknown', () => {
    it.each<[string, MetricsPlugin[]]>([
      ['a bad name', [{ ...valid, name: 'Not OK' }]],
      ['a duplicate name', [valid, valid]],
      ['an unknown key', [{ ...valid, key: 'colour' as never }]],
      ['no fields', [{ ...valid, fields: [] }]],
      ['neither observe nor record', [{ name: 'x', description: 'd', key: null, fields: ['count'] }]],
      ['a bad interval', [{ ...valid, intervals: ['7m'] }]],
    ])('should throw a PluginError for %s', (_name, plugins) => {
      expect(() => new MetricsCatalog(plugins)).toThrow(expect.objectContaining({ code: 'ERR_PLUGIN' }) as Error);
    });
    it('should name the known plugins when asked for an unknown one', () => {
      expect(() => new MetricsCatalog([valid]).get('nope')).toThrow(expect.objectContaining({ plugin: 'nope', known: ['mine'] }) as Error);
    });
  });
});
