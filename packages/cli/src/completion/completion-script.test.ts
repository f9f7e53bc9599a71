import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../program.js';
import { runCli } from '../testing/in-process-cli.js';
import { COMPLETION_SHELLS, completionScript, completionWords } from './completion-script.js';

const program = buildProgram({ stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd: '/' });
const { commands, flags } = completionWords(program);

/** What bash offers after `line` (the last word being completed), from the generated script. */
function bashOffers(line: string): string[] {
  const words = line.split(' ');
  const script = `${completionScript(program, 'bash')}
COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _statbus; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\n').filter((word) => word !== '');
}

describe(completionScript, () => {
  it('should know the whole tree, nested commands included', () => {
    expect(commands).toEqual(expect.arrayContaining([['publish'], ['db', 'import'], ['keys', 'generate'], ['completion']]));
    expect(flags.get('publish')).toEqual(expect.arrayContaining(['--topic', '-m', '--message', '--log-format', '--help']));
  });

  describe.each(COMPLETION_SHELLS)('for %s', (shell) => {
    const script = completionScript(program, shell);

    it('should name every command and every option of every command', () => {
      for (const path of commands) expect(script).toContain(path.at(-1));
      for (const [path, names] of flags) {
        for (const flag of names) {
          // fish names flags without their dashes (-l topic, -s m).
          const written = shell === 'fish' ? (flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`) : flag;
          expect(script, `${path || 'statbus'} ${flag}`).toContain(written);
        }
      }
    });
  });

  it('should be valid bash (bash -n)', () => {
    expect(() => execFileSync('bash', ['-n'], { input: completionScript(program, 'bash') })).not.toThrow();
  });

  it('should offer the subcommands, then the options of the command being typed, in bash', () => {
    expect(bashOffers('statbus pub')).toEqual(['publish']);
    expect(bashOffers('statbus db im')).toEqual(['import']);
    expect(bashOffers('statbus db import --bat')).toEqual(['--batch-size']);
    expect(bashOffers('statbus --verbose publish --to')).toEqual(['--topic']);
  });
});

describe('statbus completion', () => {
  it('should print the script of the shell named, and refuse another shell as a usage error', async () => {
    const bash = await runCli(['completion', 'bash'], { cwd: '/' });
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -o default -F _statbus statbus');
    const tcsh = await runCli(['completion', 'tcsh'], { cwd: '/' });
    expect(tcsh.code).toBe(2);
    expect(tcsh.stderr).toMatch(/Allowed choices are bash, zsh, fish/u);
  });
});
