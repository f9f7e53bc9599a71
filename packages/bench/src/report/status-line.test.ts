import { describe, expect, it } from 'vitest';
import { StatusLine } from './status-line.js';

function stream(isTTY: boolean): { written: string[]; isTTY: boolean; columns: number; write(text: string): boolean } {
  const written: string[] = [];
  return { written, isTTY, columns: 80, write: (text) => written.push(text) > 0 };
}

describe('StatusLine', () => {
  it('should draw a bar with the step, label and percentage on a terminal, then erase it', () => {
    const terminal = stream(true);
    const line = new StatusLine(terminal);
    line.start({ index: 2, total: 4, label: 'statbus ZeroMQ · throughput' });
    line.progress(1);
    line.done();
    expect(terminal.written[0]).toBe(`\r\u001b[2K[${'█'.repeat(6)}${'░'.repeat(18)}] 2/4   0% statbus ZeroMQ · throughput`);
    expect(terminal.written.at(-1)).toBe('\r\x1b[2K');
  });

  it('should cut a line wider than the terminal', () => {
    const terminal = stream(true);
    new StatusLine(terminal).start({ index: 1, total: 1, label: 'x'.repeat(200) });
    expect(terminal.written[0]?.length).toBeLessThanOrEqual(80 + 5);
  });

  it('should write nothing when the stream is not a terminal', () => {
    const pipe = stream(false);
    const line = new StatusLine(pipe);
    line.start({ index: 1, total: 2, label: 'a' });
    line.progress(0.5);
    line.done();
    expect(pipe.written).toEqual([]);
  });
});
