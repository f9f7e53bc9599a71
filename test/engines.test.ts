import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Lock {
  readonly packages: Record<string, { version?: string; engines?: { node?: string } | string[]; dev?: boolean }>;
}

describe('the supported Node version', () => {
  const { engines } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
  const oldest = semver.minVersion(engines.node)?.version ?? '';

  it('should be stated in package.json engines', () => {
    expect(oldest).toMatch(/^20\./u);
  });

  // npm ci warns EBADENGINE for any installed package whose engines.node the running Node does not satisfy.
  it('should satisfy engines.node of every package in the lock file, so npm ci prints no EBADENGINE warning on it', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as Lock;
    const refusing = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && !Array.isArray(entry.engines) && entry.engines?.node !== undefined)
      .filter(([, entry]) => !semver.satisfies(oldest, (entry.engines as { node: string }).node))
      .map(([path, entry]) => `${path}@${entry.version ?? '?'} wants node ${(entry.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });
});
