// @ts-check
// Which package may import which: the edges the import graph must keep (core at the bottom, the libraries
// above it, the CLI on top; bench and the private test kit beside the top, never under a library).
// A flat-config rule entry replaces the one before it for the same files, so each entry lists every
// restriction that applies to its files.

/** Files that are tests or test support: they may use the private test kit. */
export const TEST_FILES = [
  'packages/*/src/**/*.test.ts',
  'packages/*/src/**/*.fixture.ts',
  'packages/*/src/testing/**',
  'packages/*/src/test-support/**',
  'packages/*/scripts/**',
];

/** The packages that are not libraries: the composition root, the benchmark and the private test kit. */
const NOT_LIBRARIES = ['cli', 'bench', 'testing'];

const benchAndCli = [
  { group: ['@statbus/bench', '@statbus/bench/*'], message: 'A library never depends on the benchmark: measure it from packages/bench.' },
  { group: ['@statbus/cli', '@statbus/cli/*'], message: 'Only the CLI composes packages; a library never imports it.' },
];
const testKit = {
  group: ['@statbus/testing', '@statbus/testing/*'],
  message: 'The private test kit is for tests (*.test.ts, *.fixture.ts, src/testing, src/test-support), not for code that ships.',
};
const deepImports = [
  { group: ['@statbus/*/*'], message: "Import a package by its name (its src/index.ts exports), not a file inside it." },
  {
    regex: '^(\\.\\./)+(packages/)?[a-z0-9-]+/(src|dist)(/|$)',
    message: 'No relative import into another package: depend on it by name in package.json and import @statbus/<name>.',
  },
];
const producerFromConsumer = {
  group: ['@statbus/producer'],
  message: 'The consumer does not depend on the producer: what both need (SchemaRegistry, …) lives in core.',
};
const anyStatbus = { group: ['@statbus/*'], message: 'core is the bottom level: it imports no other statbus package.' };

/** @param {object[]} patterns */
const restrict = (patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });

/** @type {import('eslint').Linter.Config[]} */
export const packageEdgeRules = [
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: [...NOT_LIBRARIES.map((name) => `packages/${name}/**`), ...TEST_FILES],
    rules: restrict([...benchAndCli, testKit, ...deepImports]),
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: TEST_FILES,
    rules: restrict([anyStatbus, ...deepImports]),
  },
  {
    files: ['packages/consumer/src/**/*.ts'],
    ignores: TEST_FILES,
    rules: restrict([...benchAndCli, testKit, ...deepImports, producerFromConsumer]),
  },
  {
    files: NOT_LIBRARIES.filter((name) => name !== 'cli').map((name) => `packages/${name}/src/**/*.ts`),
    ignores: TEST_FILES,
    rules: restrict([benchAndCli[1], ...deepImports]),
  },
  {
    files: ['packages/cli/src/**/*.ts'],
    ignores: TEST_FILES,
    rules: restrict([testKit, ...deepImports]),
  },
  {
    // Tests may use the test kit and the package under test's own files, but still not reach into another package.
    files: TEST_FILES,
    rules: restrict([deepImports[1]]),
  },
];
