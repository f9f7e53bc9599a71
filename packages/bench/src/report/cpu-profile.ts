import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** Each name's self time (ms) over a profile's samples, and the time they cover. */
function tallySelfTime(profile: CpuProfile, names: ReadonlyMap<number, string>): { self: Map<string, number>; totalMs: number } {
  const self = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    totalMs += ms;
    const name = names.get(id) ?? '?';
    self.set(name, (self.get(name) ?? 0) + ms);
  });
  return { self, totalMs };
}

/** The `top` entries of `self` by time, each with its share of `ofMs`. */
function ranked(self: ReadonlyMap<string, number>, top: number, ofMs: number): SelfTime[] {
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms, share: ofMs > 0 ? ms / ofMs : 0 }));
}

/** `top` as one line, shares rounded to whole percents: `writeRows sink/sqlite-batch-writer.js:31 25 %; (garbage collector) 8 %`. */
export function selfTimesLine(top: readonly SelfTime[]): string {
  return top.map((entry) => `${entry.name} ${Math.round(entry.share * 100)} %`).join('; ');
}

/** A thread's busy time beside the time profiled, in seconds: `20.5 / 27.6`. */
export function busyOfProfiled(busyMs: number, totalMs: number): string {
  return `${(busyMs / 1000).toFixed(1)} / ${(totalMs / 1000).toFixed(1)}`;
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

/** One thread of a profiled benchmark process: how long it was busy, and the functions that took that time. */
export interface ThreadProfile {
  /** The process: its side in the measurement (`p0`, `c0`) and role. */
  readonly process: string;
  /** `main thread`, or `worker thread <n>` for the n-th worker thread the process started. */
  readonly thread: string;
  /** The time the profile covers, and the part of it not idle (ms). */
  readonly totalMs: number;
  readonly busyMs: number;
  /** The functions with the most self time, as shares of the busy time (the garbage collector and native code included). */
  readonly top: readonly SelfTime[];
}

/** `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`, as `node --cpu-prof` names its files. */
const PROFILE_FILE = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.(\d+)\.cpuprofile$/u;

/** `writeRows sink/sqlite-batch-writer.js:31`: a function with its package and file, not the whole path. */
function shortName({ functionName, url, lineNumber }: ProfileNode['callFrame']): string {
  const name = functionName === '' ? '(anonymous)' : functionName;
  if (url === '') return name;
  const path = url.replace(/^file:\/\//u, '');
  const file = path.slice(path.lastIndexOf('/') + 1);
  const owner = /\/(?:packages|node_modules)\/((?:@[^/]+\/)?[^/]+)\//u.exec(path)?.[1];
  // tsx hands V8 each TypeScript file as one line: a line number of 1 there says nothing.
  const line = lineNumber === 0 && file.endsWith('.ts') ? '' : `:${lineNumber + 1}`;
  return `${name} ${owner === undefined ? file : `${owner}/${file}`}${line}`;
}

/** A function of no script (a binding such as better-sqlite3's `all` or libuv's `writev`), not a pseudo-frame or a regular expression. */
function isNative({ functionName, url }: ProfileNode['callFrame']): boolean {
  return url === '' && !/^\(.*\)$/u.test(functionName) && !functionName.startsWith('RegExp:');
}

/** Each node's name ({@link shortName}); a native function takes its caller's, so that its time counts to the caller. */
function callerNames(nodes: readonly ProfileTreeNode[]): Map<number, string> {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const names = new Map<number, string>();
  const nameOf = (id: number): string => {
    const known = names.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const caller = parent.get(id);
    const name = node === undefined ? '?' : isNative(node.callFrame) && caller !== undefined && byId.get(caller)?.callFrame.functionName !== '(root)' ? nameOf(caller) : shortName(node.callFrame);
    names.set(id, name);
    return name;
  };
  for (const node of nodes) nameOf(node.id);
  return names;
}

/**
 * The busy time of one `.cpuprofile` and its `top` functions by self time (the idle pseudo-frame left out),
 * native functions counted to their callers.
 */
export function summariseThread(file: string, top: number): Omit<ThreadProfile, 'process' | 'thread'> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile & { readonly nodes: readonly ProfileTreeNode[] };
  const { self, totalMs } = tallySelfTime(profile, callerNames(profile.nodes));
  const busyMs = totalMs - (self.get('(idle)') ?? 0);
  self.delete('(idle)');
  return { totalMs, busyMs, top: ranked(self, top, busyMs) };
}

/** The files `node --cpu-prof --cpu-prof-dir` wrote in `directory`, with the process and thread of each. */
function profileFiles(directory: string): { name: string; pid: number; thread: number; seq: number }[] {
  return readdirSync(directory)
    .map((name) => ({ name, match: PROFILE_FILE.exec(name) }))
    .filter((file): file is { name: string; match: RegExpExecArray } => file.match !== null)
    .map(({ name, match }) => ({ name, pid: Number(match[1]), thread: Number(match[2]), seq: Number(match[3]) }));
}

/** The process ids of the profiles in `directory` (several processes may write into one), in ascending order. */
export function profiledProcesses(directory: string): number[] {
  return [...new Set(profileFiles(directory).map((file) => file.pid))].sort((a, b) => a - b);
}

/**
 * The threads profiled in `directory` (the files `node --cpu-prof --cpu-prof-dir` wrote for one process, or
 * those of process `pid` only), each with its file: the main thread first, then its worker threads in the order
 * they started.
 */
export function profiledThreads(directory: string, pid?: number): { readonly file: string; readonly thread: string }[] {
  const files = profileFiles(directory)
    .filter((file) => pid === undefined || file.pid === pid)
    .sort((a, b) => a.thread - b.thread || a.seq - b.seq);
  let workers = 0;
  return files.map(({ name, thread }) => ({ file: join(directory, name), thread: thread === 0 ? 'main thread' : `worker thread ${(workers += 1)}` }));
}

/** {@link profiledThreads}, each summarised ({@link summariseThread}) as a thread of `process`. */
export function summariseProcessProfiles(directory: string, process: string, top = 6, pid?: number): ThreadProfile[] {
  return profiledThreads(directory, pid).map(({ file, thread }) => ({ process, thread, ...summariseThread(file, top) }));
}
