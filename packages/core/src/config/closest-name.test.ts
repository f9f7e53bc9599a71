import { describe, expect, it } from 'vitest';
import { closestName } from './closest-name.js';

describe(closestName, () => {
  const keys = ['prefetch', 'exchange', 'url', 'persistent', 'confirm_window'];

  it('should find a key with a letter missing, added, replaced or two swapped', () => {
    expect(closestName('prefech', keys)).toBe('prefetch');
    expect(closestName('exchannge', keys)).toBe('exchange');
    expect(closestName('persistant', keys)).toBe('persistent');
    expect(closestName('ulr', keys)).toBe('url');
  });

  it('should suggest nothing for a name far from every key', () => {
    expect(closestName('heartbeat', keys)).toBeUndefined();
    expect(closestName('x', keys)).toBeUndefined();
  });
});
