import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RULE = '@typescript-eslint/no-restricted-imports';

// The planted files exist only as text: no tsconfig program holds them, so the type-aware rules are turned off
// for them; the edge rule needs no types.
const eslint = new ESLint({ cwd: ROOT, overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }] });

/** Lints `code` as if it were the file at `filePath` (relative to the repository root), with the repository's config. */
async function edgeProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${filePath}` });
  if (result === undefined) throw new Error(`ESLint returned no result for ${filePath}`);
  const fatal = result.messages.filter((message) => message.fatal === true);
  if (fatal.length > 0) throw new Error(`ESLint could not parse ${filePath}: ${fatal.map((message) => message.message).join('; ')}`);
  return result.messages.filter((message) => message.ruleId === RULE).map((message) => message.message);
}

describe('the package edge rule (eslint.edges.js)', () => {
  describe('in a library package', () => {
    const file = 'packages/sink/src/planted-edge.ts';

    it('should fail an import of the private test kit', async () => {
      const problems = await edgeProblems(file, "import { waitFor } from '@statbus/testing';\nexport const planted = waitFor;\n");
      expect(problems).toEqual([expect.stringContaining('private test kit')]);
    });

    it('should fail an import of the benchmark and of the CLI', async () => {
      const code = "import { runBench } from '@statbus/bench';\nimport { main } from '@statbus/cli';\nexport const planted = [runBench, main];\n";
      const problems = await edgeProblems(file, code);
      expect(problems).toEqual([expect.stringContaining('benchmark'), expect.stringContaining('Only the CLI')]);
    });

    it('should fail a relative import into another package and a deep package import', async () => {
      const code = [
        "import type { Envelope } from '../../core/src/envelope/envelope.js';",
        "import { SchemaRegistry } from '@statbus/core/src/schema/schema-registry.js';",
        'export type Planted = Envelope;',
        'export const planted = SchemaRegistry;',
        '',
      ].join('\n');
      const problems = await edgeProblems(file, code);
      expect(problems).toEqual([expect.stringContaining('relative import into another package'), expect.stringContaining('by its name')]);
    });

    it('should pass imports of core and of its own files', async () => {
      const code = "import { silentLogger } from '@statbus/core';\nimport { SqliteMessageStore } from './sqlite/sqlite-message-store.js';\nexport const clean = [silentLogger, SqliteMessageStore];\n";
      expect(await edgeProblems(file, code)).toEqual([]);
    });
  });

  describe('in a test of a library package', () => {
    it('should pass an import of the private test kit', async () => {
      const code = "import { waitFor } from '@statbus/testing';\nexport const clean = waitFor;\n";
      expect(await edgeProblems('packages/sink/src/planted-edge.test.ts', code)).toEqual([]);
    });
  });

  describe('in the consumer', () => {
    it('should fail an import of the producer', async () => {
      const code = "import { Producer } from '@statbus/producer';\nexport const planted = Producer;\n";
      expect(await edgeProblems('packages/consumer/src/planted-edge.ts', code)).toEqual([expect.stringContaining('does not depend on the producer')]);
    });
  });

  describe('in core', () => {
    it('should fail an import of any other statbus package', async () => {
      const code = "import { Producer } from '@statbus/producer';\nexport const planted = Producer;\n";
      expect(await edgeProblems('packages/core/src/planted-edge.ts', code)).toEqual([expect.stringContaining('bottom level')]);
    });
  });

  describe('in the CLI', () => {
    it('should pass an import of the benchmark and fail one of the test kit', async () => {
      const code = "import { runBench } from '@statbus/bench';\nimport { waitFor } from '@statbus/testing';\nexport const planted = [runBench, waitFor];\n";
      expect(await edgeProblems('packages/cli/src/planted-edge.ts', code)).toEqual([expect.stringContaining('private test kit')]);
    });
  });
});
