import { describe, expect, it } from 'vitest';
import { mainThreadCpuMs, processCpuMs } from './proc-cpu.js';

describe(processCpuMs, () => {
  it('should read the CPU time of a live process, and nothing of one that does not exist', () => {
    expect(processCpuMs(process.pid)).toBeGreaterThan(0);
    expect(processCpuMs(2 ** 30)).toBeUndefined();
  });
});

describe(mainThreadCpuMs, () => {
  it('should read the main thread alone: no more than the whole process', () => {
    const thread = mainThreadCpuMs();
    expect(thread).toBeGreaterThan(0);
    expect(thread).toBeLessThanOrEqual(processCpuMs(process.pid) ?? 0);
  });
});
