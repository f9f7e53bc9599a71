import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = readdirSync(join(ROOT, 'packages')).filter((name) => !name.startsWith('.'));

/** Files that never ship: tests, fixtures and test support, which each package's tsconfig.build.json leaves out. */
const NOT_SHIPPED = /\.test\.ts$|\.fixture\.ts$|\/src\/(testing|test-support)\//u;

interface PackageJson {
  readonly name: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or undefined for relative and built-in ones. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
  return builtinModules.includes(name) ? undefined : name;
}

/** Every module a source file names: static imports and exports (types too: they reach the .d.ts), `import()`, `import.meta.resolve()`. */
function specifiersOf(source: string): string[] {
  const found = [
    ...source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gmu),
    ...source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gmu),
    ...source.matchAll(/\bimport(?:\.meta\.resolve)?\(\s*['"]([^'"]+)['"]\s*\)/gu),
  ];
  return found.map((match) => match[1] ?? '');
}

/** `package: file → module` for every module a shipped file of `name` uses that its package.json does not declare. */
function undeclared(name: string): string[] {
  const dir = join(ROOT, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  const declared = new Set([manifest.name, ...Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies })]);
  return filesUnder(join(dir, 'src'))
    .filter((file) => !NOT_SHIPPED.test(file))
    .flatMap((file) =>
      specifiersOf(readFileSync(file, 'utf8'))
        .map(packageOf)
        .filter((module): module is string => module !== undefined && !declared.has(module))
        .map((module) => `${relative(ROOT, file)} → ${module}`),
    );
}

describe('package dependencies', () => {
  it.each(PACKAGES)('should declare every module the shipped code of %s uses at run time', (name) => {
    expect(undeclared(name)).toEqual([]);
  });

  it.each(PACKAGES)('should leave the test support of %s out of its build', (name) => {
    const dir = join(ROOT, 'packages', name);
    const build = JSON.parse(readFileSync(join(dir, 'tsconfig.build.json'), 'utf8')) as { exclude?: string[] };
    const support = filesUnder(join(dir, 'src')).filter((file) => /\/src\/(testing|test-support)\//u.test(file) || file.endsWith('.fixture.ts'));
    const excluded = (file: string): boolean =>
      (build.exclude ?? []).some((glob) => {
        const pattern = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/gu, '\\$&').replace(/\*\*\/?/gu, '.*').replace(/(?<!\.)\*/gu, '[^/]*')}$`, 'u');
        return pattern.test(relative(dir, file));
      });
    expect(support.filter((file) => !excluded(file)).map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('should catch an undeclared module (the check itself)', () => {
    expect(specifiersOf("import { x } from 'left-pad';\nconst y = await import('@scope/lib/deep');").map(packageOf)).toEqual(['left-pad', '@scope/lib']);
    expect(specifiersOf("import { readFileSync } from 'node:fs';\nimport { a } from './a.js';").map(packageOf)).toEqual([undefined, undefined]);
  });
});
