import { Argument, Command } from 'commander';
import { COMPLETION_SHELLS, completionScript, type CompletionShell } from '../completion/completion-script.js';
import type { CliIo } from '../io.js';

/** `statbus completion bash|zsh|fish`: prints the shell's completion script for every command and option. */
export function completionCommand(io: CliIo): Command {
  return new Command('completion')
    .description('print a completion script for bash, zsh or fish (eval "$(statbus completion bash)")')
    .addArgument(new Argument('<shell>', 'the shell').choices(COMPLETION_SHELLS))
    .action(function (this: Command, shell: CompletionShell) {
      const program = this.parent ?? this;
      io.stdout.write(completionScript(program, shell));
    });
}
