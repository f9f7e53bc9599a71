import { describe, expect, it } from 'vitest';
import { MetricsCatalog } from './metrics-catalog.js';
import type { MetricsPlugin } from './metrics-plugin.js';
import { RollupAccumulator } from './rollup-accumulator.js';

const HOUR = 3_600_000;
const plugin: MetricsPlugin = { name: 'p', description: 'test', key: 'topic', fields: ['count'], observe: () => undefined };

describe(RollupAccumulator, () => {
  describe('.cells', () => {
    it('should roll values gathered at the grain up into every interval, by UTC bucket of their own time', () => {
      const [entry] = new MetricsCatalog([plugin], { retention: {} }).list();
      if (entry === undefined) throw new Error('no entry');
      const accumulator = new RollupAccumulator(Date.UTC(2030, 0, 1));
      const at = (time: number, key: string): void => {
        accumulator.target(entry, time);
        accumulator.emit.add('count', 1, key);
      };
      const day = Date.UTC(2024, 5, 1);
      at(day + 10, 'a');
      at(day + 70_000, 'a');
      at(day + 2 * HOUR, 'a');
      // Late: a message of the day before arrives last, and lands in its own buckets.
      at(day - 1, 'b');
      const cells = accumulator.cells();
      const of = (interval: string): [number, string, number][] => cells.filter((c) => c.interval === interval).map((c) => [c.bucket - day, c.key, c.value]);
      expect(of('1m')).toEqual([[0, 'a', 1], [60_000, 'a', 1], [2 * HOUR, 'a', 1], [-60_000, 'b', 1]]);
      expect(of('1h')).toEqual([[0, 'a', 2], [2 * HOUR, 'a', 1], [-HOUR, 'b', 1]]);
      expect(of('1d')).toEqual([[0, 'a', 3], [-24 * HOUR, 'b', 1]]);
    });
    it('should keep the larger value (then text) of max values, and leave out buckets past retention', () => {
      const [entry] = new MetricsCatalog([plugin], { retention: { '1m': '1h' } }).list();
      if (entry === undefined) throw new Error('no entry');
      const now = Date.UTC(2024, 5, 2);
      const accumulator = new RollupAccumulator(now);
      for (const [time, id] of [[now - 10, 'x'], [now - 5, 'a'], [now - 5, 'b'], [now - 2 * HOUR, 'z']] as const) {
        accumulator.target(entry, time);
        accumulator.emit.max('latest', time, id, 't');
      }
      const cells = accumulator.cells();
      expect(cells.filter((c) => c.interval === '1m').map((c) => [c.bucket, c.text])).toEqual([[now - 60_000, 'b']]);
      expect(cells.filter((c) => c.interval === '1d').map((c) => [c.value, c.text])).toEqual([[now - 5, 'b']]);
    });
  });
});
