import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { profiledProcesses, summariseProcessProfiles } from './cpu-profile.js';

/** A `.cpuprofile` whose samples fall on the named frames, each sample `deltaUs` long. */
function profile(samples: readonly string[], deltaUs = 1_000): string {
  const names = [...new Set(samples)];
  const nodes = [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: names.map((_, index) => index + 2) },
    ...names.map((name, index) => ({
      id: index + 2,
      callFrame: name.startsWith('(') ? { functionName: name, url: '', lineNumber: -1 } : { functionName: name, url: 'file:///work/packages/sink/dist/sqlite/write/sqlite-batch-writer.js', lineNumber: 30 },
    })),
  ];
  return JSON.stringify({ nodes, startTime: 0, endTime: samples.length * deltaUs, samples: samples.map((name) => names.indexOf(name) + 2), timeDeltas: samples.map(() => deltaUs) });
}

describe(summariseProcessProfiles, () => {
  describe('when a process wrote a profile for its main thread and one for a worker thread', () => {
    it('should give each its busy time and its functions by self time as shares of it, the idle time left out', () => {
      const dir = mkdtempSync(join(tmpdir(), 'statbus-profiles-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(join(dir, 'CPU.20261207.031500.4242.1.002.cpuprofile'), profile(['buildTextChunk', '(idle)', '(idle)', '(idle)']));
      writeFileSync(join(dir, 'CPU.20261207.031500.4242.0.001.cpuprofile'), profile(['writeRows', 'writeRows', 'writeRows', '(garbage collector)', '(idle)']));
      writeFileSync(join(dir, 'notes.txt'), 'not a profile');
      const [main, worker, ...rest] = summariseProcessProfiles(dir, 'consumer c0', 1);
      expect(rest).toEqual([]);
      expect(main).toEqual({ process: 'consumer c0', thread: 'main thread', totalMs: 5, busyMs: 4, top: [{ name: 'writeRows sink/sqlite-batch-writer.js:31', ms: 3, share: 0.75 }] });
      expect(worker).toMatchObject({ thread: 'worker thread 1', totalMs: 4, busyMs: 1, top: [{ name: 'buildTextChunk sink/sqlite-batch-writer.js:31', share: 1 }] });
    });
  });
  describe('when several processes wrote their profiles into one directory', () => {
    it('should list the processes and summarise only the threads of the one asked for', () => {
      const dir = mkdtempSync(join(tmpdir(), 'statbus-profiles-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(join(dir, 'CPU.20261207.031500.977.0.001.cpuprofile'), profile(['pageRows', '(idle)']));
      writeFileSync(join(dir, 'CPU.20261207.031500.1001.0.001.cpuprofile'), profile(['v1StoredJson', 'v1StoredJson']));
      expect(profiledProcesses(dir)).toEqual([977, 1001]);
      const threads = summariseProcessProfiles(dir, 'worker 1001', 1, 1001);
      expect(threads).toEqual([{ process: 'worker 1001', thread: 'main thread', totalMs: 2, busyMs: 2, top: [{ name: 'v1StoredJson sink/sqlite-batch-writer.js:31', ms: 2, share: 1 }] }]);
    });
  });
  describe('when a native function (a binding, no script) is on top of the stack', () => {
    it('should count its time to the JavaScript function that called it', () => {
      const dir = mkdtempSync(join(tmpdir(), 'statbus-profiles-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      const nodes = [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 4] },
        { id: 2, callFrame: { functionName: 'pageRows', url: 'file:///work/packages/sink/dist/sqlite/read/sqlite-page-finder.js', lineNumber: 9 }, children: [3] },
        { id: 3, callFrame: { functionName: 'all', url: '', lineNumber: -1 }, children: [] },
        { id: 4, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 }, children: [] },
      ];
      writeFileSync(join(dir, 'CPU.20261207.031500.5.0.001.cpuprofile'), JSON.stringify({ nodes, startTime: 0, endTime: 4000, samples: [3, 3, 2, 4], timeDeltas: [1000, 1000, 1000, 1000] }));
      const [main] = summariseProcessProfiles(dir, 'query worker 1', 2);
      expect(main?.top).toEqual([
        { name: 'pageRows sink/sqlite-page-finder.js:10', ms: 3, share: 0.75 },
        { name: '(garbage collector)', ms: 1, share: 0.25 },
      ]);
    });
  });
});
