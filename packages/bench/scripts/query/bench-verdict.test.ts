import { describe, expect, it } from 'vitest';
import { queryVerdict, type ShapeFigures } from './bench-verdict.js';

const figure = (size: number, shape: string, over: Partial<ShapeFigures> = {}): ShapeFigures => ({ size, workers: 2, cacheEntries: 0, shape, firstAsk: 1, sequentialP99: 2, loadP99: 20, ...over });

describe(queryVerdict, () => {
  it('should name the shapes over each limit at the largest size, and those that grew more than twice', () => {
    const notes = queryVerdict(
      [
        figure(100_000, '/raw', { loadP99: 10 }),
        figure(100_000, '/raw deep offset'),
        figure(100_000, '/raw?contains=x'),
        figure(1_000_000, '/raw', { loadP99: 60 }),
        figure(1_000_000, '/raw deep offset', { firstAsk: 30 }),
        figure(1_000_000, '/raw?contains=x', { loadP99: 90, firstAsk: 200 }),
        figure(1_000_000, '/raw', { cacheEntries: 256, loadP99: 500 }),
      ],
      50,
    );
    expect(notes).toEqual([
      '1,000,000 messages, 2 worker(s), no answer cache, 50 connections: p99 ≤ 50 ms (contains ≤ 100 ms) for 2 of 3 shapes; over: /raw 60 ms.',
      '1,000,000 messages, 2 worker(s), no answer cache, one request at a time (a deep page\'s first ask included): p99 ≤ 10 ms for 2 of 3 shapes; over: /raw deep offset 30 ms.',
      '1,000,000 messages, 2 worker(s), no answer cache: first asks over 10 ms (the filter set\'s total counted, then kept): /raw?contains=x 200 ms.',
      '100,000 → 1,000,000 messages, 2 worker(s): p99 grew more than 2× for /raw under load 10 ms → 60 ms; /raw?contains=x under load 20 ms → 90 ms.',
    ]);
  });
});
