import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Each package's public surface is what its src/index.ts exports. The names are pinned in
// test/public-surface/<package>.txt so that the surface grows only on purpose: a new export fails here until
// the list is updated in the same change (`npx vitest run test/public-surface.test.ts -u`), where a reviewer sees it.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = readdirSync(join(ROOT, 'packages')).filter((name) => !name.startsWith('.'));

interface Surface {
  /** Names a program can use at run time. */
  readonly values: string[];
  /** Names that exist only for the type checker (`export type`). */
  readonly types: string[];
  /** `export *` and other forms that hide what is exported. */
  readonly unlisted: string[];
}

function surfaceOf(source: string): Surface {
  const file = ts.createSourceFile('index.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const surface: Surface = { values: [], types: [], unlisted: [] };
  for (const statement of file.statements) {
    if (!ts.isExportDeclaration(statement)) {
      const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (exported) surface.unlisted.push(statement.getText(file));
      continue;
    }
    const clause = statement.exportClause;
    if (clause === undefined || !ts.isNamedExports(clause)) {
      surface.unlisted.push(statement.getText(file));
      continue;
    }
    for (const element of clause.elements) {
      (statement.isTypeOnly || element.isTypeOnly ? surface.types : surface.values).push(element.name.text);
    }
  }
  return surface;
}

function listing(surface: Surface): string {
  const lines = [...surface.values.map((name) => name), ...surface.types.map((name) => `type ${name}`)];
  return `${lines.sort((a, b) => a.replace(/^type /u, '').localeCompare(b.replace(/^type /u, ''))).join('\n')}\n`;
}

const surfaces = new Map(PACKAGES.map((name) => [name, surfaceOf(readFileSync(join(ROOT, 'packages', name, 'src', 'index.ts'), 'utf8'))]));

describe('public surface', () => {
  it.each(PACKAGES)('should keep the exports of %s to the pinned list', async (name) => {
    await expect(listing(surfaces.get(name) as Surface)).toMatchFileSnapshot(`./public-surface/${name}.txt`);
  });

  it.each(PACKAGES)('should list every export of %s by name', (name) => {
    expect((surfaces.get(name) as Surface).unlisted).toEqual([]);
  });

  it.each(PACKAGES)('should export at run time exactly the value names %s lists', async (name) => {
    const module = (await import(`@statbus/${name}`)) as Record<string, unknown>;
    expect(Object.keys(module).sort()).toEqual([...(surfaces.get(name) as Surface).values].sort());
  });

  it('should see through every form of export (the check itself)', () => {
    const surface = surfaceOf("export { a, type B } from './a.js';\nexport type { C } from './c.js';\nexport * from './d.js';\nexport const e = 1;");
    expect(surface.values).toEqual(['a']);
    expect(surface.types).toEqual(['B', 'C']);
    expect(surface.unlisted).toEqual(["export * from './d.js';", 'export const e = 1;']);
  });
});
