import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@statbus/testing';

/** Debian's Python, which has python3-pika and python3-zmq (the `python3` on PATH may be another one). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), 'python');

/** Whether Debian's Python can import `module` (checked once per test file). */
export function pythonHas(module: string): boolean {
  const result = spawnSync(DEBIAN_PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' });
  return result.status === 0;
}

/** A running peer script whose stdout lines are collected as they come. */
export interface PythonPeer {
  readonly child: ChildProcess;
  lines(): string[];
  stderr(): string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  /** Waits until a stdout line equals `line`. */
  waitForLine(line: string): Promise<void>;
  /** Waits for the script to end and gives its stdout lines; rejects, with its stderr, when it failed. */
  finished(): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts `test/support/python/<script>` with Debian's Python; `input` is written to its stdin, then closed. */
export function startPython(script: string, args: readonly string[], input?: string): PythonPeer {
  const child = spawn(DEBIAN_PYTHON, [join(SCRIPTS, script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  child.stdin.end(input ?? '');
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const lines = (): string[] => Buffer.concat(out).toString('utf8').split('\n').filter((line) => line !== '');
  const stderr = (): string => Buffer.concat(err).toString('utf8');
  return {
    child,
    lines,
    stderr,
    exited,
    waitForLine: async (line) => {
      await waitFor(() => lines().includes(line) || child.exitCode !== null, { timeoutMs: 20_000, message: `"${line}" from ${script} (stderr: ${stderr()})` });
      if (!lines().includes(line)) throw new Error(`${script} ended before printing ${line}: ${stderr()}`);
    },
    finished: async () => {
      const code = await exited;
      if (code !== 0) throw new Error(`${script} exited with ${code}: ${stderr()}`);
      return lines();
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
