import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MetricsPlugin } from './metrics-plugin.js';
import { PluginError } from './plugin-error.js';

/**
 * Loads plugins named `MODULE:EXPORT` (`[metrics] plugins`), as the hub loads consumers: a relative or absolute path
 * (from `cwd`) or a package name, then the named export: a plugin object, or a class whose instances are plugins.
 *
 * @throws {PluginError} naming the spec when the module cannot be loaded or the export is not a plugin.
 */
export async function loadPlugins(specs: readonly string[], cwd: string): Promise<MetricsPlugin[]> {
  const plugins: MetricsPlugin[] = [];
  for (const spec of specs) {
    const colon = spec.lastIndexOf(':');
    if (colon <= 0 || colon === spec.length - 1) throw new PluginError(spec, `[metrics] plugins: ${JSON.stringify(spec)}: expected MODULE:EXPORT, e.g. ./my-plugin.js:myPlugin`);
    const [module, name] = [spec.slice(0, colon), spec.slice(colon + 1)];
    const url = module.startsWith('.') || isAbsolute(module) ? pathToFileURL(resolve(cwd, module)).href : module;
    let exports: Record<string, unknown>;
    try {
      exports = (await import(url)) as Record<string, unknown>;
    } catch (error) {
      throw new PluginError(spec, `[metrics] plugins: ${spec}: cannot load module ${JSON.stringify(module)}: ${(error as Error).message}`, { cause: error });
    }
    const value = exports[name];
    if (value === undefined) throw new PluginError(spec, `[metrics] plugins: ${spec}: module ${JSON.stringify(module)} has no export ${JSON.stringify(name)} (it has: ${Object.keys(exports).join(', ') || 'nothing'})`);
    const candidate = typeof value === 'function' ? new (value as new () => unknown)() : value;
    const plugin = candidate as Partial<MetricsPlugin>;
    if (typeof candidate !== 'object' || candidate === null || typeof plugin.name !== 'string' || (typeof plugin.observe !== 'function' && typeof plugin.record !== 'function')) {
      throw new PluginError(spec, `[metrics] plugins: ${spec}: export ${JSON.stringify(name)} is not a metrics plugin (an object with name, description, key, fields and observe or record)`);
    }
    plugins.push(candidate as MetricsPlugin);
  }
  return plugins;
}
