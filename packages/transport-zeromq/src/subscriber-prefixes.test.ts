import { describe, expect, it } from 'vitest';
import { SubscriberPrefixes } from './subscriber-prefixes.js';

const subscribe = (prefix: string): Buffer => Buffer.concat([Buffer.from([1]), Buffer.from(prefix)]);
const unsubscribe = (prefix: string): Buffer => Buffer.concat([Buffer.from([0]), Buffer.from(prefix)]);

describe(SubscriberPrefixes.name, () => {
  describe('.audience', () => {
    it('should be the same for topics every prefix matches all or none of, and differ otherwise', () => {
      const prefixes = new SubscriberPrefixes();
      prefixes.observe(subscribe('org.a.bodhi.'));
      prefixes.observe(subscribe('org.a.'));
      expect(prefixes.audience('org.a.bodhi.update')).toBe(prefixes.audience('org.a.bodhi.comment'));
      expect(prefixes.audience('org.a.koji.tag')).not.toBe(prefixes.audience('org.a.bodhi.update'));
      expect(prefixes.audience('org.b.x')).toBe(prefixes.audience('org.c.y'));
    });

    it('should forget audiences when a prefix comes or goes, and ignore control prefixes and repeats', () => {
      const prefixes = new SubscriberPrefixes();
      expect(prefixes.audience('org.a.x')).toBe(prefixes.audience('org.b.y'));
      expect(prefixes.observe(subscribe('org.a.'))).toBe(true);
      expect(prefixes.observe(subscribe('org.a.'))).toBe(false);
      expect(prefixes.observe(Buffer.concat([Buffer.from([1, 0xff]), Buffer.from('statbus.probe.x')]))).toBe(false);
      expect(prefixes.audience('org.a.x')).not.toBe(prefixes.audience('org.b.y'));
      expect(prefixes.observe(unsubscribe('org.a.'))).toBe(true);
      expect(prefixes.size).toBe(0);
      expect(prefixes.audience('org.a.x')).toBe(prefixes.audience('org.b.y'));
    });
  });
});
