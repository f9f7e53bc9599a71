import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressLine, startProgress } from './progress.js';

function stderr(tty: boolean): { io: { stdout: PassThrough; stderr: PassThrough; env: Record<string, string>; cwd: string }; text: () => string } {
  const stream = new PassThrough();
  if (tty) Object.assign(stream, { isTTY: true });
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { io: { stdout: new PassThrough(), stderr: stream, env: {}, cwd: '/' }, text: () => chunks.join('') };
}

describe(progressLine, () => {
  it('should give the percentage, both amounts and the time left at the rate so far', () => {
    expect(progressLine('statbus db import', 25 * 1024 * 1024, 100 * 1024 * 1024, 'bytes', 10_000, 'read 1000')).toBe(
      'statbus db import: 25% (25.0 MiB of 100.0 MiB), ETA 0:30 — read 1000',
    );
    expect(progressLine('statbus dump', 1_500, 2_000, 'messages', 90_000)).toBe('statbus dump: 75% (1,500 of 2,000), ETA 0:30');
  });

  it('should leave the ETA out before any work and once done', () => {
    expect(progressLine('x', 0, 10, 'messages', 5_000)).toBe('x: 0% (0 of 10)');
    expect(progressLine('x', 10, 10, 'messages', 5_000)).toBe('x: 100% (10 of 10)');
  });
});

describe(startProgress, () => {
  it('should write a line at each tenth of the work when stderr is not a terminal', () => {
    const out = stderr(false);
    let now = 0;
    const progress = startProgress(out.io, 'job', 100, 'messages', { now: () => now });
    for (let done = 1; done <= 100; done += 1) {
      now += 100;
      progress.update(done);
    }
    progress.finish();
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toBe('job: 10% (10 of 100), ETA 0:09');
    expect(out.text()).not.toContain('\r');
  });

  it('should rewrite one line in place on a terminal, at most every interval, and clear it at the end', () => {
    const out = stderr(true);
    let now = 0;
    const progress = startProgress(out.io, 'job', 100, 'messages', { now: () => now, intervalMs: 1_000 });
    for (let done = 1; done <= 100; done += 1) {
      now += 100;
      progress.update(done);
    }
    progress.finish();
    const draws = out.text().split('\r\u001b[K').filter((part) => part !== '');
    expect(draws).toHaveLength(10);
    expect(out.text().endsWith('\r\u001b[K')).toBe(true);
  });
});
