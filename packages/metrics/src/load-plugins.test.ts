import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlugins } from './load-plugins.js';

const dir = mkdtempSync(join(tmpdir(), 'statbus-plugins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'my-plugin.mjs'),
  `export const byProducer = { name: 'by-producer', description: 'per producer', key: 'producer', fields: ['count'],
     observe(message, emit) { emit.add('count', 1, message.envelope.producer.name); } };
   export class Counted { name = 'counted'; description = 'a class'; key = null; fields = ['count']; observe(_m, emit) { emit.add('count', 1); } }
   export const notAPlugin = 42;`,
);

describe(loadPlugins, () => {
  it('should load MODULE:EXPORT as an object or a class, relative to cwd', async () => {
    const plugins = await loadPlugins(['./my-plugin.mjs:byProducer', `${join(dir, 'my-plugin.mjs')}:Counted`], dir);
    expect(plugins.map((plugin) => plugin.name)).toEqual(['by-producer', 'counted']);
  });
  it.each([
    ['no colon', 'my-plugin.mjs', 'expected MODULE:EXPORT'],
    ['a missing module', './nope.mjs:x', 'cannot load module'],
    ['a missing export', './my-plugin.mjs:nope', 'has no export'],
    ['an export that is not a plugin', './my-plugin.mjs:notAPlugin', 'is not a metrics plugin'],
  ])('should throw a PluginError for %s', async (_name, spec, message) => {
    await expect(loadPlugins([spec], dir)).rejects.toMatchObject({ code: 'ERR_PLUGIN', message: expect.stringContaining(message) as string });
  });
});
