import { PassThrough } from 'node:stream';
import { run } from '../program.js';

/** What one in-process run of the CLI wrote and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `statbus ...args` in this process (tests only: not built into `dist`), with `input` as stdin,
 * `env` as its environment and `cwd` as its working directory.
 */
export async function runCli(args: readonly string[], options: { env?: Record<string, string>; cwd: string; input?: string }): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  stdin.end(options.input ?? '');
  const code = await run(args, { stdout, stderr, stdin, env: options.env ?? {}, cwd: options.cwd });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
