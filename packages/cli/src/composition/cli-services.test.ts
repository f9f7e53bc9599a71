import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema, silentLogger } from '@statbus/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { CliServices } from './cli-services.js';
import { createContainer } from './create-container.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));

function shippedFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return shippedFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe(CliServices, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'statbus-services-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const services = (metrics: Record<string, unknown> = {}): CliServices => {
    const config = configSchema.parse({ store: `sqlite:${join(dir, 'archive.db')}`, metrics });
    return new CliServices(createContainer(config, silentLogger), config, dir);
  };

  describe('.store', () => {
    it('should give the same store every time', () => {
      const given = services();
      expect(given.store()).toBe(given.store());
    });
  });

  describe('.queryServer', () => {
    it('should load the metrics plugins first and give one server', async () => {
      const given = services();
      const server = await given.queryServer();
      expect(await given.queryServer()).toBe(server);
      expect((await given.metricsCatalog()).names().length).toBeGreaterThan(0);
    });
  });

  describe('.metricsCatalog', () => {
    describe('when a configured plugin cannot be loaded', () => {
      it('should reject with a CliError naming it', async () => {
        await expect(services({ plugins: ['./missing-plugin.js:byProducer'] }).metricsCatalog()).rejects.toThrow(CliError);
        await expect(services({ plugins: ['./missing-plugin.js:byProducer'] }).metricsCatalog()).rejects.toThrow(/missing-plugin/u);
      });
    });

    describe('when a configured plugin loads', () => {
      it('should list it beside the built-in ones', async () => {
        writeFileSync(join(dir, 'plugin.mjs'), "export const byProducer = { name: 'by-producer', description: 'per producer', key: 'producer', fields: ['count'], observe(message, emit) { emit.add('count', 1, message.envelope.producer.name); } };\n");
        expect((await services({ plugins: ['./plugin.mjs:byProducer'] }).metricsCatalog()).names()).toContain('by-producer');
      });
    });
  });
});

describe('the composition root', () => {
  it('should be the only place in the CLI that touches the container', () => {
    const outside = shippedFiles(SRC)
      .filter((file) => !relative(SRC, file).startsWith('composition/'))
      .filter((file) => /from 'inversify'|\bcontainer\.get\b/u.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(outside).toEqual([]);
  });
});
