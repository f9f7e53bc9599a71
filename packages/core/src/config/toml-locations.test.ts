import { describe, expect, it } from 'vitest';
import { locateKey, tomlKeyLocations } from './toml-locations.js';

describe(tomlKeyLocations, () => {
  it('should find tables, dotted and quoted keys, and skip multi-line strings', () => {
    const source = ['a = 1', '[amqp]', 'url = "x"', 'tls.ca = "ca.pem"', '"quoted key" = 2', 'text = """', 'b = not a key', '"""', 'c = 3'].join('\n');
    const locations = tomlKeyLocations(source);
    expect(locations.get('a')?.line).toBe(1);
    expect(locations.get('amqp')?.line).toBe(2);
    expect(locations.get('amqp.url')?.line).toBe(3);
    expect(locations.get('amqp.tls.ca')?.line).toBe(4);
    expect(locations.get('amqp.quoted key')?.line).toBe(5);
    expect(locations.has('amqp.b')).toBe(false);
    expect(locations.get('amqp.c')?.line).toBe(9);
  });
});

describe(locateKey, () => {
  it('should fall back to the nearest written ancestor', () => {
    const locations = tomlKeyLocations('[zeromq]\nendpoints = { a = ["tcp://x:1"] }\n');
    expect(locateKey(locations, ['zeromq', 'endpoints', 'a', 0])?.line).toBe(2);
  });
});
