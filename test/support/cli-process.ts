import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@statbus/testing';

/** The installed `statbus` binary (built by `npm ci` / `npm test`). */
export const STATBUS_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.bin', 'statbus');

/** A running `statbus` command whose output is collected as it comes. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  /** Waits until stderr holds `text`. */
  ready(text: string): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Where and how a `statbus` command runs. */
export interface CliOptions {
  /** Its working directory (relative paths of `--consumer`, `[schemas]`… resolve from it); default this process's. */
  readonly cwd?: string;
}

/** Starts `statbus ...args` with `env` added to the environment; `input` is written to stdin, then closed. */
export function startCli(args: readonly string[], env: Record<string, string>, input?: string, options: CliOptions = {}): CliProcess {
  if (!existsSync(STATBUS_BIN)) throw new Error(`${STATBUS_BIN} is missing: npm ci builds it (or npm run build)`);
  const child = spawn(STATBUS_BIN, [...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd === undefined ? {} : { cwd: options.cwd }) });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  if (input !== undefined) child.stdin.end(input);
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const stderr = (): string => Buffer.concat(err).toString('utf8');
  return {
    child,
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr,
    exited,
    ready: async (text) => {
      await waitFor(() => stderr().includes(text), { timeoutMs: 20_000, message: `"${text}" on stderr of statbus ${args.join(' ')} (stderr so far: ${stderr()})` });
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
