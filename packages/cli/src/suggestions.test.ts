import { describe, expect, it } from 'vitest';
import { runCli } from './testing/in-process-cli.js';

describe('statbus with a typo', () => {
  it('should suggest the command meant, exit 2', async () => {
    const { code, stderr } = await runCli(['publsh'], { cwd: '/' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command 'publsh'\n\(Did you mean publish\?\)/u);
  });

  it('should suggest the nested command meant', async () => {
    const { code, stderr } = await runCli(['db', 'imprt'], { cwd: '/' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/\(Did you mean import\?\)/u);
  });

  it('should suggest the flag meant, exit 2', async () => {
    const { code, stderr } = await runCli(['dump', '--sinse', 'yesterday'], { cwd: '/' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown option '--sinse'\n\(Did you mean --since\?\)/u);
  });

  it('should suggest the config key meant, in one line per problem', async () => {
    const { code, stderr } = await runCli(['config'], { cwd: '/', env: { STATBUS_AMQP__PREFECH: '5' } });
    expect(code).toBe(1);
    expect(stderr).toMatch(/amqp\.prefech \(environment STATBUS_AMQP__PREFECH\): unknown key; did you mean "prefetch"\?/u);
  });
});
