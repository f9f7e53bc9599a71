import { Option, type Command } from 'commander';
import type { CliIo } from './io.js';

/** Options of a command that ends with a summary. */
export interface SummaryOptions {
  readonly summary?: 'text' | 'json';
  readonly progress?: boolean;
}

/**
 * Adds `--summary text|json` (how the closing summary is written on stderr: a sentence, or one JSON
 * object for scripts) and `--progress` / `--no-progress` (progress on stderr; default: on a terminal).
 */
export function addSummaryOptions(command: Command): Command {
  return command
    .addOption(new Option('--summary <format>', 'the closing summary on stderr: a sentence (text) or one JSON object (json)').choices(['text', 'json']).default('text'))
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--no-progress', 'show no progress, even on a terminal');
}

/**
 * Writes the closing summary of `command` on stderr: `text` as given, or with `--summary json` one JSON
 * object `{ "command": …, …fields }` on its own line, the last line the command writes.
 */
export function writeSummary(io: CliIo, options: SummaryOptions, command: string, fields: Record<string, unknown>, text: string): void {
  io.stderr.write(options.summary === 'json' ? `${JSON.stringify({ command, ...fields })}\n` : text);
}
