import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Names what did not run at the end of every run, with its file and the reason its title or `skip(note)`
 * gives, so that a suite that could not run here (no MongoDB server, no browser…) is visible in `npm test`'s
 * own output, not only in CI's JSON file. Skipped tests under one top-level suite are named once, with their
 * number.
 */
export default class SkippedReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const groups = new Map<string, { count: number; first: string; note: string | undefined }>();
    for (const module of testModules) {
      const file = relative(process.cwd(), module.moduleId);
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state !== 'skipped') continue;
        const suite = test.fullName.split(' > ')[0] ?? test.fullName;
        const key = `${file} > ${suite}`;
        const group = groups.get(key);
        if (group === undefined) groups.set(key, { count: 1, first: test.fullName, note: result.note });
        else group.count += 1;
      }
    }
    if (groups.size === 0) return;
    const lines = [...groups].map(([key, { count, first, note }]) => {
      const what = count === 1 ? `${key.slice(0, key.lastIndexOf(' > '))} > ${first}` : `${key} (${count} tests)`;
      return `  skipped: ${what}${note === undefined ? '' : ` — ${note}`}`;
    });
    const total = [...groups.values()].reduce((sum, group) => sum + group.count, 0);
    process.stdout.write(`\n${total} test(s) skipped here, by suite:\n${lines.join('\n')}\n`);
  }
}
