import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One function's share of a profile. */
export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

/**
 * The functions with the most self time in a V8 `.cpuprofile` (`node --cpu-prof`), the idle and program
 * pseudo-frames included (they say how much of the run the main thread waited or was in native code).
 */
export function summariseProfile(file: string, top = 15): SelfTime[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const names = new Map<number, string>();
  for (const { id, callFrame } of profile.nodes) {
    const where = callFrame.url === '' ? '' : ` ${relative(process.cwd(), callFrame.url.replace(/^file:\/\//u, ''))}:${callFrame.lineNumber + 1}`;
    names.set(id, `${callFrame.functionName === '' ? '(anonymous)' : callFrame.functionName}${where}`);
  }
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = (profile.timeDeltas[index] ?? 0) / 1000;
    total += delta;
    const name = names.get(id) ?? '?';
    self.set(name, (self.get(name) ?? 0) + delta);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms, share: ms / total }));
}
