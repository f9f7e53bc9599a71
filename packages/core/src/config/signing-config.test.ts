import { describe, expect, it } from 'vitest';
import { configSchema } from './config-schema.js';
import { SIGNING_DEFAULTS } from './signing-config.js';

describe('[signing]', () => {
  it('should default to off, ./keys, no policy, not nitpicky', () => {
    expect(configSchema.parse({}).signing).toEqual({ ...SIGNING_DEFAULTS, routing_policy: {} });
  });

  it('should accept a routing policy of patterns per producer', () => {
    const signing = configSchema.parse({ signing: { routing_policy: { bodhi: ['org.statbus.prod.bodhi.#', '*.*.bodhi.*'] } } }).signing;
    expect(signing.routing_policy['bodhi']).toHaveLength(2);
  });

  it.each([
    [{ routing_policy: { bodhi: ['org.bo*hi'] } }],
    [{ routing_policy: { 'bad name': ['#'] } }],
    [{ enable: true }],
    [{ keys_dir: '' }],
  ])('should refuse %o', (signing) => {
    expect(configSchema.safeParse({ signing }).success).toBe(false);
  });
});
