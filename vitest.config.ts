import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages from their TypeScript sources (the `@statbus/source` export condition),
// so `vitest` needs no build of the package under test; the CLI's end-to-end tests run the built binary.
const conditions = ['@statbus/source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    // The skipped reporter names every test that did not run here, and why, in every run's own output.
    reporters:
      process.env['CI'] === 'true'
        ? ['default', './test/support/skipped-reporter.ts', ['json', { outputFile: '.vitest-results.json' }]]
        : ['default', './test/support/skipped-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/scripts/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/src/**/*.int.test.ts', 'test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
