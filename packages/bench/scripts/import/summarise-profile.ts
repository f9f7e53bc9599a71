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

/** A part of the work, by the functions whose calls it is made of (the first of them found up the stack wins). */
export interface ProfilePhase {
  readonly name: string;
  readonly functions: readonly string[];
}

interface ProfileTreeNode extends ProfileNode {
  readonly children?: readonly number[];
}

/**
 * The main thread's time in each phase (inclusive: each sample goes to the innermost phase on its stack), the
 * garbage collector and the idle and program pseudo-frames on their own, and the rest as `other`.
 */
export function summarisePhases(file: string, phases: readonly ProfilePhase[]): SelfTime[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: readonly ProfileTreeNode[]; samples: readonly number[]; timeDeltas: readonly number[] };
  const phaseOf = new Map<string, string>();
  for (const phase of phases) for (const name of phase.functions) phaseOf.set(name, phase.name);
  const parent = new Map<number, number>();
  const nodes = new Map<number, ProfileTreeNode>();
  for (const node of profile.nodes) {
    nodes.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const byNode = new Map<number, string>();
  const enclosing = (id: number | undefined): string => {
    if (id === undefined) return 'other';
    const known = byNode.get(id);
    if (known !== undefined) return known;
    const phase = phaseOf.get(nodes.get(id)?.callFrame.functionName ?? '') ?? enclosing(parent.get(id));
    byNode.set(id, phase);
    return phase;
  };
  // A pseudo-frame ((garbage collector), (idle), (program)) is a phase of its own.
  const phaseOfSample = (id: number): string => {
    const name = nodes.get(id)?.callFrame.functionName ?? '';
    return /^\(.*\)$/u.test(name) && name !== '(root)' ? name : enclosing(id);
  };
  const time = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = (profile.timeDeltas[index] ?? 0) / 1000;
    total += delta;
    const phase = phaseOfSample(id);
    time.set(phase, (time.get(phase) ?? 0) + delta);
  });
  return [...time].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms, share: ms / total }));
}
