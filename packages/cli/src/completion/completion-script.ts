import type { Command, Option } from 'commander';

/** The shells `statbus completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** One command of the tree: its path of names under the program, its subcommands and options. */
interface CommandNode {
  readonly path: readonly string[];
  readonly description: string;
  readonly subcommands: readonly string[];
  readonly options: readonly { flags: readonly string[]; description: string; takesValue: boolean }[];
}

function nodesOf(command: Command, path: readonly string[] = []): CommandNode[] {
  const visible = (option: Option): boolean => !(option as Option & { hidden?: boolean }).hidden;
  const options = command.options.filter(visible).map((option) => ({
    flags: [option.short, option.long].filter((flag): flag is string => flag !== undefined),
    description: option.description,
    takesValue: option.required || option.optional,
  }));
  options.push({ flags: ['-h', '--help'], description: 'display help for command', takesValue: false });
  const node: CommandNode = { path, description: command.description(), subcommands: command.commands.map((sub) => sub.name()), options };
  return [node, ...command.commands.flatMap((sub) => nodesOf(sub, [...path, sub.name()]))];
}

/** Words offered after a command path: its subcommands, then its options. */
function wordsOf(node: CommandNode): string {
  return [...node.subcommands, ...node.options.flatMap((option) => option.flags)].join(' ');
}

/** The shared shell functions (bash and zsh read the same syntax): words and subcommands by command path. */
function caseFunctions(name: string, nodes: readonly CommandNode[]): string {
  const words = nodes.map((node) => `    "${node.path.join(' ')}") echo "${wordsOf(node)}" ;;`).join('\n');
  const subs = nodes.filter((node) => node.subcommands.length > 0).map((node) => `    "${node.path.join(' ')}") echo "${node.subcommands.join(' ')}" ;;`).join('\n');
  return `_${name}_words() {
  case "$1" in
${words}
  esac
}

_${name}_subcommands() {
  case "$1" in
${subs}
  esac
}
`;
}

function bash(name: string, nodes: readonly CommandNode[]): string {
  return `# bash completion for ${name}: eval "$(${name} completion bash)", or save it under
# ~/.local/share/bash-completion/completions/${name}
${caseFunctions(name, nodes)}
_${name}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    if [[ " $(_${name}_subcommands "$path") " == *" $word "* ]]; then path="\${path:+$path }$word"; fi
  done
  COMPREPLY=($(compgen -W "$(_${name}_words "$path")" -- "$cur"))
}

complete -o default -F _${name} ${name}
`;
}

function zsh(name: string, nodes: readonly CommandNode[]): string {
  return `#compdef ${name}
# zsh completion for ${name}: eval "$(${name} completion zsh)" after compinit, or save it as _${name}
# in a directory of your $fpath
${caseFunctions(name, nodes)}
_${name}() {
  local path="" word i
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    [[ "$word" == -* ]] && continue
    if [[ " $(_${name}_subcommands "$path") " == *" $word "* ]]; then path="\${path:+$path }$word"; fi
  done
  local -a candidates
  candidates=(\${=$(_${name}_words "$path")})
  compadd -- $candidates
  _files
}

compdef _${name} ${name}
`;
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/gu, '\\\\').replace(/'/gu, "\\'")}'`;
}

function fish(name: string, nodes: readonly CommandNode[]): string {
  const lines = [`# fish completion for ${name}: ${name} completion fish > ~/.config/fish/completions/${name}.fish`, `complete -c ${name} -f`];
  for (const node of nodes) {
    // The condition that the command line is at this node: its path seen, none of its subcommands yet.
    const seen = node.path.map((word) => `__fish_seen_subcommand_from ${word}`);
    const notDeeper = node.subcommands.length === 0 ? [] : [`not __fish_seen_subcommand_from ${node.subcommands.join(' ')}`];
    const at = node.path.length === 0 ? ['__fish_use_subcommand'] : [...seen, ...notDeeper];
    const condition = fishQuote(at.join('; and '));
    for (const sub of node.subcommands) {
      const description = nodes.find((other) => other.path.length === node.path.length + 1 && other.path[node.path.length] === sub)?.description ?? '';
      lines.push(`complete -c ${name} -n ${condition} -a ${sub} -d ${fishQuote(description.split('\n')[0] ?? '')}`);
    }
    for (const option of node.options) {
      const short = option.flags.find((flag) => /^-[^-]/u.test(flag));
      const long = option.flags.find((flag) => flag.startsWith('--'));
      const parts = [`complete -c ${name} -n ${condition}`];
      if (short !== undefined) parts.push(`-s ${short.slice(1)}`);
      if (long !== undefined) parts.push(`-l ${long.slice(2)}`);
      if (option.takesValue) parts.push('-r -F');
      parts.push(`-d ${fishQuote(option.description)}`);
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Every command path (`['db', 'import']`) and every option flag of `program`, as the scripts offer them. */
export function completionWords(program: Command): { commands: string[][]; flags: Map<string, string[]> } {
  const nodes = nodesOf(program);
  return {
    commands: nodes.filter((node) => node.path.length > 0).map((node) => [...node.path]),
    flags: new Map(nodes.map((node) => [node.path.join(' '), node.options.flatMap((option) => option.flags)])),
  };
}

/** The completion script for `shell`, generated from the command tree of `program` (named by its name). */
export function completionScript(program: Command, shell: CompletionShell): string {
  const nodes = nodesOf(program);
  const name = program.name();
  switch (shell) {
    case 'bash':
      return bash(name, nodes);
    case 'zsh':
      return zsh(name, nodes);
    case 'fish':
      return fish(name, nodes);
  }
}
