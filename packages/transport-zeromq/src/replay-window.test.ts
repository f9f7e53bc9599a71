import { describe, expect, it } from 'vitest';
import { RelayStreams } from './relay-streams.js';
import { ReplayWindow } from './replay-window.js';
import { decodeHeartbeatFrame } from './wire-frames.js';

describe(ReplayWindow.name, () => {
  const fill = (window: ReplayWindow, publisher: string, topic: string, from: number, to: number, now = 0): void => {
    for (let n = from; n <= to; n += 1) window.keep(publisher, topic, n, `${topic}#${n}`, now);
  };

  it('should give the kept frames of one stream in order, within the range and the limit', () => {
    const window = new ReplayWindow(100, 1_000);
    fill(window, 'p1', 'a', 1, 10);
    fill(window, 'p2', 'a', 1, 10);
    fill(window, 'p1', 'b', 1, 10);
    expect(window.find('p1', 'a', 3, 6, 100, 0)).toEqual(['a#3', 'a#4', 'a#5', 'a#6']);
    expect(window.find('p1', 'a', 3, 6, 2, 0)).toEqual(['a#3', 'a#4']);
    expect(window.find('p9', 'a', 1, 10, 100, 0)).toEqual([]);
  });

  it('should keep only the last `capacity` frames, in order across the wrap of the ring', () => {
    const window = new ReplayWindow(5, 1_000);
    fill(window, 'p', 't', 1, 12);
    expect(window.size).toBe(5);
    expect(window.find('p', 't', 1, 12, 100, 0)).toEqual(['t#8', 't#9', 't#10', 't#11', 't#12']);
  });

  it('should not give frames older than the maximum age', () => {
    const window = new ReplayWindow(10, 1_000);
    fill(window, 'p', 't', 1, 3, 0);
    fill(window, 'p', 't', 4, 5, 900);
    expect(window.find('p', 't', 1, 5, 100, 1_500)).toEqual(['t#4', 't#5']);
  });

  it('should keep nothing with a capacity of 0', () => {
    const window = new ReplayWindow(0, 1_000);
    fill(window, 'p', 't', 1, 3);
    expect(window.size).toBe(0);
    expect(window.find('p', 't', 1, 3, 100, 0)).toEqual([]);
  });
});

describe(RelayStreams.name, () => {
  it('should beat the last position of a stream once it went quiet, then forget it after its last beat', () => {
    const streams = new RelayStreams();
    streams.passed('p1', 'a.b', 1, 10);
    streams.passed('p1', 'a.b', 2, 11);
    streams.passed('p1', 'a.b', 1, 10); // an older position (a replay or a duplicate) changes nothing
    expect(streams.tick()).toEqual([]); // a message came during this interval: news enough
    const [beat] = streams.tick();
    expect(beat === undefined ? undefined : decodeHeartbeatFrame(beat)).toEqual({ topic: 'a.b', beat: { publisher: 'p1', n: 2, seq: 11 } });
    let beats = 1;
    for (let tick = 0; tick < 500; tick += 1) beats += streams.tick().length;
    expect(beats).toBe(10);
    expect(streams.size).toBe(0);
  });
});
